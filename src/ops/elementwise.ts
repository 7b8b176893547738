// Elementwise primitives: unary math, binary arithmetic with broadcasting, comparisons, where, cast.
// Each rule sits beside its forward, its derivative in the comment; rules return output-shaped
// gradients and the engine undoes broadcasting.
import { backend, type BinaryOp, type CompareOp, type UnaryOp } from "../backend/backend.js";
import { record, wantsGrad } from "../autograd/graph.js";
import { isFloat, promoteTypes, type DType } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { check } from "../util/errors.js";
import { broadcastShapes, sameShape } from "../util/shape.js";
import { broadcastView, empty, toTensor, type Arg } from "./support.js";

type UnaryRule = (g: Tensor, x: Tensor, y: Tensor) => Tensor;

const TWO_OVER_SQRT_PI = 1.1283791670955126;

// prettier-ignore
const unaryRules: { [P in UnaryOp]: UnaryRule } = {
  neg: (g) => neg(g),                                        // d(-x) = -dx
  exp: (g, _x, y) => mul(g, y),                              // d eˣ = eˣ dx
  log: (g, x) => div(g, x),                                  // d ln x = dx / x
  log1p: (g, x) => div(g, add(x, 1)),                        // d ln(1+x) = dx / (1+x)
  expm1: (g, _x, y) => mul(g, add(y, 1)),                    // d (eˣ-1) = eˣ dx
  sqrt: (g, _x, y) => div(g, mul(y, 2)),                     // d √x = dx / (2√x)
  abs: (g, x) => mul(g, sign(x)),                            // d |x| = sign(x) dx, sign(0) = 0
  sign: (g) => mul(g, 0),                                    // flat almost everywhere
  tanh: (g, _x, y) => tanhGrad(g, y),                        // d tanh x = (1 - tanh²x) dx, one pass
  sigmoid: (g, _x, y) => sigmoidGrad(g, y),                  // d σ(x) = σ(1-σ) dx, one pass
  erf: (g, x) => mul(g, mul(exp(neg(mul(x, x))), TWO_OVER_SQRT_PI)), // d erf x = 2/√π e^(-x²) dx
  sin: (g, x) => mul(g, cos(x)),                             // d sin x = cos x dx
  cos: (g, x) => neg(mul(g, sin(x))),                        // d cos x = -sin x dx
  relu: (g, _x, y) => reluGrad(g, y),                        // d relu x = [x > 0] dx (one fused pass)
};

function unary(op: UnaryOp, x: Tensor): Tensor {
  const keep = isFloat(x.dtype) || op === "neg" || op === "abs" || op === "sign" || op === "relu";
  const dtype = keep ? x.dtype : "float32";
  const y = empty(x.shape, dtype === "bool" ? "int32" : dtype, true);
  backend().unary(op, x.storage.array, x, y.storage.array);
  if (!wantsGrad(x)) return y;
  return record(op, y, [x], (g) => [unaryRules[op](g, x, y)], [x, y]);
}

export const neg = (x: Tensor): Tensor => unary("neg", x);
export const exp = (x: Tensor): Tensor => unary("exp", x);
export const log = (x: Tensor): Tensor => unary("log", x);
export const log1p = (x: Tensor): Tensor => unary("log1p", x);
export const expm1 = (x: Tensor): Tensor => unary("expm1", x);
export const sqrt = (x: Tensor): Tensor => unary("sqrt", x);
export const abs = (x: Tensor): Tensor => unary("abs", x);
export const sign = (x: Tensor): Tensor => unary("sign", x);
export const tanh = (x: Tensor): Tensor => unary("tanh", x);
/** σ(x) = 1/(1+e^-x), computed without overflow for any x. */
export const sigmoid = (x: Tensor): Tensor => unary("sigmoid", x);
export const erf = (x: Tensor): Tensor => unary("erf", x);
export const sin = (x: Tensor): Tensor => unary("sin", x);
export const cos = (x: Tensor): Tensor => unary("cos", x);
/**
 * max(0, x); NaN propagates and the gradient at 0 is 0 (PyTorch's choices). A primitive, not
 * where(le(x, 0), 0, x): one pass each way instead of two plus a bool temporary.
 */
