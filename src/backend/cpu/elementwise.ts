// Elementwise cpu kernels: unary, binary (with broadcast views), comparisons, where and strided copy.
// Dense (and broadcast-scalar) operands skip the strided walk: one flat loop over the output.
import type { BinaryOp, CompareOp, TypedArray, UnaryOp, View } from "../backend.js";
import { erf, sigmoid } from "./math.js";
import { Walker, contiguous, flatStep, isDense, rowLength } from "./walker.js";

export function unary(op: UnaryOp, x: TypedArray, xv: View, out: TypedArray): void {
  if (isDense(xv)) return unaryRow(op, x, xv.offset, 1, out, 0, numel(xv));
  const w = new Walker(xv.shape, [xv.strides, contiguous(xv.shape)], [xv.offset, 0]);
  for (let r = 0; r < w.rows; r++, w.next()) unaryRow(op, x, w.pos[0], w.inner[0], out, w.pos[1], w.n);
}

function unaryRow(
  op: UnaryOp,
  x: TypedArray,
  i: number,
  s: number,
  o: TypedArray,
  k: number,
  n: number,
): void {
  const end = k + n;
  switch (op) {
    case "neg": for (; k < end; k++, i += s) o[k] = -x[i]; return; // prettier-ignore
    case "exp": for (; k < end; k++, i += s) o[k] = Math.exp(x[i]); return; // prettier-ignore
    case "log": for (; k < end; k++, i += s) o[k] = Math.log(x[i]); return; // prettier-ignore
    case "log1p": for (; k < end; k++, i += s) o[k] = Math.log1p(x[i]); return; // prettier-ignore
    case "expm1": for (; k < end; k++, i += s) o[k] = Math.expm1(x[i]); return; // prettier-ignore
    case "sqrt": for (; k < end; k++, i += s) o[k] = Math.sqrt(x[i]); return; // prettier-ignore
    case "abs": for (; k < end; k++, i += s) o[k] = Math.abs(x[i]); return; // prettier-ignore
    case "sign": for (; k < end; k++, i += s) o[k] = Math.sign(x[i]); return; // prettier-ignore
    case "tanh": for (; k < end; k++, i += s) o[k] = Math.tanh(x[i]); return; // prettier-ignore
    case "sigmoid": for (; k < end; k++, i += s) o[k] = sigmoid(x[i]); return; // prettier-ignore
    case "erf": for (; k < end; k++, i += s) o[k] = erf(x[i]); return; // prettier-ignore
    case "sin": for (; k < end; k++, i += s) o[k] = Math.sin(x[i]); return; // prettier-ignore
    case "cos": for (; k < end; k++, i += s) o[k] = Math.cos(x[i]); return; // prettier-ignore
    case "relu": for (; k < end; k++, i += s) o[k] = x[i] <= 0 ? 0 : x[i]; return; // prettier-ignore
    default:
      op satisfies never;
  }
}

export function binary(
  op: BinaryOp | CompareOp,
  a: TypedArray,
  av: View,
  b: TypedArray,
  bv: View,
  out: TypedArray,
): void {
  const n = numel(av);
  const sa = flatStep(av);
  const sb = flatStep(bv);
  if (sa >= 0 && sb >= 0) return binaryRow(op, a, av.offset, sa, b, bv.offset, sb, out, 0, n);
  // One dense operand and a row repeated over the leading dims (x + bias): a flat loop per row.
  const len = sa === 1 ? rowLength(bv) : sb === 1 ? rowLength(av) : -1;
  if (len > 0) {
    for (let k = 0; k < n; k += len) {
      const [ia, ib] = sa === 1 ? [av.offset + k, bv.offset] : [av.offset, bv.offset + k];
      binaryRow(op, a, ia, 1, b, ib, 1, out, k, len);
    }
    return;
  }
  const w = new Walker(av.shape, [av.strides, bv.strides, contiguous(av.shape)], [av.offset, bv.offset, 0]);
  const [ia, ib] = w.inner;
  for (let r = 0; r < w.rows; r++, w.next())
    binaryRow(op, a, w.pos[0], ia, b, w.pos[1], ib, out, w.pos[2], w.n);
}

