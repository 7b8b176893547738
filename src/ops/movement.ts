// Movement primitives. reshape (when the strides allow), permute, expand and slice only make a new view of
// the same storage; cat and contiguous copy. Their gradients are the inverse data movement.
import { backend } from "../backend/backend.js";
import { record, wantsGrad } from "../autograd/graph.js";
import { isGradEnabled } from "../autograd/grad-mode.js";
import { promoteTypes } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { ChainruleError, check, fmtShape } from "../util/errors.js";
import { checkShape, contiguousStrides, normalizeDim, numel, sameShape } from "../util/shape.js";
import { cast } from "./elementwise.js";
import { broadcastView, empty, toTensor, type Arg } from "./support.js";

function viewOf(x: Tensor, shape: readonly number[], strides: readonly number[], offset = x.offset): Tensor {
  return new Tensor(x.storage, shape, strides, offset, x.dtype);
}

/** Copies into fresh contiguous storage unless already contiguous (`force` always copies). */
export function contiguous(x: Tensor, force = false): Tensor {
  if (!force && x.isContiguous()) return x;
  const y = empty(x.shape, x.dtype);
  backend().copy(x.storage.array, x, y.storage.array);
  if (!wantsGrad(x)) return y;
  return record("contiguous", y, [x], (g) => [g]); // d copy(x) = dx
}

function inferShape(op: string, x: Tensor, shape: readonly number[]): readonly number[] {
  let known = 1;
  let free = -1;
  let ok = true;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (d === -1 && free === -1) free = i;
    else if (Number.isInteger(d) && d >= 0) known *= d;
    else ok = false;
  }
  if (ok && free === -1 && known === x.numel) return shape.slice(); // never alias the caller's array
  return inferSlow(op, x, shape);
}

function inferSlow(op: string, x: Tensor, shape: readonly number[]): number[] {
  const free = shape.filter((d) => d === -1).length;
  check(free <= 1, op, () => `only one dimension can be -1, got ${fmtShape(shape)}`);
  checkShape(
    op,
    shape.map((d) => (d === -1 ? 0 : d)),
  );
  const known = shape.reduce((p, d) => (d === -1 ? p : p * d), 1);
  const out = shape.map((d) => (d === -1 ? (known === 0 ? 0 : x.numel / known) : d));
  check(
    numel(out) === x.numel && out.every((d) => Number.isInteger(d)),
    op,
    () =>
      `cannot reshape a tensor of shape ${fmtShape(x.shape)} (${x.numel} elements) into ${fmtShape(shape)}`,
  );
  return out;
}

/**
 * Strides that read x's elements in row-major order under `shape` without a copy, or null when none
 * exist (PyTorch's computeStride): each run of x's dims that is contiguous in memory may be re-split.
 */
function viewStrides(x: Tensor, shape: readonly number[]): number[] | null {
  if (x.numel === 0 || x.ndim === 0) return contiguousStrides(shape);
  const strides = new Array<number>(shape.length);
  let v = shape.length - 1;
  let base = x.strides[x.ndim - 1];
  let runNumel = 1;
  let viewNumel = 1;
  for (let d = x.ndim - 1; d >= 0; d--) {
    runNumel *= x.shape[d];
    // a run of memory-contiguous dims ends at d: the view's dims must tile it exactly
    if (d === 0 || (x.shape[d - 1] !== 1 && x.strides[d - 1] !== runNumel * base)) {
      while (v >= 0 && (viewNumel < runNumel || shape[v] === 1)) {
        strides[v] = viewNumel * base;
        viewNumel *= shape[v--];
      }
      if (viewNumel !== runNumel) return null;
      if (d > 0) [base, runNumel, viewNumel] = [x.strides[d - 1], 1, 1];
    }
  }
  return v === -1 ? strides : null;
}

/** The same elements in row-major order with a new shape; a view whenever the strides allow it. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(shape, x.shape)) return x;
  const out = inferShape("reshape", x, shape);
  if (sameShape(out, x.shape)) return x;
  const strides = viewStrides(x, out);
  const src = strides ? x : contiguous(x);
  const y = viewOf(src, out, strides ?? contiguousStrides(out), src.offset);
  if (!wantsGrad(src)) return y;
  return record("reshape", y, [src], (g) => [reshape(g, src.shape)]); // inverse reshape
}

/** Like reshape, but refuses to copy: the strides must allow the new shape as a view. */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  const out = inferShape("view", x, shape);
  check(
    viewStrides(x, out) !== null,
    "view",
    () =>
      `the tensor (shape ${fmtShape(x.shape)}, strides ${fmtShape(x.strides)}) cannot be viewed as ${fmtShape(shape)} without a copy; use reshape() or contiguous() first`,
  );
  return reshape(x, shape);
}

