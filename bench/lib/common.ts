// Shared by the bench runner and its engine workers: the job a worker gets, seeded inputs in raw files,
// adaptive timing (warm-up, then enough repetitions for a stable median) and the result line.
import fs from "node:fs";
import path from "node:path";

export type Workload = "W1" | "W2" | "W3" | "W4";

/** What one worker process runs: one engine configuration on one workload group. */
export interface Job {
  workload: Workload;
  dir: string; // where the inputs (and references) live as raw little-endian float32 files
  threads: number;
  engine: string; // engine-specific: 'cpu' | 'native' for chainrule, 'cpu' | 'wasm' for tfjs, …
  sizes: number[]; // W1: matrix sizes; W4: batch sizes
  quick: boolean;
}

export interface Timing {
  median: number; // seconds per call
  p10: number;
  p90: number;
  n: number;
}

export interface Measurement {
  name: string; // e.g. 'n=512', 'batch=1', 'sgd', 'adam', 'step'
  timing?: Timing;
  skipped?: string;
  check?: number[]; // values the runner compares across engines (outputs or losses)
  extra?: Record<string, number>;
}

export interface WorkerResult {
  engine: string;
  version: string;
  measurements: Measurement[];
  peakRssMb: number;
}

export const MLP = [784, 512, 256, 10];
export const XOR = [2, 8, 1];
export const TRAIN_BATCH = 128;

/** mulberry32 → uniform [0,1); the runner draws every input from it so that all engines see the same. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function writeF32(dir: string, name: string, data: Float32Array): void {
  fs.writeFileSync(
    path.join(dir, `${name}.f32`),
    new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  );
}

export function readF32(dir: string, name: string): Float32Array {
  const b = fs.readFileSync(path.join(dir, `${name}.f32`));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** Layer i of an MLP in PyTorch's layout: w [out, in], b [out]. */
export function layer(dir: string, prefix: string, i: number, sizes: number[]) {
  return {
    w: readF32(dir, `${prefix}_w${i}`),
    b: readF32(dir, `${prefix}_b${i}`),
    out: sizes[i + 1],
    in: sizes[i],
  };
}

function summarize(samples: number[]): Timing {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
  return { median: q(0.5), p10: q(0.1), p90: q(0.9), n: s.length };
}

/**
 * Times `fn` (sync, or async when it returns a promise): warm-up calls for at least `warmupTime` seconds
 * (and `warmup` calls), so that the JIT has compiled the hot paths, then samples of `inner` calls each
 * until `budget` seconds or `maxSamples`; `inner` is sized from the warm calls so that a sample lasts
 * ≥ 2 ms. A call slower than `tooSlow` seconds is timed once.
 */
export async function measure(
  fn: () => unknown,
  opts: {
    warmup?: number;
    warmupTime?: number;
    budget?: number;
    minSamples?: number;
    maxSamples?: number;
    tooSlow?: number;
  } = {},
): Promise<Timing> {
  const { warmup = 3, budget = 3, minSamples = 5, maxSamples = 41, tooSlow = 5 } = opts;
  const warmupTime = opts.warmupTime ?? Math.min(1, budget / 3);
  let t0 = performance.now();
  const r = fn();
  const isAsync = r instanceof Promise;
  if (isAsync) await r;
  const first = (performance.now() - t0) / 1e3;
  if (first > tooSlow) return summarize([first]);
  const run = isAsync
    ? async (k: number) => {
        for (let i = 0; i < k; i++) await fn();
      }
    : (k: number) => {
        for (let i = 0; i < k; i++) fn();
      };
  // Warm up in growing rounds; the last round's mean is the per-call estimate.
  let perCall = first;
  let calls = 1;
  const warmStart = performance.now();
  for (let k = 1; calls < warmup || (performance.now() - warmStart) / 1e3 < warmupTime; k *= 2) {
    t0 = performance.now();
    await run(k);
    perCall = (performance.now() - t0) / 1e3 / k;
    calls += k;
  }
  const inner = Math.max(1, Math.ceil(0.002 / Math.max(perCall, 1e-7)));
  const samples: number[] = [];
  const start = performance.now();
  while (
    samples.length < maxSamples &&
    (samples.length < minSamples || (performance.now() - start) / 1e3 < budget)
  ) {
    t0 = performance.now();
    await run(inner);
    samples.push((performance.now() - t0) / 1e3 / inner);
  }
  return summarize(samples);
}

/**
 * Peak RSS of this process from /proc (VmHWM): getrusage's maxrss would carry over the parent's peak,
 * which Linux keeps across fork and exec.
 */
export function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
}

export function currentRssMb(): number {
  return process.memoryUsage().rss / 1024 / 1024;
}

/** Workers answer on stdout with one line; everything else they print is ignored. */
export function emit(result: WorkerResult): void {
  console.log(`RESULT ${JSON.stringify(result)}`);
}

export function parseJob(): Job {
  return JSON.parse(process.argv[2]) as Job;
}

/** Relative Frobenius error of `a` against the reference `ref` (the agreement check before timing). */
export function relErr(a: ArrayLike<number>, ref: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < ref.length; i++) {
    num += (a[i] - ref[i]) ** 2;
    den += ref[i] ** 2;
  }
  return Math.sqrt(num / den);
}
