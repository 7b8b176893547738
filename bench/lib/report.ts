// The bench runner's report: checks that every engine computed the same thing, then Markdown tables of
// medians (± half the p10–p90 spread), chainrule-native's speed relative to each anchor at the same
// thread count, and memory (peak RSS, RSS after 1,000 and 10,000 XOR steps).
import type { Measurement, WorkerResult, Workload } from "./common.js";

export interface Config {
  id: string;
  engine: string;
  threads: number;
  cmd: string[];
  workloads: Workload[];
  unavailable?: string;
}

export interface Run {
  config: string;
  workload: Workload;
  result: WorkerResult | string;
}

export interface Check {
  workload: Workload;
  config: string;
  row: string;
  ok: boolean;
  detail: string;
}

const ok = (r: Run): r is Run & { result: WorkerResult } => typeof r.result !== "string";

/** Outputs against the float64 reference (W1, W4); training losses against PyTorch's, else chainrule-cpu's. */
export function agreement(runs: Run[]): Check[] {
  const checks: Check[] = [];
  for (const workload of ["W1", "W2", "W3", "W4"] as Workload[]) {
    const mine = runs.filter((r) => r.workload === workload && ok(r)) as (Run & { result: WorkerResult })[];
    const ref = mine.find((r) => r.config === "pytorch/1t") ?? mine.find((r) => r.config === "chainrule-cpu");
    for (const r of mine)
      for (const m of r.result.measurements) {
        if (m.extra?.err !== undefined) {
          const good = m.extra.err < 1e-4;
          checks.push({ workload, config: r.config, row: m.name, ok: good, detail: `rel. error ${m.extra.err.toExponential(1)} vs float64` }); // prettier-ignore
        } else if (m.check && ref && r !== ref) {
          const want = ref.result.measurements.find((x) => x.name === m.name)?.check ?? [];
          const diff = Math.max(...m.check.map((v, i) => Math.abs(v - want[i]) / Math.abs(want[i])));
          checks.push({ workload, config: r.config, row: m.name, ok: diff < 1e-4, detail: `losses of 5 steps within ${diff.toExponential(1)} of ${ref.config}` }); // prettier-ignore
        }
      }
  }
  return checks;
}

interface Metric {
  value: number;
  unit: string;
  time: number; // seconds per call, for ratios
}

function metric(workload: Workload, m: Measurement): Metric | null {
  if (!m.timing) return null;
  const t = m.timing.median;
  if (workload === "W1") return { value: m.extra!.gflops, unit: "GFLOP/s", time: t };
  if (workload === "W3" || (workload === "W4" && m.name === "batch=1"))
    return { value: t * 1e6, unit: "µs", time: t };
  return { value: m.extra!.samplesPerS, unit: "samples/s", time: t };
}

const fmt = (v: number): string =>
  v >= 1000 ? Math.round(v).toLocaleString("en-US") : v >= 100 ? v.toFixed(0) : v.toFixed(1);

function cell(workload: Workload, r: Run | undefined, row: string, checks: Check[]): string {
  if (!r) return "";
  if (typeof r.result === "string") return r.result.startsWith("skipped") ? "n/a" : "failed";
  const m = r.result.measurements.find((x) => x.name === row);
  if (!m) return "";
  if (m.skipped) return "—";
  const v = metric(workload, m);
  if (!v || !m.timing) return "";
  const spread =
    m.timing.n > 1 ? ` ±${(((m.timing.p90 - m.timing.p10) / 2 / m.timing.median) * 100).toFixed(0)}%` : "";
  const bad = checks.some((c) => c.config === r.config && c.workload === workload && c.row === row && !c.ok);
  return `${fmt(v.value)}${spread}${bad ? " ✗" : ""}`;
}

const TITLES: Record<Workload, string> = {
  W1: "W1 — f32 matmul n×n, GFLOP/s (higher is better)",
  W2: "W2 — MLP 784-512-256-10 training, batch 128, samples/s (higher is better)",
  W3: "W3 — XOR 2-8-1 training step (SGD), µs (lower is better)",
  W4: "W4 — MLP 784-512-256-10 inference: batch 1 latency µs (lower), batch 256 samples/s (higher)",
};

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