/** Output dim i is input dim dims[i]. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  const r = x.ndim;
  check(
    dims.length === r,
    "permute",
    () => `expected ${r} dims for a tensor of shape ${fmtShape(x.shape)}, got ${fmtShape(dims)}`,
  );
  const shape: number[] = [];
  const strides: number[] = [];
  const inverse: number[] = [];
  for (let i = 0; i < r; i++) inverse.push(-1);
  for (let i = 0; i < r; i++) {
    const d = normalizeDim("permute", dims[i], r);
    if (inverse[d] !== -1) throw new ChainruleError("permute", `dims ${fmtShape(dims)} repeat a dimension`);
    inverse[d] = i;
    shape.push(x.shape[d]);
    strides.push(x.strides[d]);
  }
  const y = viewOf(x, shape, strides);
  if (!wantsGrad(x)) return y;
  return record("permute", y, [x], (g) => [permute(g, inverse)]); // inverse permutation
}

/** Broadcasts to `shape` without copying (-1 keeps a size; only size-1 dims grow). */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  check(
    shape.length >= x.ndim,
    "expand",
    () => `target ${fmtShape(shape)} has fewer dims than the input ${fmtShape(x.shape)}`,
  );
  const lead = shape.length - x.ndim;
  const target = shape.map((d, i) => (d === -1 && i >= lead ? x.shape[i - lead] : d));
  checkShape("expand", target);
  x.shape.forEach((d, i) =>
    check(
      d === target[i + lead] || d === 1,
      "expand",
      () => `cannot expand ${fmtShape(x.shape)} to ${fmtShape(shape)}: dim ${i} has size ${d}, not 1`,
    ),
  );
  if (sameShape(target, x.shape)) return x;
  const v = broadcastView(x, target);
  const y = viewOf(x, target, v.strides);
  if (!wantsGrad(x)) return y;
  return record("expand", y, [x], (g) => [g]); // the engine sums g back to x's shape
}

/** Python slicing x[start:end:step] along `dim` (null bounds mean the ends; negatives wrap; clamped). */
export function slice(
  x: Tensor,
  dim: number,
  start: number | null = null,
  end: number | null = null,
  step = 1,
): Tensor {
  check(x.ndim > 0, "slice", () => "cannot slice a 0-d tensor (shape [])");
  const d = normalizeDim("slice", dim, x.ndim);
  check(Number.isInteger(step) && step >= 1, "slice", () => `step must be a positive integer, got ${step}`);
  for (const v of [start, end])
    check(v === null || Number.isInteger(v), "slice", () => `bounds must be integers or null, got ${v}`);
  const size = x.shape[d];
  const clampIdx = (v: number) => Math.min(Math.max(v < 0 ? v + size : v, 0), size);
  const s = start === null ? 0 : clampIdx(start);
  const e = end === null ? size : clampIdx(end);
  const len = e > s ? Math.ceil((e - s) / step) : 0;
  const shape = x.shape.map((n, i) => (i === d ? len : n));
  const strides = x.strides.map((st, i) => (i === d ? st * step : st));
  const y = viewOf(x, shape, strides, x.offset + s * x.strides[d]);
  return record("slice", y, [x], (g) => [sliceBackward(g, x.shape, d, s, step)]); // scatter back into zeros
}

/** Zeros of `shape` with g written at positions start, start+step, … along `dim`: slice's adjoint. */
function sliceBackward(
  g: Tensor,
  shape: readonly number[],
  dim: number,
  start: number,
  step: number,
): Tensor {
  const y = empty(shape, g.dtype);
  const target = slice(y.detach(), dim, start, start + g.shape[dim] * step, step);
  backend().copy(g.storage.array, g, y.storage.array, target);
  return record("sliceBackward", y, [g], (gg) => [slice(gg, dim, start, start + g.shape[dim] * step, step)]);
}

/** Joins tensors along `dim`; other dims must match (zero-size pieces allowed). */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  check(tensors.length > 0, "cat", () => "expected a non-empty list of tensors");
  const ref = tensors[0];
  check(ref.ndim > 0, "cat", () => "0-d tensors cannot be concatenated (shape []); use stack()");
  const d = normalizeDim("cat", dim, ref.ndim);
  tensors.forEach((t, i) =>
    check(
      t.ndim === ref.ndim && t.shape.every((n, j) => j === d || n === ref.shape[j]),
      "cat",
      () =>
        `tensor ${i} has shape ${fmtShape(t.shape)} but tensor 0 has ${fmtShape(ref.shape)}; all dims except dim ${d} must match`,
    ),
  );
  const dtype = tensors.map((t) => t.dtype).reduce(promoteTypes);
  const total = tensors.reduce((p, t) => p + t.shape[d], 0);
  const y = empty(
    ref.shape.map((n, j) => (j === d ? total : n)),
    dtype,
  );
  const offsets: number[] = [];
  let at = 0;
  for (const t of tensors) {
    offsets.push(at);
    backend().copy(t.storage.array, t, y.storage.array, slice(y.detach(), d, at, at + t.shape[d]));
    at += t.shape[d];
  }
  // d cat(x0, x1, …) = (dy[piece 0], dy[piece 1], …)
  return record("cat", y, tensors, (g) =>
    tensors.map((t, i) => cast(slice(g, d, offsets[i], offsets[i] + t.shape[d]), g.dtype)),
  );
}

/**
 * Writes `src` (broadcast, cast) into `target`'s elements in place and bumps its version, so that a
 * backward pass that saved `target` refuses to run on the changed values. Never recorded.
 */
export function assign_<T extends Tensor>(target: T, src: Arg): T {
  check(
    !(isGradEnabled() && target.requiresGrad),
    "in-place",
    () =>
      `a tensor that requires grad (shape ${fmtShape(target.shape)}) cannot be modified in place while gradients are recorded; wrap the update in noGrad()`,
  );
  let s = toTensor("in-place", src, target.dtype);
  if (s.storage === target.storage) s = contiguous(s, true); // overlapping reads and writes
  check(
    s.ndim <= target.ndim && s.shape.every((n, i) => n === 1 || n === target.shape[target.ndim - s.ndim + i]),
    "in-place",
    () => `cannot write a tensor of shape ${fmtShape(s.shape)} into one of shape ${fmtShape(target.shape)}`,
  );
  backend().copy(s.storage.array, broadcastView(s, target.shape), target.storage.array, target);
  target.storage.version++;
  return target;
}
