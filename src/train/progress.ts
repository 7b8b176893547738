// ProgressLogger, the callback fit() adds for `verbose`: on a terminal a live bar per epoch (loss,
// metrics, samples/s, ETA), redrawn in place at most ~10 times a second; elsewhere one line per epoch.
import type { BatchLogs, Callback, EpochLogs, TrainContext } from "./callback.js";

/** Where text goes: process.stdout, or anything with write() (isTTY and columns are read if present). */
export interface TextStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** A number as progress lines print it: 4 decimals, fewer for large values, exponent for tiny rates. */
export function formatValue(key: string, v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (key === "lr" || key.endsWith("_lr")) return v.toExponential(2);
  if (key === "time") return `${v.toFixed(1)}s`;
  if (key === "samplesPerSec") return `${Math.round(v)} samples/s`;
  return Math.abs(v) >= 1000 ? v.toFixed(1) : v.toFixed(4);
}

/** Seconds as "42s", "3m05s" or "1h02m". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

function defaultStream(): TextStream | undefined {
  const proc = (globalThis as { process?: { stdout?: TextStream } }).process;
  return proc?.stdout;
}

/** The epoch's summary line: "Epoch 3/15  loss 0.1234  accuracy 0.9612  val_loss … lr 1.00e-3  4.2s  1905 samples/s". */
export function epochLine(logs: EpochLogs, epochs: number): string {
  const width = String(epochs).length;
  const parts = [`Epoch ${String(logs.epoch).padStart(width)}/${epochs}`];
  for (const [k, v] of Object.entries(logs)) {
    if (k === "epoch") continue;
    parts.push(k === "time" || k === "samplesPerSec" ? formatValue(k, v) : `${k} ${formatValue(k, v)}`);
  }
  return parts.join("  ");
}

/**
 * Prints training progress. `live: "auto"` (default) draws a bar when the stream is a terminal and
 * falls back to one line per epoch otherwise; `live: false` always prints plain lines.
 */
export class ProgressLogger implements Callback {
  readonly stream: TextStream | undefined;
  readonly live: boolean;
  #epochStart = 0;
  #lastDraw = 0;
  #epoch = 0;

  constructor(opts: { stream?: TextStream; live?: "auto" | boolean } = {}) {
    this.stream = opts.stream ?? defaultStream();
    const live = opts.live ?? "auto";
    this.live = live === "auto" ? this.stream?.isTTY === true : live;
  }

  onEpochBegin(epoch: number): void {
    this.#epoch = epoch;
    this.#epochStart = performance.now();
    this.#lastDraw = 0;
  }

  onBatchEnd(logs: BatchLogs, ctx: TrainContext): void {
    if (!this.live || !this.stream) return;
    const now = performance.now();
    const done = logs.batch + 1;
    if (now - this.#lastDraw < 100 && done < ctx.stepsPerEpoch) return;
    this.#lastDraw = now;
    const elapsed = (now - this.#epochStart) / 1000;
    const total = ctx.stepsPerEpoch;
    const barWidth = 24;
    const filled = Math.min(barWidth, Math.round((barWidth * done) / total));
    const metrics = Object.entries(logs.metrics).map(([k, v]) => `${k} ${formatValue(k, v)}`);
    const line = [
      `Epoch ${this.#epoch + 1}/${ctx.epochs}`,
      `[${"█".repeat(filled)}${"░".repeat(barWidth - filled)}] ${done}/${total}`,
      `loss ${formatValue("loss", logs.loss)}`,
      ...metrics,
      `${Math.round(logs.samples / Math.max(elapsed, 1e-9))} samples/s`,
      `ETA ${formatDuration((elapsed / done) * (total - done))}`,
    ].join("  ");
    const cols = this.stream.columns ?? 0;
    this.stream.write(`\r\x1b[K${cols > 1 ? line.slice(0, cols - 1) : line}`);
  }

  onEpochEnd(_epoch: number, logs: EpochLogs, ctx: TrainContext): void {
    if (!this.stream) return;
    this.stream.write(`${this.live ? "\r\x1b[K" : ""}${epochLine(logs, ctx.epochs)}\n`);
  }
}
