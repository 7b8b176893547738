// Loading the native addon fixes glibc's mmap/trim thresholds (addon.cc TuneMalloc) so that op outputs
// freed in batches by V8's collector stay mapped instead of faulting their pages in again on the next
// allocation; a process that sets its own malloc tunables, or CHAINRULE_MALLOC=default, keeps glibc's.
// Page faults are counts, not timings: the kernel takes one per fresh page touched.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { nativeBackend } from "../../src/backend/native/index.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
const glibc = process.platform === "linux" && Boolean(report?.header?.glibcVersionRuntime);

/** Runs a script in a fresh Node with `env` added; returns its parsed stdout. */
function run(script: string, env: Record<string, string>): unknown {
  const file = path.join(os.tmpdir(), `chainrule-malloc-${process.pid}-${Math.random()}.mts`);
  fs.writeFileSync(file, script);
  try {
    const args = ["--import", "tsx", file];
    const p = spawnSync(process.execPath, args, {
      cwd: root,
      env: { ...process.env, ...env },
      encoding: "utf8",
    });
    expect(p.stderr).toBe("");
    return JSON.parse(p.stdout);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

const tunedScript = `import { nativeMallocTuned } from ${JSON.stringify(path.join(root, "src/backend/native/index.ts"))};
console.log(JSON.stringify(nativeMallocTuned()));`;

// 300 products with 1 MiB outputs on 2 threads, left to the collector as in any training or benchmark
// loop: page faults per product after a warm-up (measured: 3-9 tuned; glibc's dynamic thresholds give
// the batch-freed memory back to the kernel, and the outputs fault in again).
const churnScript = `import * as cr from ${JSON.stringify(path.join(root, "src/index.ts"))};
cr.setBackend("native");
cr.setNumThreads(2);
const [a, b] = [cr.randn([512, 512]), cr.randn([512, 512])];
for (let i = 0; i < 50; i++) a.matmul(b);
const f0 = process.resourceUsage().minorPageFault;
for (let i = 0; i < 300; i++) a.matmul(b);
console.log(JSON.stringify((process.resourceUsage().minorPageFault - f0) / 300));`;

describe.skipIf(nativeBackend === null || !glibc)("malloc tuning by the native backend", () => {
  it("is on by default, off with CHAINRULE_MALLOC=default or the process's own tunables", () => {
    const clean = { GLIBC_TUNABLES: "", CHAINRULE_MALLOC: "" };
    expect(run(tunedScript, clean)).toBe(true);
    expect(run(tunedScript, { ...clean, CHAINRULE_MALLOC: "default" })).toBe(false);
    expect(run(tunedScript, { ...clean, GLIBC_TUNABLES: "glibc.malloc.trim_threshold=1000000" })).toBe(false);
    expect(run(tunedScript, { ...clean, MALLOC_TRIM_THRESHOLD_: "1000000" })).toBe(false);
  }, 60_000);

  // Tuned: 0-20 measured, under load too. With glibc's defaults the count depends on when the collector's
  // sweeper frees (33-420 measured, mostly over 200), so only the tuned count is asserted.
  it("keeps collected outputs mapped: few page faults per 1 MiB output", () => {
    const tuned = run(churnScript, { GLIBC_TUNABLES: "", CHAINRULE_MALLOC: "" }) as number;
    expect(tuned).toBeLessThan(64);
  }, 60_000);
});