export const relu = (x: Tensor): Tensor => unary("relu", x);

type BinaryRule = (g: Tensor, a: Tensor, b: Tensor, y: Tensor) => [Tensor | null, Tensor | null];

// Where both inputs tie, maximum/minimum split the gradient evenly (PyTorch's choice).
const tieWeight = (win: Tensor, tie: Tensor, g: Tensor): Tensor =>
  add(cast(win, g.dtype), mul(cast(tie, g.dtype), 0.5));

// prettier-ignore
const binaryRules: { [P in BinaryOp]: BinaryRule } = {
  add: (g) => [g, g],                                        // d(a+b) = da + db
  sub: (g, _a, b) => [g, b.requiresGrad ? neg(g) : null],    // d(a-b) = da - db
  mul: (g, a, b) => [a.requiresGrad ? mul(g, b) : null, b.requiresGrad ? mul(g, a) : null], // d(ab) = b da + a db
  div: (g, a, b) => [div(g, b), b.requiresGrad ? neg(div(mul(g, a), mul(b, b))) : null], // d(a/b) = da/b - a db/b²
  // d aᵇ = b aᵇ⁻¹ da + aᵇ ln a db; PyTorch masks da where b = 0 and db where a = 0, b ≥ 0
  pow: (g, a, b, y) => [
    a.requiresGrad ? where(eq(b, 0), 0, mul(g, mul(b, pow(a, sub(b, 1))))) : null,
    b.requiresGrad ? where(logicalAnd(eq(a, 0), ge(b, 0)), 0, mul(g, mul(y, log(a)))) : null,
  ],
  maximum: (g, a, b) => { const w = tieWeight(gt(a, b), eq(a, b), g); return [mul(g, w), mul(g, sub(1, w))]; },
  minimum: (g, a, b) => { const w = tieWeight(lt(a, b), eq(a, b), g); return [mul(g, w), mul(g, sub(1, w))]; },
  reluGrad: (g, _a, b) => [reluGrad(g, b), null],            // linear in a; flat in b almost everywhere
  // t(g, y) = g(1-y²): dt = (1-y²) dg - 2gy dy
  tanhGrad: (g, a, b) => [
    a.requiresGrad ? tanhGrad(g, b) : null,
    b.requiresGrad ? mul(g, mul(mul(a, b), -2)) : null,
  ],
  // s(g, y) = g·y(1-y): ds = y(1-y) dg + g(1-2y) dy
  sigmoidGrad: (g, a, b) => [
    a.requiresGrad ? sigmoidGrad(g, b) : null,
    b.requiresGrad ? mul(g, mul(a, sub(1, mul(b, 2)))) : null,
  ],
};

function binary(op: BinaryOp, a: Arg, b: Arg): Tensor {
  const ta = a instanceof Tensor ? a : operand(op, a, b);
  const tb = b instanceof Tensor ? b : operand(op, b, a);
  const dtype = promoteTypes(ta.dtype, tb.dtype);
  const outType = op === "div" && !isFloat(dtype) ? "float32" : dtype === "bool" ? "int32" : dtype;
  const shape = outShape(op, ta, tb);
  const y = empty(shape, outType, true);
  binaryKernel(op, ta, tb, shape, y);
  if (!wantsGrad(ta, tb)) return y;
  return record(op, y, [ta, tb], (g) => binaryRules[op](g, ta, tb, y), [ta, tb, y]);
}

// The backend call of binary ops and comparisons, both operands broadcast to `shape`.
function binaryKernel(op: BinaryOp | CompareOp, ta: Tensor, tb: Tensor, shape: readonly number[], y: Tensor) {
  const a = ta.storage.array;
  const b = tb.storage.array;
  backend().binary(op, a, broadcastView(ta, shape), b, broadcastView(tb, shape), y.storage.array);
}

/** `x` as a tensor; a number takes its type from `other` (at least one of the two is a Tensor). */
function operand(op: string, x: Arg, other: Arg): Tensor {
  if (typeof x !== "number") return toTensor(op, x, "float32");
  check(typeof other !== "number", op, () => "expected at least one Tensor operand");
  return toTensor(op, x, (other as Tensor).dtype);
}

