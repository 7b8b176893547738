// The training configuration of `chainrule train`: its keys (each one a --flag and a JSON key), the
// per-dataset defaults, and the merge defaults < --config file < flags with every value checked.
import { readFileSync } from "node:fs";
import {
  CliError,
  UsageError,
  suggest,
  toChoice,
  toInt,
  toIntList,
  toNonNegative,
  toPositive,
  toRange,
  type Flag,
} from "./args.js";

export const DATASETS = ["mnist", "iris", "xor", "moons", "circles", "spirals", "blobs", "csv"] as const;
export const ACTIVATIONS = [
  "relu",
  "leaky-relu",
  "elu",
  "gelu",
  "tanh",
  "sigmoid",
  "silu",
  "mish",
  "softplus",
] as const;
export const LOSSES = ["cross-entropy", "mse", "l1", "huber", "smooth-l1"] as const;
export const OPTIMIZERS = ["sgd", "adam", "adamw", "rmsprop", "adagrad"] as const;
export const SCHEDULES = ["none", "step", "cosine", "onecycle", "plateau"] as const;

/** The synthetic 2-D datasets (they take --samples and --noise). */
export const SYNTHETIC: readonly DatasetName[] = ["xor", "moons", "circles", "spirals", "blobs"];

export type DatasetName = (typeof DATASETS)[number];
export type Activation = (typeof ACTIVATIONS)[number];
export type LossName = (typeof LOSSES)[number];
export type OptimizerName = (typeof OPTIMIZERS)[number];
export type ScheduleName = (typeof SCHEDULES)[number];

/** Everything `chainrule train` needs; saved into the checkpoint so eval/predict/resume can rebuild it. */
export interface TrainConfig {
  dataset: DatasetName;
  data: string | null;
  target: string | null;
  samples: number;
  noise: number;
  layers: number[];
  activation: Activation;
  dropout: number;
  batchNorm: boolean;
  loss: LossName | null;
  optimizer: OptimizerName;
  lr: number;
  momentum: number;
  weightDecay: number;
  schedule: ScheduleName;
  epochs: number;
  batchSize: number;
  seed: number;
  valSplit: number;
  testSplit: number;
  earlyStop: number;
  out: string;
  report: boolean;
}

type Key = keyof TrainConfig;

interface KeySpec {
  value?: string;
  help: string;
  parse: (what: string, raw: unknown) => unknown;
}

const bool = (what: string, raw: unknown): boolean => {
  if (raw === true || raw === "true") return true;
  if (raw === false || raw === "false") return false;
  throw new UsageError(`${what} must be true or false, got ${JSON.stringify(raw)}`);
};
const str = (what: string, raw: unknown): string => {
  if (typeof raw !== "string" || raw === "") throw new UsageError(`${what} must be a non-empty string`);
  return raw;
};

const openFraction = (what: string, raw: unknown): number => {
  const v = toRange(what, raw, 0, 1);
  if (v === 0) throw new UsageError(`${what} must be in (0, 1), got ${JSON.stringify(raw)}`);
  return v;
};

