// Child process of checkpoint-kill.test.ts: saves checkpoints of increasing version in a tight loop and
// acknowledges each on stdout after saveCheckpoint returns, until the parent kills it (SIGKILL).
// Run from a transpiled copy of src/ (see the test), so it imports only what a save needs.
import { writeSync } from "node:fs";
import { registerBackend } from "../../src/backend/backend.js";
import { cpuBackend } from "../../src/backend/cpu/index.js";
import { saveCheckpoint } from "../../src/io/checkpoint.js";
import { full } from "../../src/tensor/create.js";
import type { Tensor } from "../../src/tensor/tensor.js";

registerBackend(cpuBackend);
const [path, start, size] = process.argv.slice(2);
for (let version = Number(start) + 1; ; version++) {
  const state: Record<string, Tensor> = {
    "layer.weight": full([Number(size)], version),
    "layer.bias": full([7], version, { dtype: "float64" }),
  };
  const model = { stateDict: () => state, loadStateDict: () => undefined };
  saveCheckpoint(path, { model, epoch: version, step: version * 10, extra: { version, tag: `v${version}` } });
  writeSync(1, `${version}\n`);
}
