// The chain rule in words: for each recorded op, its local derivative and the vector-Jacobian product its
// backward rule computes, as short strings for graph labels and backprop traces. Display text only; the
// rules themselves live beside their forwards in src/ops.
import type { BinaryOp, UnaryOp } from "../backend/backend.js";

/** Every op name that `record` is called with in the library. */
export type RecordedOp =
  | UnaryOp
  | BinaryOp
  | "where"
  | "cast"
  | "sum"
  | "amax"
  | "amin"
  | "gather"
  | "scatterAdd"
  | "contiguous"
  | "reshape"
  | "permute"
  | "expand"
  | "slice"
  | "sliceBackward"
  | "cat"
  | "matmul"
  | "linear"
  | "binaryCrossEntropy";

/** How one op passes gradients back: `derivative` in differentials, `vjp` per input (g = the output's gradient, y = the output). */
export interface OpFormula {
  derivative: string;
  vjp: string;
}

// prettier-ignore
export const OP_FORMULAS: { [P in RecordedOp]: OpFormula } = {
  neg: { derivative: "d(−x) = −dx", vjp: "−g" },
  exp: { derivative: "d exp(x) = exp(x) dx", vjp: "g·y" },
  log: { derivative: "d ln x = dx / x", vjp: "g / x" },
  log1p: { derivative: "d ln(1+x) = dx / (1+x)", vjp: "g / (1+x)" },
  expm1: { derivative: "d (eˣ − 1) = eˣ dx", vjp: "g·(y+1)" },
  sqrt: { derivative: "d √x = dx / (2√x)", vjp: "g / (2y)" },
  abs: { derivative: "d |x| = sign(x) dx", vjp: "g·sign(x)" },
  sign: { derivative: "d sign(x) = 0", vjp: "0" },
  tanh: { derivative: "d tanh x = (1 − tanh²x) dx", vjp: "g·(1 − y²)" },
  sigmoid: { derivative: "d σ(x) = σ(x)(1 − σ(x)) dx", vjp: "g·y(1 − y)" },
  erf: { derivative: "d erf x = (2/√π) e^(−x²) dx", vjp: "g·(2/√π) e^(−x²)" },
  sin: { derivative: "d sin x = cos x dx", vjp: "g·cos x" },
  cos: { derivative: "d cos x = −sin x dx", vjp: "−g·sin x" },
  relu: { derivative: "d relu(x) = [x > 0] dx", vjp: "g·[y > 0]" },
  add: { derivative: "d(a + b) = da + db", vjp: "g, g" },
  sub: { derivative: "d(a − b) = da − db", vjp: "g, −g" },
  mul: { derivative: "d(a·b) = b da + a db", vjp: "g·b, g·a" },
  div: { derivative: "d(a/b) = da/b − a db/b²", vjp: "g/b, −g·a/b²" },
  pow: { derivative: "d aᵇ = b aᵇ⁻¹ da + aᵇ ln a db", vjp: "g·b·aᵇ⁻¹, g·y·ln a" },
  maximum: { derivative: "d max(a,b) = [a>b] da + [a<b] db", vjp: "g·[a>b], g·[a<b] (ties ½)" },
  minimum: { derivative: "d min(a,b) = [a<b] da + [a>b] db", vjp: "g·[a<b], g·[a>b] (ties ½)" },
  reluGrad: { derivative: "d (a·[y > 0]) = [y > 0] da", vjp: "g·[y > 0], –" },
  tanhGrad: { derivative: "d (a(1 − y²)) = (1 − y²) da − 2ay dy", vjp: "g·(1 − y²), −2g·a·y" },
  sigmoidGrad: { derivative: "d (a·y(1 − y)) = y(1 − y) da + a(1 − 2y) dy", vjp: "g·y(1 − y), g·a(1 − 2y)" },
  where: { derivative: "d where(c,a,b) = where(c, da, db)", vjp: "–, where(c,g,0), where(c,0,g)" },
  cast: { derivative: "d cast(x) = dx", vjp: "cast(g)" },
  sum: { derivative: "d Σx = Σ dx", vjp: "g broadcast to x" },
  amax: { derivative: "d max x = dx at the max (ties share)", vjp: "g·[x = max] / count" },
  amin: { derivative: "d min x = dx at the min (ties share)", vjp: "g·[x = min] / count" },
  gather: { derivative: "d x[idx] = dx[idx]", vjp: "scatterAdd(0, idx, g)" },
  scatterAdd: { derivative: "d scatterAdd(s, idx, u) = ds + scatter(du)", vjp: "g, gather(g, idx)" },
  contiguous: { derivative: "d copy(x) = dx", vjp: "g" },
  reshape: { derivative: "d reshape(x) = reshape(dx)", vjp: "reshape(g, x.shape)" },
  permute: { derivative: "d permute(x) = permute(dx)", vjp: "permute⁻¹(g)" },
  expand: { derivative: "d expand(x) = expand(dx)", vjp: "g summed over the expanded dims" },
  slice: { derivative: "d x[s] = dx[s]", vjp: "zeros with g at s" },
  sliceBackward: { derivative: "d pad(u) = pad(du)", vjp: "g[s]" },
  cat: { derivative: "d cat(x₀, x₁, …) = cat(dx₀, dx₁, …)", vjp: "g cut into pieces" },
  matmul: { derivative: "d(AB) = dA·B + A·dB", vjp: "g·Bᵀ, Aᵀ·g" },
  linear: { derivative: "d(x·Wᵀ + b) = dx·Wᵀ + x·dWᵀ + db", vjp: "g·W, gᵀ·x, Σ g over rows" },
  binaryCrossEntropy: { derivative: "∂ℓ/∂p = (p − t) / (p(1 − p))", vjp: "g·(p − t)/max(p(1−p), ε), g·ln((1−p)/p)" },
};

/** The formulas of a recorded op by name (a generic placeholder for an op missing from the table). */
export function opFormula(op: string): OpFormula {
  if (Object.hasOwn(OP_FORMULAS, op)) return OP_FORMULAS[op as RecordedOp];
  return { derivative: `d ${op}(x) = J·dx`, vjp: `${op} vjp` };
}
