// chainrule.train: the fit() loop and its History, evaluate/predict, metrics, and the callbacks
// (early stopping, checkpoints, file loggers, the progress bar).
export { fit, type FitOptions } from "./fit.js";
export {
  History,
  type Callback,
  type TrainContext,
  type EpochLogs,
  type BatchLogs,
  type Scheduler,
} from "./callback.js";
export {
  evaluate,
  predict,
  inEvalMode,
  type EvaluateOptions,
  type LossFunction,
  type LabelledData,
} from "./evaluate.js";
export {
  accuracy,
  topKAccuracy,
  confusionMatrix,
  classificationReport,
  precisionRecallF1,
  meanSquaredError,
  meanAbsoluteError,
  r2Score,
  predictedClasses,
  createMetric,
  METRIC_NAMES,
  type Metric,
  type MetricSpec,
  type ClassificationReport,
} from "./metrics.js";
export {
  EarlyStopping,
  ModelCheckpoint,
  resolveMode,
  type EarlyStoppingOptions,
  type ModelCheckpointOptions,
  type MonitorMode,
} from "./callbacks.js";
export { JsonLinesLogger, CsvLogger } from "./loggers.js";
export { ProgressLogger, epochLine, formatValue, formatDuration, type TextStream } from "./progress.js";
