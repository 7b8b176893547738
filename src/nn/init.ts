// chainrule.nn.init: in-place weight initializers (torch.nn.init), drawn from the seeded stream of
// manualSeed and written under noGrad. Each returns the tensor it filled.
import type { Tensor } from "../tensor/tensor.js";
import { tensor } from "../tensor/create.js";
import { noGrad } from "../autograd/grad-mode.js";
import { nextNormal, nextUniform } from "../util/random.js";
import { check, fmtShape } from "../util/errors.js";

/** Nonlinearities that calculateGain knows (PyTorch's names in camelCase). */
export type Nonlinearity =
  | "linear"
  | "conv1d"
  | "conv2d"
  | "conv3d"
  | "convTranspose1d"
  | "convTranspose2d"
  | "convTranspose3d"
  | "sigmoid"
  | "tanh"
  | "relu"
  | "leakyRelu"
  | "selu";

/** Whether fan counts input (`fanIn`, keeps forward activations' variance) or output units (`fanOut`, gradients'). */
export type FanMode = "fanIn" | "fanOut";

/**
 * The gain that keeps activations' variance stable through `nonlinearity`: 1 for linear/conv/sigmoid,
 * 5/3 for tanh, √2 for relu, √(2/(1+slope²)) for leakyRelu (slope `param`, default 0.01), 3/4 for selu.
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case "linear":
    case "conv1d":
    case "conv2d":
    case "conv3d":
    case "convTranspose1d":
    case "convTranspose2d":
    case "convTranspose3d":
    case "sigmoid":
      return 1;
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.SQRT2;
    case "leakyRelu": {
      const slope = param ?? 0.01;
      check(Number.isFinite(slope), "calculateGain", () => `negative slope ${slope} is not a finite number`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case "selu":
      return 3 / 4;
    default:
      return nonlinearity satisfies never;
  }
}

/** fanIn = size(1)·receptive field, fanOut = size(0)·receptive field, for a weight with ≥ 2 dims. */
export function calculateFanInAndFanOut(t: Tensor): { fanIn: number; fanOut: number } {
  check(
    t.ndim >= 2,
    "init",
    () => `fan in and fan out need a tensor with at least 2 dims, got shape ${fmtShape(t.shape)}`,
  );
  const receptive = t.shape.slice(2).reduce((p, d) => p * d, 1);
  return { fanIn: t.shape[1] * receptive, fanOut: t.shape[0] * receptive };
}

/** Writes draw() into every element of `t` in place (float64 draws, cast on write), without recording. */
function fill(t: Tensor, draw: (i: number) => number): Tensor {
  if (t.numel === 0) return t;
  const values = new Float64Array(t.numel);
  for (let i = 0; i < values.length; i++) values[i] = draw(i);
  noGrad(() => t.copy_(tensor(values, { shape: t.shape })));
  return t;
}

/** Fills with U(a, b) (default U(0, 1)). */
export function uniform_(t: Tensor, opts: { a?: number; b?: number } = {}): Tensor {
  const { a = 0, b = 1 } = opts;
  check(a <= b, "uniform_", () => `expected a ≤ b, got a=${a}, b=${b}`);
  return fill(t, () => a + (b - a) * nextUniform());
}

/** Fills with N(mean, std²) (default N(0, 1)). */
export function normal_(t: Tensor, opts: { mean?: number; std?: number } = {}): Tensor {
  const { mean = 0, std = 1 } = opts;
  check(std >= 0, "normal_", () => `std must be non-negative, got ${std}`);
  return fill(t, () => mean + std * nextNormal());
}

/** Fills with `value`. */
export const constant_ = (t: Tensor, value: number): Tensor => fill(t, () => value);
export const zeros_ = (t: Tensor): Tensor => constant_(t, 0);
export const ones_ = (t: Tensor): Tensor => constant_(t, 1);

