// chainrule.optim: optimizers, gradient clipping and learning-rate schedulers (PyTorch's torch.optim).
// Works on tensors only; it never imports nn.
export {
  Optimizer,
  type BaseHyper,
  type HyperValue,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamGroupSpec,
  type ParamsArg,
  type SavedState,
} from "./optimizer.js";
export { SGD, type SGDHyper, type SGDState } from "./sgd.js";
export { Adam, AdamW, type AdamHyper, type AdamState } from "./adam.js";
export { RMSprop, type RMSpropHyper, type RMSpropState } from "./rmsprop.js";
export { Adagrad, type AdagradHyper, type AdagradState } from "./adagrad.js";
export { clipGradNorm, clipGradValue } from "./clip.js";
export {
  LRScheduler,
  StepLR,
  MultiStepLR,
  ExponentialLR,
  CosineAnnealingLR,
  LinearLR,
  LambdaLR,
  type SchedulableGroup,
  type SchedulableOptimizer,
  type SchedulerStateDict,
} from "./lr-scheduler.js";
export { OneCycleLR, type OneCycleOptions } from "./one-cycle-lr.js";
export { ReduceLROnPlateau, type PlateauOptions } from "./reduce-lr-on-plateau.js";
