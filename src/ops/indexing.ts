// Index primitives: gather along a dim and scatter-add, each the other's adjoint. indexSelect and
// maskedSelect are composed from gather in composite.ts.
import { backend } from "../backend/backend.js";
import { record } from "../autograd/graph.js";
import { promoteTypes } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { check, fmtShape } from "../util/errors.js";
import { normalizeDim } from "../util/shape.js";
import { cast } from "./elementwise.js";
import { contiguous, slice } from "./movement.js";
import { empty } from "./support.js";

/** Validates an index tensor: int32, and every value in [0, size). */
export function checkIndex(op: string, index: Tensor, size: number, what: string): void {
  check(index.dtype === "int32", op, () => `index must be an int32 tensor, got ${index.dtype}`);
  const c = contiguous(index);
  for (let i = 0; i < c.numel; i++) {
    const v = c.storage.array[c.offset + i];
    check(v >= 0 && v < size, op, () => `index ${v} is out of range for ${what} of size ${size}`);
  }
}

function checkGatherShapes(op: string, x: Tensor, dim: number, index: Tensor): number {
  const d = normalizeDim(op, dim, x.ndim);
  check(
    index.ndim === x.ndim,
    op,
    () =>
      `index ${fmtShape(index.shape)} must have the same number of dims as the input ${fmtShape(x.shape)}`,
  );
  index.shape.forEach((n, i) =>
    check(
      i === d || n <= x.shape[i],
      op,
      () => `index ${fmtShape(index.shape)} is larger than the input ${fmtShape(x.shape)} in dim ${i}`,
    ),
  );
  checkIndex(op, index, x.shape[d] ?? 1, `dim ${dim}`);
  return d;
}

/** out[p] = x[p with p[dim] replaced by index[p]]; the output has index's shape. */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = checkGatherShapes("gather", x, dim, index);
  const y = empty(index.shape, x.dtype);
  backend().gather(x.storage.array, x, index.storage.array as Int32Array, index, d, y.storage.array);
  // d gather = scatter-add of dy into zeros (repeated indices accumulate)
  return record("gather", y, [x], (g) => [scatterAdd(empty(x.shape, g.dtype), d, index, g)]);
}

/** A copy of `self` with src[p] added at p with p[dim] replaced by index[p]. */
export function scatterAdd(self: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const d = checkGatherShapes("scatterAdd", self, dim, index);
  check(
    src.ndim === index.ndim && index.shape.every((n, i) => n <= src.shape[i]),
    "scatterAdd",
    () =>
      `src ${fmtShape(src.shape)} must be at least as large as index ${fmtShape(index.shape)} in every dim`,
  );
  let s = src;
  index.shape.forEach((n, i) => (s = n < s.shape[i] ? slice(s, i, 0, n) : s));
  const dtype = promoteTypes(self.dtype, s.dtype);
  const y = contiguous(cast(self, dtype), true).detach();
  const idx = index.storage.array as Int32Array;
  backend().scatterAdd(y.storage.array, y.shape, idx, index, s.storage.array, s, d);
  // d scatterAdd(self, src) = (dy, gather(dy))
  return record("scatterAdd", y, [self, s], (g) => [g, gather(g, d, index)]);
}