const SPECS: Record<Key, KeySpec> = {
  dataset: {
    value: "NAME",
    help: `${DATASETS.join("|")} (default mnist)`,
    parse: (w, r) => toChoice(w, r, DATASETS),
  },
  data: { value: "FILE", help: "CSV file for --dataset csv", parse: str },
  target: {
    value: "COLUMN",
    help: "target column of the CSV (labels: classification; numbers: regression)",
    parse: str,
  },
  samples: {
    value: "N",
    help: "points of a synthetic 2-D dataset (default 1000)",
    parse: (w, r) => toInt(w, r, 4),
  },
  noise: { value: "X", help: "noise of a synthetic dataset (default depends on it)", parse: toNonNegative },
  layers: { value: "LIST", help: "hidden layer sizes, e.g. 512,256 ('' for none)", parse: toIntList },
  activation: { value: "NAME", help: ACTIVATIONS.join("|"), parse: (w, r) => toChoice(w, r, ACTIVATIONS) },
  dropout: {
    value: "P",
    help: "dropout after each hidden layer, in [0, 1)",
    parse: (w, r) => toRange(w, r, 0, 1),
  },
  batchNorm: { help: "batch normalization after each hidden layer", parse: bool },
  loss: {
    value: "NAME",
    help: `${LOSSES.join("|")} (default: by task)`,
    parse: (w, r) => toChoice(w, r, LOSSES),
  },
  optimizer: {
    value: "NAME",
    help: `${OPTIMIZERS.join("|")} (default adam)`,
    parse: (w, r) => toChoice(w, r, OPTIMIZERS),
  },
  lr: { value: "X", help: "learning rate (> 0)", parse: toPositive },
  momentum: {
    value: "X",
    help: "momentum of sgd and rmsprop, in [0, 1)",
    parse: (w, r) => toRange(w, r, 0, 1),
  },
  weightDecay: { value: "X", help: "weight decay (L2; decoupled for adamw)", parse: toNonNegative },
  schedule: {
    value: "NAME",
    help: `LR schedule: ${SCHEDULES.join("|")} (default cosine for mnist, else none)`,
    parse: (w, r) => toChoice(w, r, SCHEDULES),
  },
  epochs: { value: "N", help: "epochs to train (≥ 1)", parse: (w, r) => toInt(w, r, 1) },
  batchSize: { value: "N", help: "samples per batch (≥ 1)", parse: (w, r) => toInt(w, r, 1) },
  seed: {
    value: "N",
    help: "seed of init, shuffles, splits and dropout (default 0)",
    parse: (w, r) => toInt(w, r, 0),
  },
  valSplit: {
    value: "F",
    help: "fraction of the training data held out for validation (default 0)",
    parse: (w, r) => toRange(w, r, 0, 1),
  },
  testSplit: {
    value: "F",
    help: "fraction held out as the test set (default 0.2: MNIST's 2,000 of 10,000)",
    parse: openFraction,
  },
  earlyStop: {
    value: "N",
    help: "stop after N epochs without val_loss improvement (needs --val-split; 0 off)",
    parse: (w, r) => toInt(w, r, 0),
  },
  out: { value: "DIR", help: "output folder: checkpoint, logs, report (default out)", parse: str },
  report: { help: "write report.html (default true; --no-report to skip)", parse: bool },
};

/** The kebab-case flag of a config key: batchSize → batch-size. */
export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The train command's flags: one per config key, plus --config, --no-report, --backend and --quiet. */
export const TRAIN_FLAGS: Flag[] = [
  {
    name: "config",
    value: "FILE",
    help: "JSON file of settings (keys as below in camelCase); flags override it",
  },
  ...(Object.keys(SPECS) as Key[])
    .filter((k) => k !== "report")
    .map((k) => ({ name: flagName(k), value: SPECS[k].value, help: SPECS[k].help })),
  { name: "no-report", help: "do not write report.html" },
];

interface Defaults {
  layers: number[];
  schedule: ScheduleName;
  epochs: number;
  batchSize: number;
  lr: number;
  dropout: number;
  noise: number;
}

/** Per-dataset defaults: the MNIST MLP of the main job, small nets for the 2-D sets and tabular data. */
const DATASET_DEFAULTS: Record<DatasetName, Defaults> = {
  mnist: {
    layers: [512, 256],
    schedule: "cosine",
    epochs: 15,
    batchSize: 64,
    lr: 1e-3,
    dropout: 0.2,
    noise: 0,
  },
  iris: { layers: [16], schedule: "none", epochs: 60, batchSize: 16, lr: 1e-2, dropout: 0, noise: 0 },
  xor: { layers: [16, 16], schedule: "none", epochs: 40, batchSize: 32, lr: 1e-2, dropout: 0, noise: 0.05 },
  moons: { layers: [16, 16], schedule: "none", epochs: 40, batchSize: 32, lr: 1e-2, dropout: 0, noise: 0.2 },
  circles: {
    layers: [16, 16],
    schedule: "none",
    epochs: 40,
    batchSize: 32,
    lr: 1e-2,
    dropout: 0,
    noise: 0.1,
  },
  spirals: {
    layers: [64, 64],
    schedule: "none",
    epochs: 100,
    batchSize: 32,
    lr: 1e-2,
    dropout: 0,
    noise: 0.05,
  },
  blobs: { layers: [16], schedule: "none", epochs: 20, batchSize: 32, lr: 1e-2, dropout: 0, noise: 1 },
  csv: { layers: [64, 64], schedule: "none", epochs: 50, batchSize: 32, lr: 1e-3, dropout: 0, noise: 0 },
};

