// The backend interface: a handful of kernels on typed arrays plus views. A backend never sees a Tensor,
// never allocates its outputs and never records gradients; the registry picks the active one.

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/** Where a tensor's elements live in its storage: element (i0..in) is at offset + Σ ik*strides[k]. */
export interface View {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

export const UNARY_OPS = [
  "neg", "exp", "log", "log1p", "expm1", "sqrt", "abs", "sign", "tanh", "sigmoid", "erf", "sin", "cos", "relu",
] as const; // prettier-ignore
export type UnaryOp = (typeof UNARY_OPS)[number];

/**
 * Backward passes of activations, each one pass over (g, y) where y is the activation's output:
 * reluGrad(g, y) = y ≤ 0 ? 0 : g (NaN in y lets g through, as PyTorch does);
 * tanhGrad(g, y) = g·(1 − y·y) and sigmoidGrad(g, y) = g·(y·(1 − y)), every step rounded to the
 * element type, so they equal the op-by-op compositions bit for bit.
 */
export const BINARY_OPS = [
  "add", "sub", "mul", "div", "pow", "maximum", "minimum", "reluGrad", "tanhGrad", "sigmoidGrad",
] as const; // prettier-ignore
export type BinaryOp = (typeof BINARY_OPS)[number];

export const COMPARE_OPS = ["eq", "ne", "lt", "le", "gt", "ge"] as const;
export type CompareOp = (typeof COMPARE_OPS)[number];

export type ReduceOp = "sum" | "max" | "min";

/** A backend's own layout of a matrix product's right operand (Backend.packMatmulB); opaque to callers. */
export interface PackedB {
  readonly byteLength: number;
}
export type ArgReduceOp = "argmax" | "argmin";

/** Constants of one fused SGD update, already rounded to float32 as src/optim/fused.ts rounds them. */
export interface SgdStep {
  sign: number; // −1 with maximize, else 1
  momentum: number;
  keep: number; // 1 − dampening
  lr: number; // −lr
  weightDecay: number;
  decays: boolean; // weightDecay ≠ 0
  nesterov: boolean;
  first: boolean; // the momentum buffer is set to d instead of updated
}

/** Constants of one fused Adam/AdamW update (src/optim/fused.ts computes and rounds them). */
export interface AdamStep {
  sign: number;
  beta1: number;
  keep1: number; // 1 − β1
  beta2: number;
  keep2: number; // 1 − β2
  stepSize: number; // −lr / (1 − β1ᵗ)
  bc2Sqrt: number; // √(1 − β2ᵗ)
  eps: number;
  wdS: number; // weightDecay, for the L2 term
  shrink: number; // 1 − lr·weightDecay, AdamW's decoupled decay
  shrinks: boolean;
  l2: boolean;
}

/**
 * Every kernel writes a fresh, contiguous, row-major `out` that the caller allocated. Operand views of
 * elementwise kernels already have the output's shape (broadcast dims carry stride 0).
 */
export interface Backend {
  readonly name: string;
  unary(op: UnaryOp, x: TypedArray, xv: View, out: TypedArray): void;
  binary(op: BinaryOp | CompareOp, a: TypedArray, av: View, b: TypedArray, bv: View, out: TypedArray): void;
  where(c: TypedArray, cv: View, a: TypedArray, av: View, b: TypedArray, bv: View, out: TypedArray): void;
  /** Reduces the sorted `axes` of `xv`; `out` has the kept dims. */
  reduce(op: ReduceOp, x: TypedArray, xv: View, axes: readonly number[], out: TypedArray): void;
  argReduce(op: ArgReduceOp, x: TypedArray, xv: View, axis: number, out: Int32Array): void;
  /** log-softmax of floats along `axis`: out = x − log Σ exp(x), computed stably, contiguous. */
  logSoftmax(x: TypedArray, xv: View, axis: number, out: TypedArray): void;
  /**
   * Batched matrix product: av is [...batch, m, k], bv is [...batch, k, n] (same batch), out [...batch, m, n].
   * With `bias` (n contiguous values from `biasOffset`), each row is stored as round(a·b) + bias; with
   * `relu`, then as max(0, ·) with NaN kept (nn.Sequential's Linear → ReLU, when no gradient is recorded).
   * `packed` is what packMatmulB returned for this b and bv; a backend may read b from it instead.
   */
  // prettier-ignore
  matmul(a: TypedArray, av: View, b: TypedArray, bv: View, out: TypedArray,
         bias?: TypedArray, biasOffset?: number, relu?: boolean, packed?: PackedB): void;
  /**
   * Optional: the 2-D operand b (view bv, k × n) laid out once for many products with m-row operands that
   * read it unchanged (a weight at inference), or null where that would not pay. Results are identical
   * with and without it; the caller must not pass it on once b's elements change.
   */
  packMatmulB?(b: TypedArray, bv: View, m: number): PackedB | null;
  /** Copies view xv into `out` (contiguous, or the view `ov` of the same shape); types may differ (a cast). */
  copy(x: TypedArray, xv: View, out: TypedArray, ov?: View): void;
  /** out[p] = x[p with p[dim] = idx[p]]; out has idx's shape. Indices are already validated. */
  gather(x: TypedArray, xv: View, idx: Int32Array, iv: View, dim: number, out: TypedArray): void;
  /** out[p with p[dim] = idx[p]] += src[p] over idx's shape; `out` is contiguous of shape `outShape`. */
  scatterAdd(
    out: TypedArray,
    outShape: readonly number[],
    idx: Int32Array,
    iv: View,
    src: TypedArray,
    sv: View,
    dim: number,
  ): void;
  /**
   * Optional fused optimizer updates on contiguous float32 runs of one length, all updated in place (buf /
   * vMax null when unused): the exact float32 arithmetic of the loops in src/optim/fused.ts, which are
   * their specification. False leaves the update to those loops (e.g. a run too short to repay the call).
   */
  sgdStep?(p: Float32Array, g: Float32Array, buf: Float32Array | null, k: SgdStep): boolean;
  adamStep?(
    p: Float32Array,
    g: Float32Array,
    m: Float32Array,
    v: Float32Array,
    vMax: Float32Array | null,
    k: AdamStep,
  ): boolean;
}

const registry = new Map<string, Backend>();
let active: Backend | null = null;

export function registerBackend(backend: Backend): void {
  registry.set(backend.name, backend);
  if (active === null) active = backend;
}

/** Makes `name` the backend every op uses from now on. */
export function setBackend(name: string): void {
  const b = registry.get(name);
  if (!b) throw new Error(`setBackend: unknown backend '${name}' (available: ${listBackends().join(", ")})`);
  active = b;
}

export function getBackend(): string {
  return backend().name;
}

export function listBackends(): string[] {
  return [...registry.keys()];
}

/** The active backend, for ops. */
export function backend(): Backend {
  if (active === null) throw new Error("chainrule: no backend registered");
  return active;
}
