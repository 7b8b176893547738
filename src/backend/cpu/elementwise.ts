// Elementwise cpu kernels: unary, binary (with broadcast views), comparisons, where and strided copy.
import type { BinaryOp, CompareOp, TypedArray, UnaryOp, View } from "../backend.js";
import { erf, sigmoid } from "./math.js";
import { Walker, contiguous } from "./walker.js";

export function unary(op: UnaryOp, x: TypedArray, xv: View, out: TypedArray): void {
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
  const w = new Walker(av.shape, [av.strides, bv.strides, contiguous(av.shape)], [av.offset, bv.offset, 0]);
  const [sa, sb] = w.inner;
  for (let r = 0; r < w.rows; r++, w.next())
    binaryRow(op, a, w.pos[0], sa, b, w.pos[1], sb, out, w.pos[2], w.n);
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

export function where(
  c: TypedArray,
  cv: View,
  a: TypedArray,
  av: View,
  b: TypedArray,
  bv: View,
  out: TypedArray,
): void {
  const w = new Walker(
    cv.shape,
    [cv.strides, av.strides, bv.strides, contiguous(cv.shape)],
    [cv.offset, av.offset, bv.offset, 0],
  );
  const [sc, sa, sb] = w.inner;
  for (let r = 0; r < w.rows; r++, w.next()) {
    let [ic, ia, ib, k] = w.pos;
    for (const end = k + w.n; k < end; k++, ic += sc, ia += sa, ib += sb) out[k] = c[ic] ? a[ia] : b[ib];
  }
}

export function copy(x: TypedArray, xv: View, out: TypedArray, ov?: View): void {
  const os = ov ? ov.strides : contiguous(xv.shape);
  const w = new Walker(xv.shape, [xv.strides, os], [xv.offset, ov ? ov.offset : 0]);
  const [s, so] = w.inner;
  if (w.rows === 1 && s === 1 && so === 1 && x.constructor === out.constructor) {
    out.set(x.subarray(xv.offset, xv.offset + w.n) as never, w.pos[1]);
    return;
  }
  for (let r = 0; r < w.rows; r++, w.next()) {
    let [i, k] = w.pos;
    for (let e = 0; e < w.n; e++, i += s, k += so) out[k] = x[i];
  }
}
