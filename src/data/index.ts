// chainrule.data: datasets, batching (DataLoader), splits and preprocessing, the built-in data sets
// (synthetic 2-D sets, iris, MNIST) and a CSV loader. Node-only parts (MNIST, loadCsv) read files lazily.
export { Dataset, TensorDataset, Subset, randomSplit, type Collated } from "./dataset.js";
export { DataLoader, defaultCollate, type DataLoaderOptions } from "./dataloader.js";
export { standardize, oneHot, trainTestSplit, type TrainTestSplit } from "./preprocess.js";
export { loadCsv, parseCsv, type CsvData, type CsvOptions } from "./csv.js";
export {
  xor,
  moons,
  circles,
  spirals,
  blobs,
  type Labelled,
  type SyntheticOptions,
} from "./datasets/synthetic.js";
export { iris, type IrisData } from "./datasets/iris.js";
export { mnist, mnistSplit } from "./datasets/mnist.js";