/** The identity matrix on a 2-D tensor (ones on the main diagonal of a rectangular one). */
export function eye_(t: Tensor): Tensor {
  check(t.ndim === 2, "eye_", () => `expects a 2-D tensor, got shape ${fmtShape(t.shape)}`);
  const cols = t.shape[1];
  return fill(t, (i) => (i % cols === Math.floor(i / cols) ? 1 : 0));
}

/** Glorot/Xavier: U(-a, a) with a = gain·√(6/(fanIn+fanOut)), so that Var = gain²·2/(fanIn+fanOut). */
export function xavierUniform_(t: Tensor, opts: { gain?: number } = {}): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  const a = (opts.gain ?? 1) * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, { a: -a, b: a });
}

/** Glorot/Xavier: N(0, std²) with std = gain·√(2/(fanIn+fanOut)). */
export function xavierNormal_(t: Tensor, opts: { gain?: number } = {}): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  return normal_(t, { std: (opts.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut)) });
}

export interface KaimingOptions {
  /** The negative slope of the leaky ReLU that follows (default 0). */
  a?: number;
  /** Default 'fanIn'. */
  mode?: FanMode;
  /** Default 'leakyRelu' (with slope `a`; a = 0 gives ReLU's gain √2). */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(op: string, t: Tensor, opts: KaimingOptions): number {
  const { a = 0, mode = "fanIn", nonlinearity = "leakyRelu" } = opts;
  check(mode === "fanIn" || mode === "fanOut", op, () => `mode must be 'fanIn' or 'fanOut', got '${mode}'`);
  const fans = calculateFanInAndFanOut(t);
  return calculateGain(nonlinearity, a) / Math.sqrt(fans[mode]);
}

/** He/Kaiming: U(-b, b) with b = √3·gain/√fan, so that std = gain/√fan. */
export function kaimingUniform_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const b = Math.sqrt(3) * kaimingStd("kaimingUniform_", t, opts);
  return uniform_(t, { a: -b, b });
}

/** He/Kaiming: N(0, std²) with std = gain/√fan. */
export function kaimingNormal_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  return normal_(t, { std: kaimingStd("kaimingNormal_", t, opts) });
}

/**
 * A (semi-)orthogonal matrix times `gain` (Saxe et al. 2013): the Q of a Gaussian matrix's QR, with the
 * signs that make R's diagonal positive (so Q is Haar-distributed). Dims after the first are flattened;
 * rows are orthonormal when rows ≤ columns, columns otherwise.
 */
export function orthogonal_(t: Tensor, opts: { gain?: number } = {}): Tensor {
  check(t.ndim >= 2, "orthogonal_", () => `expects at least 2 dims, got shape ${fmtShape(t.shape)}`);
  if (t.numel === 0) return t;
  const rows = t.shape[0];
  const cols = t.numel / rows;
  // QR of the tall orientation: n orthonormal vectors of length m (m ≥ n).
  const [m, n] = rows >= cols ? [rows, cols] : [cols, rows];
  const q = Array.from({ length: n }, () => Float64Array.from({ length: m }, nextNormal));
  gramSchmidt(q);
  const gain = opts.gain ?? 1;
  return fill(t, (i) => {
    const [r, c] = [Math.floor(i / cols), i % cols];
    return gain * (rows >= cols ? q[c][r] : q[r][c]);
  });
}

/** Orthonormalizes the vectors in place (modified Gram–Schmidt, applied twice: "twice is enough"). */
function gramSchmidt(vs: Float64Array[]): void {
  for (let j = 0; j < vs.length; j++) {
    const v = vs[j];
    for (let pass = 0; pass < 2; pass++)
      for (let i = 0; i < j; i++) {
        const d = dot(vs[i], v);
        for (let k = 0; k < v.length; k++) v[k] -= d * vs[i][k];
      }
    const norm = Math.sqrt(dot(v, v));
    for (let k = 0; k < v.length; k++) v[k] /= norm;
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k] * b[k];
  return s;
}
