// File loggers for fit(): JsonLinesLogger (one JSON object per epoch) and CsvLogger (a header row, then
// one row per epoch). Node only: they append line by line so a crash loses little; node:fs is looked up
// when they run, so bundling chainrule for a browser needs no stubs.
import { builtin } from "../io/node.js";
import type { Callback, EpochLogs } from "./callback.js";

const fs = () => builtin("node:fs", "logger");

function prepare(path: string, append: boolean): void {
  fs().mkdirSync(builtin("node:path", "logger").dirname(path), { recursive: true });
  if (!append || !fs().existsSync(path)) fs().writeFileSync(path, "");
}

/** A JSON number, with non-finite values as strings ("NaN", "Infinity") since JSON has none. */
function jsonValue(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

/**
 * Appends each epoch's logs to `path` as one JSON object per line (JSON Lines), e.g.
 * `{"epoch":1,"loss":0.31,"accuracy":0.91,"val_loss":0.2,…}`. The file is emptied when training
 * begins unless `append` (for resumed runs).
 */
export class JsonLinesLogger implements Callback {
  constructor(
    readonly path: string,
    readonly opts: { append?: boolean } = {},
  ) {}

  onTrainBegin(): void {
    prepare(this.path, this.opts.append ?? false);
  }

  onEpochEnd(_epoch: number, logs: EpochLogs): void {
    const row = Object.fromEntries(Object.entries(logs).map(([k, v]) => [k, jsonValue(v)]));
    fs().appendFileSync(this.path, `${JSON.stringify(row)}\n`);
  }
}

/**
 * Writes each epoch's logs to `path` as CSV: a header of the first epoch's keys, then one row per
 * epoch in that column order (a key missing from an epoch leaves its cell empty). With `append`, an
 * existing file keeps its rows and header.
 */
export class CsvLogger implements Callback {
  #columns: string[] | null = null;

  constructor(
    readonly path: string,
    readonly opts: { append?: boolean; separator?: string } = {},
  ) {}

  onTrainBegin(): void {
    const append = this.opts.append ?? false;
    this.#columns = null;
    if (append && fs().existsSync(this.path)) {
      const header = fs().readFileSync(this.path, "utf8").split("\n")[0];
      if (header) this.#columns = header.split(this.opts.separator ?? ",");
    }
    prepare(this.path, append);
  }

  onEpochEnd(_epoch: number, logs: EpochLogs): void {
    const sep = this.opts.separator ?? ",";
    if (!this.#columns) {
      this.#columns = Object.keys(logs);
      fs().appendFileSync(this.path, `${this.#columns.join(sep)}\n`);
    }
    const row = this.#columns.map((k) => (logs[k] === undefined ? "" : String(logs[k])));
    fs().appendFileSync(this.path, `${row.join(sep)}\n`);
  }
}
