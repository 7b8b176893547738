// Shared by the commands: the backend choice, the metadata a CLI checkpoint carries (config, model
// architecture, data info) and reading it back with clear errors, and number formatting.
import { existsSync } from "node:fs";
import * as cr from "../src/index.js";
import { CliError, UsageError } from "./args.js";
import { resolveConfig, type TrainConfig } from "./config.js";
import type { DataInfo } from "./data.js";
import { parseModelSpec, type ModelSpec } from "./model.js";

/** Selects the backend: a registered name, or "auto" (native if registered, then wasm, then cpu). */
export function chooseBackend(name: string | undefined): string {
  const available = cr.listBackends();
  if (name === undefined || name === "auto") {
    const pick = ["native", "wasm"].find((b) => available.includes(b));
    if (pick) cr.setBackend(pick);
    return cr.getBackend();
  }
  if (!available.includes(name))
    throw new UsageError(`--backend must be auto or one of ${available.join(", ")}; got '${name}'`);
  cr.setBackend(name);
  return name;
}

/** What `chainrule train` stores in a checkpoint's extra, besides the history. */
export interface CheckpointMeta {
  format: "chainrule-cli/1";
  config: TrainConfig;
  model: ModelSpec;
  data: DataInfo;
  test?: Record<string, number>;
}

/** A CLI checkpoint read back: its meta, epoch, history and the raw info. */
export interface ReadCheckpoint {
  meta: CheckpointMeta;
  epoch: number;
  history: cr.train.EpochLogs[];
  info: cr.io.CheckpointInfo;
}

/** Reads a checkpoint's metadata (restoring nothing); missing files and foreign files are CliErrors. */
export function readCheckpoint(path: string): ReadCheckpoint {
  if (!existsSync(path)) throw new CliError(`checkpoint ${path} does not exist`);
  const info = cr.io.loadCheckpoint(path, { restoreRng: false });
  const extra = info.extra as Partial<CheckpointMeta> & { history?: unknown };
  if (extra.format !== "chainrule-cli/1" || typeof extra.config !== "object" || extra.config === null)
    throw new CliError(
      `${path} is a checkpoint without a model configuration (not written by chainrule train)`,
    );
  const config = resolveConfig(new Map(), extra.config as unknown as Record<string, unknown>, path);
  const model = parseModelSpec(extra.model, path);
  const data = extra.data as DataInfo | undefined;
  if (!data || (data.task !== "classification" && data.task !== "regression"))
    throw new CliError(`${path} does not say what data its model was trained on`);
  const history = Array.isArray(extra.history) ? (extra.history as cr.train.EpochLogs[]) : [];
  return {
    meta: { format: "chainrule-cli/1", config, model, data, test: extra.test },
    epoch: info.epoch,
    history,
    info,
  };
}

/** "12,345" */
export function grouped(n: number): string {
  return n.toLocaleString("en-US");
}

/** A metric for people: accuracy-like values as percentages, others with 4 decimals. */
export function showMetric(key: string, v: number): string {
  return /accuracy|top\d|precision|recall|f1/.test(key) ? `${(100 * v).toFixed(2)}%` : v.toFixed(4);
}

/** The metrics fit() tracks for a task. */
export function metricsFor(task: DataInfo["task"]): string[] {
  return task === "classification" ? ["accuracy"] : ["mae", "r2"];
}
