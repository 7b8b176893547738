// Matrix product with NumPy matmul semantics: 1-D operands are promoted and the added dim removed,
// leading batch dims broadcast. One primitive on ≥2-D operands; its rule is written with matmul itself.
// linear (x·Wᵀ + b) is a second primitive: the same product with the bias added as results are stored.
import { backend, type View } from "../backend/backend.js";
import { record, wantsGrad } from "../autograd/graph.js";
import { isFloat, promoteTypes } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { ChainruleError, check, fmtShape } from "../util/errors.js";
import { broadcastShapes, numel } from "../util/shape.js";
import { cast, relu } from "./elementwise.js";
import { contiguous, reshape, permute } from "./movement.js";
import { packedOperand } from "./packed.js";
import { sum } from "./reduce.js";
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
    y = empty([m, n], dtype, true);
    const packed = packedOperand(cb.storage, cb, m); // a constant right operand: W in the rule's g·W
    // prettier-ignore
    backend().matmul(ca.storage.array, ca, cb.storage.array, cb, y.storage.array, undefined, 0, false, packed);
  } else {
    const k = a.shape[a.ndim - 1];
    const batch = broadcastShapes("matmul", a.shape.slice(0, -2), b.shape.slice(0, -2));
    y = empty([...batch, m, n], dtype, true);
    const [av, bv] = [broadcastView(ca, [...batch, m, k]), broadcastView(cb, [...batch, k, n])];
    backend().matmul(ca.storage.array, av, cb.storage.array, bv, y.storage.array);
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

/**
 * Affine map `y = x·Wᵀ + b` (PyTorch's weight layout: out × in), one kernel call and one graph node.
 * @param x [*, in] or [in]
 * @param weight [out, in]
 * @param bias optional [out]
 * Shape: output [*, out] ([out] for a 1-D input).
 */
export const linear = (x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor =>
  affine(x, weight, bias, false);

/**
 * `relu(linear(x, W, b))`, what nn.Sequential runs for a Linear followed by a ReLU: when no gradient is
 * recorded the ReLU happens as the GEMM stores its results (no second pass, no second output).
 */
export function linearRelu(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  return recording(x, weight, bias) ? relu(affine(x, weight, bias, false)) : affine(x, weight, bias, true);
}

const recording = (x: Tensor, w: Tensor, b: Tensor | null): boolean =>
  wantsGrad(x, w) || (b !== null && wantsGrad(b));

// gᵀ·x, W's gradient; when nothing records, one kernel call on a transposed view of g, no permute op.
function weightGrad(g: Tensor, x: Tensor): Tensor {
  if (wantsGrad(g, x) || g.dtype !== x.dtype) return batched(mT(g), x);
  const y = empty([g.shape[1], x.shape[1]], g.dtype, true);
  backend().matmul(g.storage.array, transposed(g), x.storage.array, x, y.storage.array);
  return y;
}

// A 2-D tensor read transposed, as a backend view (no permute op, no tensor).
const transposed = (t: Tensor): View => ({
  shape: [t.shape[1], t.shape[0]],
  strides: [t.strides[1], t.strides[0]],
  offset: t.offset,
});

function affine(x: Tensor, weight: Tensor, bias: Tensor | null, withRelu: boolean): Tensor {
  const [nOut, nIn] = weight.shape;
  check(
    weight.ndim === 2 && x.ndim >= 1 && x.shape[x.ndim - 1] === nIn,
    "linear",
    () =>
      `input ${fmtShape(x.shape)} must end in the weight's in_features: weight is ${fmtShape(weight.shape)} (out × in)`,
  );
  const okBias = !bias || (bias.ndim === 1 && bias.shape[0] === nOut);
  check(okBias, "linear", () => `bias must have shape [${nOut}], got ${fmtShape(bias!.shape)}`);
  const dtype = promoteTypes(promoteTypes(x.dtype, weight.dtype), bias ? bias.dtype : weight.dtype);
  check(isFloat(dtype), "linear", () => `expected floating-point operands, got ${x.dtype}, ${weight.dtype}`);
  const lead = x.shape.slice(0, -1);
  const xs = cast(x.ndim === 2 ? x : reshape(x, [numel(lead), nIn]), dtype);
  const w = cast(weight, dtype);
  const b = bias && contiguous(cast(bias, dtype));
  const y = empty([...lead, nOut], dtype, true);
  const wt = transposed(w);
  const packed = packedOperand(w.storage, wt, xs.shape[0]);
  // prettier-ignore
  backend().matmul(xs.storage.array, xs, w.storage.array, wt, y.storage.array, b?.storage.array, b?.offset, withRelu, packed);
  if (withRelu || !recording(xs, w, b)) return y;
  // d(x·Wᵀ + b) = dx·Wᵀ + x·dWᵀ + db  →  gx = g·W, gW = gᵀ·x (in W's row-major layout), gb = Σ_rows g
  const rule = (g: Tensor) => {
    const g2 = reshape(g, [xs.shape[0], nOut]);
    const gx = xs.requiresGrad ? batched(g2, w) : null;
    return [gx, w.requiresGrad ? weightGrad(g2, xs) : null, b?.requiresGrad ? sum(g2, 0) : null];
  };
  return record("linear", y, b ? [xs, w, b] : [xs, w], rule, [xs, w]);
}
