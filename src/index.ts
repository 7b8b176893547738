// chainrule's public API: exports only, no logic.
import { registerBackend, setBackend } from "./backend/backend.js";
import { cpuBackend } from "./backend/cpu/index.js";
import { nativeBackend } from "./backend/native/index.js";

// cpu always; native (Node, addon built at install) becomes the default where it loaded.
registerBackend(cpuBackend);
if (nativeBackend) {
  registerBackend(nativeBackend);
  setBackend("native");
}

export { Tensor } from "./tensor/tensor.js";
export type { DType } from "./tensor/dtype.js";
export type { Nested } from "./tensor/format.js";
export * from "./tensor/create.js";
export * from "./ops/index.js";
export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from "./autograd/grad-mode.js";
export { detectAnomaly, isAnomalyEnabled } from "./autograd/anomaly.js";
export { gradients, type BackwardOptions } from "./autograd/backward.js";
export * from "./autograd/functional.js";
export * from "./autograd/gradcheck.js";
export { manualSeed, getRngState, setRngState, type RngState } from "./util/random.js";
export { ChainruleError } from "./util/errors.js";
export {
  setBackend,
  getBackend,
  listBackends,
  registerBackend,
  type Backend,
  type View,
} from "./backend/backend.js";
export { setNumThreads, getNumThreads, nativeKernels } from "./backend/native/index.js";
export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export * as data from "./data/index.js";
export * as io from "./io/index.js";
export * as train from "./train/index.js";
export * as viz from "./viz/index.js";
