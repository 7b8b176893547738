// Compositions of the primitives: no backward code lives here; gradients come from the parts.
import { Tensor } from "../tensor/tensor.js";
import { check, fmtShape } from "../util/errors.js";
import { normalizeDim, normalizeDims, sameShape } from "../util/shape.js";
import { isFloat } from "../tensor/dtype.js";
import {
  add,
  div,
  exp,
  gt,
  log,
  lt,
  mul,
  sqrt,
  sub,
  where,
  ne,
  maximum,
  abs,
  neg,
  log1p,
} from "./elementwise.js";
import { checkIndex, gather } from "./indexing.js";
import { cat, expand, permute, reshape, slice } from "./movement.js";
import { amax, amin, argmax, argmin, reducedShapes, sum } from "./reduce.js";
import type { KeepDim } from "./support.js";

type Dims = number | readonly number[] | null;

/** Sums a broadcast gradient back to `shape` (the engine's un-broadcasting). */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  return reshape(sum(g, dims, { keepdim: true }), shape);
}

function countOf(x: Tensor, dim: Dims): number {
  return normalizeDims("mean", dim, x.ndim).reduce((p, d) => p * x.shape[d], 1);
}

/** Arithmetic mean over `dim` (null = all); the mean of nothing is NaN, as in PyTorch. */
export function mean(x: Tensor, dim: Dims = null, opts: KeepDim = {}): Tensor {
  check(isFloat(x.dtype), "mean", () => `expected a floating-point tensor, got ${x.dtype}`);
  const count = countOf(x, dim); // validates dim under mean's name
  return div(sum(x, dim, opts), count);
}

/** Variance over `dim`, unbiased (÷ n-1) by default. */
export function variance(x: Tensor, dim: Dims = null, opts: KeepDim & { unbiased?: boolean } = {}): Tensor {
  const n = countOf(x, dim);
  const d = sub(x, mean(x, dim, { keepdim: true }));
  return div(sum(mul(d, d), dim, opts), (opts.unbiased ?? true) ? n - 1 : n);
}

export const std = (x: Tensor, dim: Dims = null, opts: KeepDim & { unbiased?: boolean } = {}): Tensor =>
  sqrt(variance(x, dim, opts));

function extremumDim(
  x: Tensor,
  dim: number,
  opts: KeepDim,
  arg: typeof argmax,
): { values: Tensor; indices: Tensor } {
  const op = arg === argmax ? "max" : "min";
  const d = normalizeDim(op, dim, x.ndim);
  check(
    x.ndim === 0 || x.shape[d] > 0,
    op,
    () => `cannot reduce the empty dim ${dim} of a tensor of shape ${fmtShape(x.shape)}`,
  );
  const indices = arg(x, d, { keepdim: true });
  const values = gather(x, d, indices); // the whole gradient goes to the returned index
  if (opts.keepdim) return { values, indices };
  const shape = reducedShapes(x, [d]).out;
  return { values: reshape(values, shape), indices: reshape(indices, shape) };
}

/** max(x): the largest element (ties share the gradient); max(x, dim): values and first indices along dim. */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, opts?: KeepDim): { values: Tensor; indices: Tensor };
export function max(
  x: Tensor,
  dim?: number,
  opts: KeepDim = {},
): Tensor | { values: Tensor; indices: Tensor } {
  if (dim === undefined) checkNotEmpty("max", x);
  return dim === undefined ? amax(x) : extremumDim(x, dim, opts, argmax);
}
export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, opts?: KeepDim): { values: Tensor; indices: Tensor };
export function min(
  x: Tensor,
  dim?: number,
  opts: KeepDim = {},
): Tensor | { values: Tensor; indices: Tensor } {
  if (dim === undefined) checkNotEmpty("min", x);
  return dim === undefined ? amin(x) : extremumDim(x, dim, opts, argmin);
}

function checkNotEmpty(op: string, x: Tensor): void {
  check(
    x.numel > 0,
    op,
    () => `cannot take the ${op} of an empty tensor (shape ${fmtShape(x.shape)}); pass a dim to reduce`,
  );
}