// prettier-ignore
function binaryRow(
  op: BinaryOp | CompareOp, a: TypedArray, i: number, sa: number, b: TypedArray, j: number, sb: number,
  o: TypedArray, k: number, n: number,
): void {
  const end = k + n;
  switch (op) {
    case "add": for (; k < end; k++, i += sa, j += sb) o[k] = a[i] + b[j]; return;
    case "sub": for (; k < end; k++, i += sa, j += sb) o[k] = a[i] - b[j]; return;
    case "mul": for (; k < end; k++, i += sa, j += sb) o[k] = a[i] * b[j]; return;
    case "div": for (; k < end; k++, i += sa, j += sb) o[k] = a[i] / b[j]; return;
    case "pow": for (; k < end; k++, i += sa, j += sb) o[k] = Math.pow(a[i], b[j]); return;
    case "maximum": for (; k < end; k++, i += sa, j += sb) o[k] = Math.max(a[i], b[j]); return;
    case "minimum": for (; k < end; k++, i += sa, j += sb) o[k] = Math.min(a[i], b[j]); return;
    case "reluGrad": for (; k < end; k++, i += sa, j += sb) o[k] = b[j] <= 0 ? 0 : a[i]; return;
    case "tanhGrad": return activationGrad(true, a, i, sa, b, j, sb, o, k, n);
    case "sigmoidGrad": return activationGrad(false, a, i, sa, b, j, sb, o, k, n);
    case "eq": for (; k < end; k++, i += sa, j += sb) o[k] = a[i] === b[j] ? 1 : 0; return;
    case "ne": for (; k < end; k++, i += sa, j += sb) o[k] = a[i] !== b[j] ? 1 : 0; return;
    case "lt": for (; k < end; k++, i += sa, j += sb) o[k] = a[i] < b[j] ? 1 : 0; return;
    case "le": for (; k < end; k++, i += sa, j += sb) o[k] = a[i] <= b[j] ? 1 : 0; return;
    case "gt": for (; k < end; k++, i += sa, j += sb) o[k] = a[i] > b[j] ? 1 : 0; return;
    case "ge": for (; k < end; k++, i += sa, j += sb) o[k] = a[i] >= b[j] ? 1 : 0; return;
    default:
      op satisfies never;
  }
}

// g·(1 − y·y) (tanh) or g·(y·(1 − y)) (σ). In float32 every intermediate is rounded (Math.fround) as the
// separate float32 ops would round it; the last product is rounded by the store. (A float32 sum or
// product computed in double and rounded once is the correctly rounded float32 result.)
// prettier-ignore
function activationGrad(
  tanh: boolean, g: TypedArray, i: number, sg: number, y: TypedArray, j: number, sy: number,
  o: TypedArray, k: number, n: number,
): void {
  const end = k + n;
  const f32 = o instanceof Float32Array;
  if (tanh && f32) for (; k < end; k++, i += sg, j += sy) o[k] = g[i] * Math.fround(1 - Math.fround(y[j] * y[j]));
  else if (tanh) for (; k < end; k++, i += sg, j += sy) o[k] = g[i] * (1 - y[j] * y[j]);
  else if (f32) for (; k < end; k++, i += sg, j += sy) o[k] = g[i] * Math.fround(y[j] * Math.fround(1 - y[j]));
  else for (; k < end; k++, i += sg, j += sy) o[k] = g[i] * (y[j] * (1 - y[j]));
}

export function where(
  c: TypedArray,
  cv: View,
  a: TypedArray,
  av: View,
  b: TypedArray,
  bv: View,
  out: TypedArray,
): void {
  const [sc, sa, sb] = [flatStep(cv), flatStep(av), flatStep(bv)];
  if (sc >= 0 && sa >= 0 && sb >= 0) {
    let [ic, ia, ib] = [cv.offset, av.offset, bv.offset];
    for (let k = 0, n = numel(cv); k < n; k++, ic += sc, ia += sa, ib += sb) out[k] = c[ic] ? a[ia] : b[ib];
    return;
  }
  const w = new Walker(
    cv.shape,
    [cv.strides, av.strides, bv.strides, contiguous(cv.shape)],
    [cv.offset, av.offset, bv.offset, 0],
  );
  const [tc, ta, tb] = w.inner;
  for (let r = 0; r < w.rows; r++, w.next()) {
    let [ic, ia, ib, k] = w.pos;
    for (const end = k + w.n; k < end; k++, ic += tc, ia += ta, ib += tb) out[k] = c[ic] ? a[ia] : b[ib];
  }
}

export function copy(x: TypedArray, xv: View, out: TypedArray, ov?: View): void {
  if (isDense(xv) && (!ov || isDense(ov))) return copyRun(x, xv.offset, out, ov ? ov.offset : 0, numel(xv));
  const os = ov ? ov.strides : contiguous(xv.shape);
  const w = new Walker(xv.shape, [xv.strides, os], [xv.offset, ov ? ov.offset : 0]);
  const [s, so] = w.inner;
  for (let r = 0; r < w.rows; r++, w.next()) {
    let [i, k] = w.pos;
    for (let e = 0; e < w.n; e++, i += s, k += so) out[k] = x[i];
  }
}

// A run of n elements; a typed-array set() (memmove) when the types match and the run is long enough to
// pay for the subarray view it needs.
function copyRun(x: TypedArray, i: number, out: TypedArray, k: number, n: number): void {
  if (n > 32 && x.constructor === out.constructor) out.set(x.subarray(i, i + n) as never, k);
  else for (let e = 0; e < n; e++) out[k + e] = x[i + e];
}

function numel(v: View): number {
  let n = 1;
  for (let d = 0; d < v.shape.length; d++) n *= v.shape[d];
  return n;
}