function outShape(op: string, a: Tensor, b: Tensor): readonly number[] {
  if (a.shape === b.shape || b.shape.length === 0 || sameShape(a.shape, b.shape)) return a.shape;
  return a.ndim === 0 ? b.shape : broadcastShapes(op, a.shape, b.shape);
}

function operands(op: string, a: Arg, b: Arg): [Tensor, Tensor, DType] {
  const ta = operand(op, a, b);
  const tb = operand(op, b, a);
  return [ta, tb, promoteTypes(ta.dtype, tb.dtype)];
}

export const add = (a: Arg, b: Arg): Tensor => binary("add", a, b);
export const sub = (a: Arg, b: Arg): Tensor => binary("sub", a, b);
export const mul = (a: Arg, b: Arg): Tensor => binary("mul", a, b);
/** True division (integer inputs give float32). */
export const div = (a: Arg, b: Arg): Tensor => binary("div", a, b);
export const pow = (a: Arg, b: Arg): Tensor => binary("pow", a, b);
/** Elementwise maximum; NaN propagates; ties send half the gradient to each input. */
export const maximum = (a: Arg, b: Arg): Tensor => binary("maximum", a, b);
export const minimum = (a: Arg, b: Arg): Tensor => binary("minimum", a, b);
const reluGrad = (g: Tensor, y: Tensor): Tensor => binary("reluGrad", g, y);
const tanhGrad = (g: Tensor, y: Tensor): Tensor => binary("tanhGrad", g, y);
const sigmoidGrad = (g: Tensor, y: Tensor): Tensor => binary("sigmoidGrad", g, y);

function compare(op: CompareOp, a: Arg, b: Arg): Tensor {
  const ta = operand(op, a, b);
  const tb = operand(op, b, a);
  const shape = outShape(op, ta, tb);
  const y = empty(shape, "bool");
  binaryKernel(op, ta, tb, shape, y);
  return y;
}

export const eq = (a: Arg, b: Arg): Tensor => compare("eq", a, b);
export const ne = (a: Arg, b: Arg): Tensor => compare("ne", a, b);
export const lt = (a: Arg, b: Arg): Tensor => compare("lt", a, b);
export const le = (a: Arg, b: Arg): Tensor => compare("le", a, b);
export const gt = (a: Arg, b: Arg): Tensor => compare("gt", a, b);
export const ge = (a: Arg, b: Arg): Tensor => compare("ge", a, b);
export const logicalAnd = (a: Tensor, b: Tensor): Tensor => ne(mul(cast(a, "int32"), cast(b, "int32")), 0);
export const logicalOr = (a: Tensor, b: Tensor): Tensor => ne(add(cast(a, "int32"), cast(b, "int32")), 0);
export const logicalNot = (a: Tensor): Tensor => eq(a, 0);

/** cond ? a : b, all three broadcast together; the gradient goes to the branch that was taken. */
export function where(cond: Tensor, a: Arg, b: Arg): Tensor {
  check(cond.dtype === "bool", "where", () => `condition must be a bool tensor, got ${cond.dtype}`);
  const [ta, tb, dtype] = operands("where", a, b);
  const shape = broadcastShapes("where", cond.shape, ta.shape, tb.shape);
  const y = empty(shape, dtype, true);
  const be = backend();
  be.where(
    cond.storage.array,
    broadcastView(cond, shape),
    ta.storage.array,
    broadcastView(ta, shape),
    tb.storage.array,
    broadcastView(tb, shape),
    y.storage.array,
  );
  if (!wantsGrad(ta, tb)) return y;
  // d where(c, a, b) = where(c, da, db)
  return record("where", y, [cond, ta, tb], (g) => [null, where(cond, g, 0), where(cond, 0, g)], [cond]);
}

/** Converts to `dtype` (float → int truncates toward zero; → bool is `x != 0`). */
export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  if (dtype === "bool") return ne(x, 0);
  const y = empty(x.shape, dtype, true);
  backend().copy(x.storage.array, x, y.storage.array);
  if (!isFloat(dtype) || !isFloat(x.dtype) || !wantsGrad(x)) return y;
  return record("cast", y, [x], (g) => [cast(g, x.dtype)]); // d cast(x) = dx, in x's precision
}
