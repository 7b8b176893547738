// chainrule.io: the safetensors format (bytes and files, validated on read, atomic on write) and
// training checkpoints built on it. Node-only: files and checkpoints; serialize/deserialize work anywhere.
export { serialize, deserialize, type SafetensorsContent, type ReadOptions } from "./safetensors.js";
export { saveFile, loadFile, writeFileAtomic } from "./file.js";
export {
  saveCheckpoint,
  loadCheckpoint,
  type CheckpointInfo,
  type ModelLike,
  type OptimizerLike,
  type OptimizerStateLike,
  type SchedulerLike,
} from "./checkpoint.js";
export { MAX_HEADER_BYTES } from "./header.js";
export { ST_DTYPE_SIZES, type StDType, type WideInts } from "./dtypes.js";
