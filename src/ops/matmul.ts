// Matrix product with NumPy matmul semantics: 1-D operands are promoted and the added dim removed,
// leading batch dims broadcast. One primitive on ≥2-D operands; its rule is written with matmul itself.
import { backend } from "../backend/backend.js";
import { record, wantsGrad } from "../autograd/graph.js";
import { isFloat, promoteTypes } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { ChainruleError, check, fmtShape } from "../util/errors.js";
import { broadcastShapes } from "../util/shape.js";
import { cast } from "./elementwise.js";
import { reshape, permute } from "./movement.js";
import { broadcastView, empty } from "./support.js";

/** Swaps the last two dims (a view). */
export function mT(x: Tensor): Tensor {
  const r = x.ndim;
  const dims = new Array<number>(r);
  for (let i = 0; i < r; i++) dims[i] = i === r - 2 ? r - 1 : i === r - 1 ? r - 2 : i;
  return permute(x, dims);
}

function batched(a: Tensor, b: Tensor): Tensor {
  const dtype = promoteTypes(a.dtype, b.dtype);
  check(isFloat(dtype), "matmul", () => `expected floating-point operands, got ${a.dtype} and ${b.dtype}`);
  const ca = cast(a, dtype);
  const cb = cast(b, dtype);
  const m = a.shape[a.ndim - 2];
  const n = b.shape[b.ndim - 1];
  let y: Tensor;
  if (a.ndim === 2 && b.ndim === 2) {
    y = empty([m, n], dtype);
    backend().matmul(ca.data, ca, cb.data, cb, y.data);
  } else {
    const k = a.shape[a.ndim - 1];
    const batch = broadcastShapes("matmul", a.shape.slice(0, -2), b.shape.slice(0, -2));
    y = empty([...batch, m, n], dtype);
    const av = broadcastView(ca, [...batch, m, k]);
    backend().matmul(ca.data, av, cb.data, broadcastView(cb, [...batch, k, n]), y.data);
  }
  if (!wantsGrad(ca, cb)) return y;
  // d(AB) = dA B + A dB  →  gA = g Bᵀ, gB = Aᵀ g (summed over broadcast batch dims by the engine)
  return record(
    "matmul",
    y,
    [ca, cb],
    (g) => [ca.requiresGrad ? batched(g, mT(cb)) : null, cb.requiresGrad ? gradB(ca, cb, g) : null],
    [ca, cb],
  );
}

// Aᵀ g, or the same sums as (gᵀ A)ᵀ when B is a 2-D matrix stored transposed (x·Wᵀ): the gradient then
// comes out in W's own row-major layout, and the step back through the transpose needs no strided copy.
function gradB(a: Tensor, b: Tensor, g: Tensor): Tensor {
  const transposed = a.ndim === 2 && b.ndim === 2 && b.strides[0] === 1 && b.shape[1] > 1;
  return transposed ? mT(batched(mT(g), a)) : batched(mT(a), g);
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
