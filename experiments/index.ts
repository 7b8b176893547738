// The lecture's claims as runnable experiments, by name; run them all (full mode, writing the committed
// figures under docs/figures/experiments/) with: npx tsx experiments/index.ts [--fast]
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { fmt, type Experiment } from "./lib/common.js";
import { experiment as xor } from "./xor.js";
import { experiment as linearCollapse } from "./linear-collapse.js";
import { experiment as activations } from "./activations.js";
import { experiment as saturation } from "./saturation.js";
import { experiment as outliers } from "./outliers.js";
import { experiment as klVsCe } from "./kl-vs-ce.js";
import { experiment as universalApproximation } from "./universal-approximation.js";
import { experiment as reverseVsForward } from "./reverse-vs-forward.js";
import { experiment as recurrent } from "./recurrent.js";

/** Every experiment, in the lecture's order. */
export const EXPERIMENTS: Record<string, Experiment> = {
  xor,
  "linear-collapse": linearCollapse,
  activations,
  saturation,
  outliers,
  "kl-vs-ce": klVsCe,
  "universal-approximation": universalApproximation,
  "reverse-vs-forward": reverseVsForward,
  recurrent,
};

async function main(): Promise<void> {
  const fast = process.argv.includes("--fast");
  for (const [name, exp] of Object.entries(EXPERIMENTS)) {
    const t0 = performance.now();
    const r = await exp.run({ fast });
    console.log(`\n## ${name} (${((performance.now() - t0) / 1000).toFixed(1)} s)\nclaim: ${exp.claim}`);
    for (const [k, v] of Object.entries(r.numbers)) console.log(`  ${k}: ${fmt(v)}`);
  }
}

if (process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
