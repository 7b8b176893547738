// The iris data set, embedded (iris-data.ts): 150 flowers, 4 features, 3 balanced classes.
import { Tensor } from "../../tensor/tensor.js";
import { IRIS_ROWS } from "./iris-data.js";

/** Iris: x float32 [150, 4] (cm), y int32 [150] (0 setosa, 1 versicolor, 2 virginica; 50 each). */
export interface IrisData {
  x: Tensor;
  y: Tensor;
  featureNames: string[];
  classNames: string[];
}

/**
 * Fisher's iris flowers (the values of sklearn's `load_iris`), in the original order: 50 setosa,
 * then 50 versicolor, then 50 virginica. Shuffle (e.g. trainTestSplit) before splitting.
 */
export function iris(): IrisData {
  const rows = IRIS_ROWS.trim().split("\n");
  const x = new Float32Array(rows.length * 4);
  const y = new Int32Array(rows.length);
  rows.forEach((row, i) => {
    row.split(" ").forEach((v, j) => (x[i * 4 + j] = Number(v)));
    y[i] = Math.floor(i / 50);
  });
  return {
    x: Tensor.fromData(x, [rows.length, 4], "float32"),
    y: Tensor.fromData(y, [rows.length], "int32"),
    featureNames: ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"],
    classNames: ["setosa", "versicolor", "virginica"],
  };
}
