// Timing helpers for the overhead micro-benchmarks: warm up, then the median (and spread) of many runs,
// each run timing `inner` calls. Wall time (process.hrtime.bigint) and, because the machine these run
// on is shared and noisy, the process's CPU time (process.cpuUsage, all threads: GC helpers included).

export interface Timing {
  /** Median wall time of one call, in microseconds, with the 10th and 90th percentiles. */
  median: number;
  p10: number;
  p90: number;
  /** Median CPU time of one call, in microseconds. */
  cpu: number;
}

export function time(fn: () => void, opts: { warmup?: number; runs?: number; inner?: number } = {}): Timing {
  const { warmup = 200, runs = 51, inner = 20 } = opts;
  for (let i = 0; i < warmup; i++) fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < runs; r++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < inner; i++) fn();
    wall.push(Number(process.hrtime.bigint() - t0) / 1e3 / inner);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / inner);
  }
  const q = (xs: number[], p: number) =>
    xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
  return { median: q(wall, 0.5), p10: q(wall, 0.1), p90: q(wall, 0.9), cpu: q(cpu, 0.5) };
}

export function fmt(t: Timing, unit = "µs", digits = 1): string {
  const f = (x: number) => x.toFixed(digits);
  return `${f(t.median)} ${unit} wall (p10 ${f(t.p10)}, p90 ${f(t.p90)}), ${f(t.cpu)} ${unit} cpu`;
}