// The stable forms' shift: the max over `dim`, kept and detached (it cancels in value and gradient).
// An empty input has no max; its result is empty or Σ of nothing (log 0 = -inf), so any shift works.
const maxShift = (x: Tensor, dim: Dims): Tensor | number =>
  x.numel === 0 ? 0 : amax(x.detach(), dim, { keepdim: true });

/** log Σ exp(x) over `dim`, stable for any magnitude: m + log Σ exp(x - m) with m the (constant) max. */
export function logsumexp(x: Tensor, dim: Dims = null, opts: KeepDim = {}): Tensor {
  const m = maxShift(x, dim);
  const safe = typeof m === "number" ? m : where(ne(abs(m), Infinity), m, 0);
  const s = add(log(sum(exp(sub(x, safe)), dim, { keepdim: true })), safe);
  return opts.keepdim ? s : reshape(s, reducedShapes(x, normalizeDims("logsumexp", dim, x.ndim)).out);
}

/** exp(x - max) / Σ exp(x - max) along `dim`. */
export function softmax(x: Tensor, dim: number): Tensor {
  normalizeDim("softmax", dim, x.ndim);
  const e = exp(sub(x, maxShift(x, dim)));
  return div(e, sum(e, dim, { keepdim: true }));
}

export const square = (x: Tensor): Tensor => mul(x, x);
export const reciprocal = (x: Tensor): Tensor => div(1, x);
export const rsqrt = (x: Tensor): Tensor => div(1, sqrt(x));

/** min(max(x, min), max); the gradient passes where min ≤ x ≤ max, bounds included. */
export function clamp(x: Tensor, min: number | null, max: number | null = null): Tensor {
  check(min !== null || max !== null, "clamp", () => "at least one of min and max must be given");
  const lo = min === null ? x : where(lt(x, min), min, x);
  return max === null ? lo : where(gt(lo, max), max, lo);
}

/** log(1 + e^(βx))/β, linear above `threshold`; computed as max(z,0) + log1p(e^-|z|). */
export function softplus(x: Tensor, opts: { beta?: number; threshold?: number } = {}): Tensor {
  const { beta = 1, threshold = 20 } = opts;
  const z = mul(x, beta);
  const soft = div(add(maximum(z, 0), log1p(exp(neg(abs(z))))), beta);
  return where(gt(z, threshold), x, soft);
}

// ---- shape sugar ----
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim("flatten", startDim, x.ndim);
  const e = normalizeDim("flatten", endDim, x.ndim);
  check(s <= e, "flatten", () => `startDim ${startDim} comes after endDim ${endDim}`);
  const mid = x.shape.slice(s, e + 1).reduce((p, d) => p * d, 1);
  return reshape(x, [...x.shape.slice(0, s), mid, ...x.shape.slice(e + 1)]);
}

/** Removes `dim` if it has size 1 (else no-op); null removes every size-1 dim. */
export function squeeze(x: Tensor, dim: number | null = null): Tensor {
  if (dim === null)
    return reshape(
      x,
      x.shape.filter((d) => d !== 1),
    );
  const d = normalizeDim("squeeze", dim, x.ndim);
  return x.ndim === 0 || x.shape[d] !== 1
    ? x
    : reshape(
        x,
        x.shape.filter((_, i) => i !== d),
      );
}

/** Inserts a size-1 dim at `dim` (negative counts from the output rank). */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim("unsqueeze", dim, x.ndim + 1);
  return reshape(x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)]);
}

export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const dims = x.shape.map((_, i) => i);
  const [a, b] = [normalizeDim("transpose", dim0, x.ndim), normalizeDim("transpose", dim1, x.ndim)];
  [dims[a], dims[b]] = [dims[b], dims[a]];
  return permute(x, dims);
}

/** Transpose of a ≤2-D tensor. */
export function t(x: Tensor): Tensor {
  check(x.ndim <= 2, "t", () => `expects a tensor with at most 2 dims, got shape ${fmtShape(x.shape)}`);
  return x.ndim < 2 ? x : transpose(x, 0, 1);
}