export function defaultConfig(dataset: DatasetName): TrainConfig {
  const d = DATASET_DEFAULTS[dataset];
  return {
    dataset,
    data: null,
    target: null,
    samples: 1000,
    activation: "relu",
    batchNorm: false,
    loss: null,
    optimizer: "adam",
    momentum: 0,
    weightDecay: 0,
    seed: 0,
    valSplit: 0,
    testSplit: 0.2,
    earlyStop: 0,
    out: "out",
    report: true,
    ...d,
  };
}

/** The JSON object of a --config file, with readable errors. */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(
      `cannot read config file ${path}: ${code === "ENOENT" ? "no such file" : (e as Error).message}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`config file ${path} is not valid JSON: ${(e as Error).message}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
    throw new UsageError(`config file ${path} must hold a JSON object of settings`);
  return parsed as Record<string, unknown>;
}

/** Merges defaults < file < flags, checking every value; throws UsageError naming the key or flag. */
export function resolveConfig(
  flags: Map<string, string>,
  file: Record<string, unknown>,
  fileName: string,
): TrainConfig {
  const keys = Object.keys(SPECS) as Key[];
  for (const k of Object.keys(file))
    if (!(keys as string[]).includes(k))
      throw new UsageError(`${fileName}: unknown key '${k}'${suggest(k, keys, "")}`);
  const raw: Partial<Record<Key, { value: unknown; what: string }>> = {};
  for (const k of keys)
    if (file[k] !== undefined && file[k] !== null) raw[k] = { value: file[k], what: `${fileName}: '${k}'` };
  for (const k of keys) {
    const flag = flagName(k);
    if (flags.has(flag)) raw[k] = { value: flags.get(flag), what: `--${flag}` };
  }
  if (flags.has("no-report")) raw.report = { value: false, what: "--no-report" };
  const parsed: Partial<Record<Key, unknown>> = {};
  for (const k of keys) {
    const r = raw[k];
    if (r !== undefined) parsed[k] = SPECS[k].parse(r.what, r.value);
  }
  const config = {
    ...defaultConfig((parsed.dataset as DatasetName | undefined) ?? "mnist"),
    ...parsed,
  } as TrainConfig;
  crossCheck(config, (k) => raw[k]?.what);
  return config;
}

/** Checks between keys (a CSV needs --data and --target, early stopping needs validation data, …). */
function crossCheck(c: TrainConfig, given: (k: Key) => string | undefined): void {
  const synthetic = SYNTHETIC.includes(c.dataset);
  const defaults = defaultConfig(c.dataset);
  // A key that does not apply is refused unless it holds the default (saved configs list every key).
  const only = (k: Key, ok: boolean, where: string): void => {
    const what = given(k);
    if (what !== undefined && !ok && c[k] !== defaults[k])
      throw new UsageError(`${what} is only for ${where}, not --dataset ${c.dataset}`);
  };
  if (c.dataset === "csv" && (c.data === null || c.target === null))
    throw new UsageError("--dataset csv needs --data FILE and --target COLUMN");
  only("data", c.dataset === "csv", "--dataset csv");
  only("target", c.dataset === "csv", "--dataset csv");
  only("samples", synthetic, "the synthetic 2-D datasets");
  only("noise", synthetic, "the synthetic 2-D datasets");
  if (c.earlyStop > 0 && c.valSplit === 0)
    throw new UsageError(
      `${given("earlyStop")} watches val_loss: give --val-split too (e.g. --val-split 0.1)`,
    );
  if (c.momentum > 0 && c.optimizer !== "sgd" && c.optimizer !== "rmsprop")
    throw new UsageError(`${given("momentum")} applies to sgd and rmsprop, not ${c.optimizer}`);
  if (c.valSplit + c.testSplit >= 1)
    throw new UsageError("--val-split and --test-split leave no training data");
}
