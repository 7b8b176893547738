// Small helpers every op file uses: fresh outputs, scalar operands, broadcast views.
import type { View } from "../backend/backend.js";
import { allocateOutput, allocateUnfilled, isFloat, type DType } from "../tensor/dtype.js";
import { Storage } from "../tensor/storage.js";
import { Tensor } from "../tensor/tensor.js";
import { check } from "../util/errors.js";
import { contiguousStrides, normalizeDim, numel, sameShape } from "../util/shape.js";

export type Arg = Tensor | number;
export interface KeepDim {
  keepdim?: boolean;
}

/** A fresh contiguous tensor, zero-filled unless `overwritten` (its kernel writes every element). */
export function empty(shape: readonly number[], dtype: DType, overwritten = false): Tensor {
  const r = shape.length; // ranks 0-2 inline: nearly every output of a small training step
  const n = r === 2 ? shape[0] * shape[1] : r === 1 ? shape[0] : numel(shape);
  const strides = r === 2 ? [shape[1], 1] : r === 1 ? [1] : contiguousStrides(shape);
  const data = overwritten ? allocateUnfilled(dtype, n) : allocateOutput(dtype, n);
  return new Tensor(new Storage(data), shape, strides, 0, dtype);
}

/** A tensor of `t`'s shape and dtype filled with `value`, not connected to any graph. */
export function onesLikeOf(t: Tensor, value: number): Tensor {
  const out = empty(t.shape, t.dtype);
  if (value !== 0) out.storage.array.fill(value);
  return out;
}

/**
 * A JS number becomes a 0-d tensor of the float `dtype` it meets (numbers never promote a float tensor);
 * beside int32/bool tensors it is int32 when integral, else float32 (PyTorch's rule for Python scalars).
 */
export function toTensor(op: string, x: Arg, dtype: DType): Tensor {
  if (x instanceof Tensor) return x;
  check(typeof x === "number", op, () => `expected a Tensor or a number, got ${typeof x}`);
  const type = isFloat(dtype) ? dtype : Number.isInteger(x) ? "int32" : "float32";
  const cache = scalars[type];
  const hit = Object.is(x, -0) ? undefined : cache.get(x); // a Map holds -0 and 0 as one key
  if (hit) return hit;
  const t = empty([], type);
  t.storage.array[0] = x;
  if (Object.is(x, -0)) return t;
  if (cache.size >= 64) cache.clear();
  cache.set(x, t);
  return t;
}

// Operands that are numbers become cached 0-d tensors (ops only read them): the same few constants (the
// 1 of σ' and tanh', a mean's count) return on every step, and a fresh 0-d tensor costs as much as an op.
const scalars: Record<DType, Map<number, Tensor>> = {
  float32: new Map(),
  float64: new Map(),
  int32: new Map(),
  bool: new Map(),
};

/** The view of `t` broadcast to `shape` (stride 0 along repeated dims). Shapes must be compatible. */
export function broadcastView(t: View, shape: readonly number[]): View {
  if (t.shape === shape || sameShape(t.shape, shape)) return t;
  const lead = shape.length - t.shape.length;
  const strides = new Array<number>(shape.length);
  for (let i = 0; i < shape.length; i++)
    strides[i] = i < lead || (t.shape[i - lead] === 1 && shape[i] !== 1) ? 0 : t.strides[i - lead];
  return { shape, strides, offset: t.offset };
}

export function dimArg(op: string, dim: number, rank: number): number {
  return normalizeDim(op, dim, rank);
}
