// Matrix product with NumPy matmul semantics: 1-D operands are promoted and the added dim removed,
// leading batch dims broadcast. One primitive on ≥2-D operands; its rule is written with matmul itself.
import { backend } from "../backend/backend.js";
import { record } from "../autograd/graph.js";
import { isFloat, promoteTypes } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { ChainruleError, check, fmtShape } from "../util/errors.js";
import { broadcastShapes } from "../util/shape.js";
import { cast } from "./elementwise.js";
import { reshape, permute } from "./movement.js";
import { broadcastView, empty } from "./support.js";

/** Swaps the last two dims (a view). */
export function mT(x: Tensor): Tensor {
  const dims = x.shape.map((_, i) => i);
  [dims[x.ndim - 2], dims[x.ndim - 1]] = [dims[x.ndim - 1], dims[x.ndim - 2]];
  return permute(x, dims);
}

function batched(a: Tensor, b: Tensor): Tensor {
  const m = a.shape[a.ndim - 2];
  const k = a.shape[a.ndim - 1];
  const n = b.shape[b.ndim - 1];
  const batch = broadcastShapes("matmul", a.shape.slice(0, -2), b.shape.slice(0, -2));
  const dtype = promoteTypes(a.dtype, b.dtype);
  check(isFloat(dtype), "matmul", () => `expected floating-point operands, got ${a.dtype} and ${b.dtype}`);
  const [ca, cb] = [cast(a, dtype), cast(b, dtype)];
  const y = empty([...batch, m, n], dtype);
  backend().matmul(
    ca.data,
    broadcastView(ca, [...batch, m, k]),
    cb.data,
    broadcastView(cb, [...batch, k, n]),
    y.data,
  );
  // d(AB) = dA B + A dB  →  gA = g Bᵀ, gB = Aᵀ g (summed over broadcast batch dims by the engine)
  return record(
    "matmul",
    y,
    [ca, cb],
    (g) => [ca.requiresGrad ? batched(g, mT(cb)) : null, cb.requiresGrad ? batched(mT(ca), g) : null],
    [ca, cb],
  );
}

/** Matrix product: dot for 1-D·1-D, matrix-vector, and batched matrix products with broadcasting. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  check(
    a.ndim > 0 && b.ndim > 0,
    "matmul",
    () =>
      `both arguments need at least 1 dimension, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`,
  );
  const ka = a.shape[a.ndim - 1];
  const kb = b.shape[b.ndim === 1 ? 0 : b.ndim - 2];
  if (ka !== kb)
    throw new ChainruleError(
      "matmul",
      `cannot multiply ${fmtShape(a.shape)} by ${fmtShape(b.shape)}: inner dimensions ${ka} and ${kb} differ`,
    );
  const a2 = a.ndim === 1 ? reshape(a, [1, ka]) : a;
  const b2 = b.ndim === 1 ? reshape(b, [kb, 1]) : b;
  const y = batched(a2, b2);
  if (a.ndim > 1 && b.ndim > 1) return y;
  const shape = y.shape.slice();
  if (b.ndim === 1) shape.pop();
  if (a.ndim === 1) shape.splice(shape.length - (b.ndim === 1 ? 1 : 2), 1);
  return reshape(y, shape);
}