function rowsOf(runs: Run[]): string[] {
  const names: string[] = [];
  for (const r of runs)
    if (ok(r)) for (const m of r.result.measurements) if (!names.includes(m.name)) names.push(m.name);
  return names;
}

// Speed-up of each chainrule-native configuration over each anchor at the same thread count (time ratio).
function ratios(workload: Workload, runs: Run[], cfgs: Config[]): string {
  const threadsOf = (id: string) => cfgs.find((c) => c.id === id)?.threads ?? 1;
  const natives = runs.filter((r) => r.config.startsWith("chainrule-native") && ok(r));
  const anchors = runs.filter((r) => /^(pytorch|onnxruntime|tfjs)/.test(r.config) && ok(r));
  const pairs = natives.flatMap((n) =>
    anchors.filter((a) => threadsOf(a.config) === threadsOf(n.config)).map((a) => [n, a] as const),
  );
  if (pairs.length === 0) return "";
  const timeOf = (r: Run, row: string) => {
    const m = ok(r) ? r.result.measurements.find((x) => x.name === row) : undefined;
    return m ? metric(workload, m)?.time : undefined;
  };
  const rows = rowsOf(runs).map((row) => [
    row,
    ...pairs.map(([n, a]) => {
      const [tn, ta] = [timeOf(n, row), timeOf(a, row)];
      return tn && ta ? `${(ta / tn).toFixed(2)}×` : "";
    }),
  ]);
  const header = ["speed-up", ...pairs.map(([n, a]) => `${n.config} vs ${a.config}`)];
  return `\nchainrule-native's speed-up over each anchor (>1× = faster):\n\n${table(header, rows)}`;
}

function memory(runs: Run[]): string {
  const rows = runs.filter(ok).flatMap((r) => {
    if (r.workload !== "W2" && r.workload !== "W3") return [];
    const x = r.result.measurements[0]?.extra ?? {};
    const flat = x.rss1k ? `${fmt(x.rss1k)} → ${fmt(x.rss10k)} (${(((x.rss10k - x.rss1k) / x.rss1k) * 100).toFixed(1)}%)` : ""; // prettier-ignore
    return [[r.workload, r.config, fmt(r.result.peakRssMb), flat]];
  });
  return table(["workload", "engine", "peak RSS MB", "RSS MB after 1k → 10k steps"], rows);
}

export function renderTables(runs: Run[], cfgs: Config[], checks: Check[]): string {
  const parts: string[] = [];
  for (const workload of ["W1", "W2", "W3", "W4"] as Workload[]) {
    const mine = runs.filter((r) => r.workload === workload);
    if (mine.length === 0) continue;
    const header = ["", ...mine.map((r) => r.config)];
    const rows = rowsOf(mine).map((row) => [row, ...mine.map((r) => cell(workload, r, row, checks))]);
    parts.push(`### ${TITLES[workload]}\n\n${table(header, rows)}${ratios(workload, mine, cfgs)}`);
  }
  parts.push(`### Memory\n\n${memory(runs)}`);
  const versions = [...new Map(runs.filter(ok).map((r) => [r.config, r.result.version])).entries()];
  parts.push(`### Engines\n\n${versions.map(([id, v]) => `- ${id}: ${v}`).join("\n")}`);
  const notes = runs.filter((r) => !ok(r)).map((r) => `- ${r.workload} ${r.config}: ${r.result}`);
  const bad = checks.filter((c) => !c.ok).map((c) => `- ✗ ${c.workload} ${c.config} ${c.row}: ${c.detail}`);
  if (notes.length + bad.length > 0) parts.push(`### Notes\n\n${[...bad, ...notes].join("\n")}`);
  parts.push("— = skipped (one call takes > 10 s); ✗ = output disagreed with the reference (see Notes).");
  return parts.join("\n\n");
}