/** Joins same-shaped tensors along a new dim. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  check(tensors.length > 0, "stack", () => "expected a non-empty list of tensors");
  tensors.forEach((x, i) =>
    check(
      sameShape(x.shape, tensors[0].shape),
      "stack",
      () => `tensor ${i} has shape ${fmtShape(x.shape)} but tensor 0 has ${fmtShape(tensors[0].shape)}`,
    ),
  );
  const d = normalizeDim("stack", dim, tensors[0].ndim + 1);
  return cat(
    tensors.map((x) => unsqueeze(x, d)),
    d,
  );
}

/** Pieces of `size` along dim (the last may be smaller), or of the listed sizes. */
export function split(x: Tensor, sizeOrSections: number | readonly number[], dim = 0): Tensor[] {
  const d = normalizeDim("split", dim, x.ndim);
  const n = x.shape[d];
  let sizes: number[];
  if (typeof sizeOrSections === "number") {
    check(
      Number.isInteger(sizeOrSections) && sizeOrSections > 0,
      "split",
      () => `size must be a positive integer, got ${sizeOrSections}`,
    );
    sizes = [];
    for (let at = 0; at < n; at += sizeOrSections) sizes.push(Math.min(sizeOrSections, n - at));
    if (n === 0) sizes.push(0);
  } else {
    sizes = [...sizeOrSections];
    check(
      sizes.reduce((p, s) => p + s, 0) === n,
      "split",
      () => `sizes ${fmtShape(sizes)} do not add up to ${n}, the size of dim ${dim}`,
    );
  }
  let at = 0;
  return sizes.map((s) => slice(x, d, at, (at += s)));
}

export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  check(
    Number.isInteger(chunks) && chunks > 0,
    "chunk",
    () => `chunks must be a positive integer, got ${chunks}`,
  );
  const n = x.shape[normalizeDim("chunk", dim, x.ndim)];
  return split(x, Math.max(1, Math.ceil(n / chunks)), dim);
}

/** Takes one index along `dim` (negative wraps) and removes that dim. */
export function select(x: Tensor, dim: number, index: number): Tensor {
  check(x.ndim > 0, "select", () => "cannot select from a 0-d tensor (shape [])");
  const d = normalizeDim("select", dim, x.ndim);
  const n = x.shape[d];
  check(Number.isInteger(index), "select", () => `index must be an integer, got ${index}`);
  check(
    index >= -n && index < n,
    "select",
    () => `index ${index} is out of range for dim ${dim} of size ${n}`,
  );
  const i = index < 0 ? index + n : index;
  return squeeze(slice(x, d, i, i + 1), d);
}

export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  check(x.ndim > 0, "narrow", () => "cannot narrow a 0-d tensor (shape [])");
  const n = x.shape[normalizeDim("narrow", dim, x.ndim)];
  check(
    start >= 0 && length >= 0 && start + length <= n,
    "narrow",
    () => `start ${start} + length ${length} exceeds dim ${dim} of size ${n}`,
  );
  return slice(x, dim, start, start + length);
}

/** The slices index[0], index[1], … of x along `dim` (1-D int32 index; repeats allowed). */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = normalizeDim("indexSelect", dim, x.ndim);
  check(index.ndim <= 1, "indexSelect", () => `index must be 1-D, got shape ${fmtShape(index.shape)}`);
  checkIndex("indexSelect", index, x.shape[d], `dim ${dim}`);
  const shape = x.shape.map((s, i) => (i === d ? index.numel : s));
  const idx = expand(
    reshape(
      index,
      x.shape.map((_, i) => (i === d ? index.numel : 1)),
    ),
    shape,
  );
  return gather(x, d, idx);
}

/** The elements where the (broadcast) bool mask is true, as a 1-D tensor. */
export function maskedSelect(x: Tensor, mask: Tensor): Tensor {
  check(mask.dtype === "bool", "maskedSelect", () => `mask must be a bool tensor, got ${mask.dtype}`);
  const m = expand(mask, x.shape).toTypedArray();
  const picks: number[] = [];
  for (let i = 0; i < m.length; i++) if (m[i]) picks.push(i);
  return indexSelect(
    reshape(x, [x.numel]),
    0,
    Tensor.fromData(Int32Array.from(picks), [picks.length], "int32"),
  );
}

/** x with `value` where the (broadcast) bool mask is true. */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  check(mask.dtype === "bool", "maskedFill", () => `mask must be a bool tensor, got ${mask.dtype}`);
  return where(mask, value, x);
}
