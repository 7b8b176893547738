// Training checkpoints in one safetensors file: model and optimizer tensors as tensors, everything
// else (hyper-parameters, scheduler, RNG state, epoch/step, extras) as JSON in __metadata__.
import { Tensor } from "../tensor/tensor.js";
import { getRngState, setRngState, type RngState } from "../util/random.js";
import { ChainruleError } from "../util/errors.js";
import { loadFile, saveFile } from "./file.js";

/** Anything with a PyTorch-style model state dict (nn.Module). */
export interface ModelLike {
  stateDict(): Record<string, Tensor>;
  loadStateDict(state: Record<string, Tensor>): unknown;
}

/** An optimizer state dict as PyTorch lays it out: per-parameter state, and the groups' settings. */
export interface OptimizerStateLike {
  state: Record<number, Record<string, Tensor | number>>;
  paramGroups: Record<string, unknown>[];
}

/** Anything with an optimizer state dict (optim.Optimizer). */
export interface OptimizerLike {
  stateDict(): OptimizerStateLike;
  loadStateDict(state: OptimizerStateLike): unknown;
}

/** Anything with a JSON-like state dict (a learning-rate scheduler). */
export interface SchedulerLike {
  stateDict(): Record<string, unknown>;
  loadStateDict(state: Record<string, unknown>): unknown;
}

/** What a checkpoint holds besides the objects it restores in place. */
export interface CheckpointInfo {
  epoch: number;
  step: number;
  extra: Record<string, unknown>;
  rngState: RngState;
  /** The model's tensors as saved (by state-dict key). */
  modelState: Record<string, Tensor>;
  /** The file's raw __metadata__. */
  metadata: Record<string, string>;
}

const FORMAT_KEY = "chainrule.checkpoint";
const FORMAT_VERSION = "1";
const MODEL = "model.";

/** A JSON-safe copy of `value`: tensors go to `tensors` under `path` and become {"$tensor": path}. */
function pack(value: unknown, path: string, tensors: Record<string, Tensor>): unknown {
  if (value instanceof Tensor) {
    Object.defineProperty(tensors, path, { value, enumerable: true });
    return { $tensor: path };
  }
  if (typeof value === "number" && !Number.isFinite(value)) return { $number: String(value) };
  if (Array.isArray(value)) return value.map((v, i) => pack(v, `${path}.${i}`, tensors));
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, pack(v, `${path}.${k}`, tensors)]));
  return value;
}

/** The inverse of pack. */
function unpack(value: unknown, tensors: Record<string, Tensor>): unknown {
  if (Array.isArray(value)) return value.map((v) => unpack(v, tensors));
  if (value === null || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1 && keys[0] === "$tensor") {
    const t = tensors[String(obj.$tensor)];
    if (!t)
      throw new ChainruleError(
        "loadCheckpoint",
        `the state refers to a missing tensor '${String(obj.$tensor)}'`,
      );
    return t;
  }
  if (keys.length === 1 && keys[0] === "$number") return Number(obj.$number);
  return Object.fromEntries(keys.map((k) => [k, unpack(obj[k], tensors)]));
}

/**
 * Saves a training checkpoint to `path` atomically (a crash leaves the previous checkpoint): the
 * model's state dict as tensors `model.<key>`, the optimizer's and scheduler's state dicts (tensors
 * as `optimizer.…`, the rest as JSON), the global RNG state, epoch, step and `extra` (JSON, tensors
 * allowed). A safetensors file: other readers see the tensors and the JSON strings.
 */
export function saveCheckpoint(
  path: string,
  opts: {
    model: ModelLike;
    optimizer?: OptimizerLike;
    scheduler?: SchedulerLike;
    epoch: number;
    step: number;
    extra?: Record<string, unknown>;
  },
): void {
  const tensors: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(opts.model.stateDict()))
    Object.defineProperty(tensors, MODEL + k, { value: t, enumerable: true });
  const json = (v: unknown, prefix: string): string => JSON.stringify(pack(v, prefix, tensors));
  const metadata: Record<string, string> = {
    [FORMAT_KEY]: FORMAT_VERSION,
    epoch: String(opts.epoch),
    step: String(opts.step),
    rng: JSON.stringify(getRngState()),
    extra: json(opts.extra ?? {}, "extra"),
  };
  if (opts.optimizer) metadata.optimizer = json(opts.optimizer.stateDict(), "optimizer");
  if (opts.scheduler) metadata.scheduler = json(opts.scheduler.stateDict(), "scheduler");
  saveFile(path, tensors, metadata);
}

function field(meta: Record<string, string>, key: string, path: string): unknown {
  const raw = meta[key];
  if (raw === undefined)
    throw new ChainruleError("loadCheckpoint", `${path} has no '${key}' entry in its metadata`);
  try {
    return JSON.parse(raw);
  } catch {
    throw new ChainruleError("loadCheckpoint", `${path}: metadata '${key}' is not valid JSON`);
  }
}

/**
 * Loads a checkpoint written by saveCheckpoint: restores the model (strictly: keys and shapes must
 * match), and the optimizer and scheduler when given (the file must hold their state), and, unless
 * `restoreRng` is false, the global RNG state, so that training resumed from here continues exactly
 * as the saved run would have. Returns epoch, step, extra and the raw metadata.
 */
export function loadCheckpoint(
  path: string,
  opts: {
    model?: ModelLike;
    optimizer?: OptimizerLike;
    scheduler?: SchedulerLike;
    restoreRng?: boolean;
  } = {},
): CheckpointInfo {
  const { tensors, metadata } = loadFile(path);
  if (metadata[FORMAT_KEY] !== FORMAT_VERSION)
    throw new ChainruleError(
      "loadCheckpoint",
      `${path} is not a chainrule checkpoint (no '${FORMAT_KEY}' metadata)`,
    );
  const modelState = Object.fromEntries(
    Object.entries(tensors)
      .filter(([k]) => k.startsWith(MODEL))
      .map(([k, t]) => [k.slice(MODEL.length), t]),
  );
  const epoch = Number(metadata.epoch);
  const step = Number(metadata.step);
  const rngState = field(metadata, "rng", path) as RngState;
  const extra = unpack(field(metadata, "extra", path), tensors) as Record<string, unknown>;
  opts.model?.loadStateDict(modelState);
  if (opts.optimizer)
    opts.optimizer.loadStateDict(unpack(field(metadata, "optimizer", path), tensors) as OptimizerStateLike);
  if (opts.scheduler)
    opts.scheduler.loadStateDict(
      unpack(field(metadata, "scheduler", path), tensors) as Record<string, unknown>,
    );
  if (opts.restoreRng ?? true) setRngState(rngState);
  return { epoch, step, extra, rngState, modelState, metadata };
}
