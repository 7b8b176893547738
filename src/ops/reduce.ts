// Reduction primitives: sum, amax/amin (ties share the gradient), argmax/argmin, and logSoftmax (one kernel
// for cross-entropy's ten-op chain). Everything else that reduces (mean, var, std, logsumexp, softmax, max
// with indices) is composed from these in composite.ts.
import { backend, type ReduceOp } from "../backend/backend.js";
import { record, wantsGrad } from "../autograd/graph.js";
import { isFloat } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { check, fmtShape } from "../util/errors.js";
import { normalizeDim, normalizeDims } from "../util/shape.js";
import { cast, div, eq, exp, mul, sub } from "./elementwise.js";
import { expand, reshape } from "./movement.js";
import { empty, type KeepDim } from "./support.js";

type Dims = number | readonly number[] | null;

/** Output shapes of a reduction: without and with the reduced dims kept as size 1. */
export function reducedShapes(x: Tensor, axes: readonly number[]): { out: number[]; kept: number[] } {
  const kept: number[] = [];
  const out: number[] = [];
  for (let i = 0, a = 0; i < x.ndim; i++) {
    const reduced = a < axes.length && axes[a] === i; // axes are sorted
    if (reduced) a++;
    else out.push(x.shape[i]);
    kept.push(reduced ? 1 : x.shape[i]);
  }
  return { out, kept };
}

function reduce(
  op: ReduceOp,
  name: string,
  x: Tensor,
  dim: Dims,
  keepdim: boolean,
): { y: Tensor; kept: number[] } {
  const axes = normalizeDims(name, dim, x.ndim);
  const { out, kept } = reducedShapes(x, axes);
  if (op !== "sum")
    check(
      axes.every((a) => x.shape[a] > 0),
      name,
      () => `cannot reduce an empty dimension (input shape ${fmtShape(x.shape)}, dim ${JSON.stringify(dim)})`,
    );
  const dtype = op === "sum" && !isFloat(x.dtype) ? "int32" : x.dtype;
  const y = empty(keepdim ? kept : out, dtype);
  backend().reduce(op, x.storage.array, x, axes, y.storage.array);
  return { y, kept };
}

/** Σ over `dim` (null = all dims). Integer and bool inputs sum to int32. */
export function sum(x: Tensor, dim: Dims = null, opts: KeepDim = {}): Tensor {
  const { y, kept } = reduce("sum", "sum", x, dim, opts.keepdim ?? false);
  if (!wantsGrad(x)) return y;
  // d Σx = broadcast(dy)
  return record("sum", y, [x], (g) => [expand(reshape(g, kept), x.shape)]);
}

function extremum(op: "max" | "min", name: string, x: Tensor, dim: Dims, opts: KeepDim): Tensor {
  const { y, kept } = reduce(op, name, x, dim, opts.keepdim ?? false);
  // d max(x) = dy split evenly among the k elements equal to the max
  return record(
    name,
    y,
    [x],
    (g) => {
      const hit = cast(eq(x, expand(reshape(y, kept), x.shape)), g.dtype);
      const count = sum(hit, dim, { keepdim: true });
      return [mul(hit, expand(div(reshape(g, kept), count), x.shape))];
    },
    [x, y],
  );
}

/** Maximum over `dim` (null = all); tied maxima share the gradient. */
export const amax = (x: Tensor, dim: Dims = null, opts: KeepDim = {}): Tensor =>
  extremum("max", "amax", x, dim, opts);
export const amin = (x: Tensor, dim: Dims = null, opts: KeepDim = {}): Tensor =>
  extremum("min", "amin", x, dim, opts);

/**
 * x − log Σ exp(x) along `dim` in one kernel, stable for any magnitude (logits of ±1000 stay finite).
 * Floating-point input only, as in PyTorch.
 */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  const axis = normalizeDim("logSoftmax", dim, x.ndim);
  check(isFloat(x.dtype), "logSoftmax", () => `expected a floating-point input, got ${x.dtype}`);
  if (x.ndim === 0) return reshape(logSoftmax(reshape(x, [1]), 0), []);
  const y = empty(x.shape, x.dtype, true);
  if (x.numel > 0) backend().logSoftmax(x.storage.array, x, axis, y.storage.array);
  if (!wantsGrad(x)) return y;
  // d log softmax(x) = dx − softmax(x) Σ dx: g − exp(y) Σ g
  const rule = (g: Tensor) => [sub(g, mul(exp(y), sum(g, axis, { keepdim: true })))];
  return record("logSoftmax", y, [x], rule, [y]);
}

function argReduce(op: "argmax" | "argmin", x: Tensor, dim: number | null, opts: KeepDim): Tensor {
  if (dim === null) {
    check(x.numel > 0, op, () => `cannot take ${op} of an empty tensor (shape ${fmtShape(x.shape)})`);
    const flat = reshape(x, [x.numel]);
    const y = empty(opts.keepdim ? x.shape.map(() => 1) : [], "int32");
    backend().argReduce(op, flat.storage.array, flat, 0, y.storage.array as Int32Array);
    return y;
  }
  const axis = normalizeDim(op, dim, x.ndim);
  if (x.ndim === 0) return empty([], "int32");
  check(x.shape[axis] > 0, op, () => `cannot reduce an empty dimension ${dim} of shape ${fmtShape(x.shape)}`);
  const { out, kept } = reducedShapes(x, [axis]);
  const y = empty(opts.keepdim ? kept : out, "int32");
  backend().argReduce(op, x.storage.array, x, axis, y.storage.array as Int32Array);
  return y;
}

/** Index (int32) of the first maximum along `dim`, or into the flattened tensor when dim is null. */
export const argmax = (x: Tensor, dim: number | null = null, opts: KeepDim = {}): Tensor =>
  argReduce("argmax", x, dim, opts);
export const argmin = (x: Tensor, dim: number | null = null, opts: KeepDim = {}): Tensor =>
  argReduce("argmin", x, dim, opts);
