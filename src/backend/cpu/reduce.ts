// Reduction cpu kernels: sum/max/min over any set of axes, argmax/argmin along one axis. A dense input
// whose reduced axes form one leading or trailing block (sum over the batch, over the last dim, over
// all) is reduced by flat loops; anything else walks the kept and the reduced dims.
import type { ArgReduceOp, ReduceOp, TypedArray, View } from "../backend.js";
import { Walker, isDense } from "./walker.js";

/** Splits a view into the kept dims (outer walk) and the reduced dims (inner walk). */
function split(xv: View, axes: readonly number[]) {
  const keptShape: number[] = [];
  const keptStrides: number[] = [];
  const redShape: number[] = [];
  const redStrides: number[] = [];
  xv.shape.forEach((d, i) => {
    if (axes.includes(i)) {
      redShape.push(d);
      redStrides.push(xv.strides[i]);
    } else {
      keptShape.push(d);
      keptStrides.push(xv.strides[i]);
    }
  });
  return { keptShape, keptStrides, redShape, redStrides };
}

export function reduce(
  op: ReduceOp,
  x: TypedArray,
  xv: View,
  axes: readonly number[],
  out: TypedArray,
): void {
  if (isDense(xv) && denseReduce(op, x, xv, axes, out)) return;
  const { keptShape, keptStrides, redShape, redStrides } = split(xv, axes);
  const outer = new Walker(keptShape, [keptStrides], [xv.offset]);
  const inner = new Walker(redShape, [redStrides], [0]);
  const base = [0];
  let k = 0;
  for (let r = 0; r < outer.rows; r++, outer.next()) {
    for (let e = 0, b = outer.pos[0]; e < outer.n; e++, b += outer.inner[0]) {
      base[0] = b;
      inner.reset(base);
      out[k++] = reduceSlice(op, x, inner);
    }
  }
}

// One output element. A row's stride is 0 when the reduced dims are all size 1 (the walker drops them)
// or broadcast: that row repeats one value, so an end-pointer loop (i !== end) would never start.
function reduceSlice(op: ReduceOp, x: TypedArray, w: Walker): number {
  const s = w.inner[0];
  const n = w.n;
  let acc = op === "sum" ? 0 : op === "max" ? -Infinity : Infinity;
  for (let q = 0; q < w.rows; q++, w.next()) {
    let i = w.pos[0];
    const end = i + n * s;
    if (s === 0) acc = repeated(op, acc, x[i], n);
    else if (op === "sum") for (; i !== end; i += s) acc += x[i];
    else if (op === "max")
      for (; i !== end; i += s) {
        const v = x[i];
        if (v > acc || v !== v) acc = v;
      }
    else
      for (; i !== end; i += s) {
        const v = x[i];
        if (v < acc || v !== v) acc = v;
      }
    if (acc !== acc) return acc;
  }
  return acc;
}

// The reduced axes of a dense view as rows × len blocks: trailing (each output reduces one run of len) or
// leading (output j reduces rows elements len apart, summed in the same order as the walk would).
function denseReduce(
  op: ReduceOp,
  x: TypedArray,
  xv: View,
  axes: readonly number[],
  out: TypedArray,
): boolean {
  const r = xv.shape.length;
  const q = axes.length;
  if (q > 0 && axes[q - 1] >= r) return false; // a 0-d input reduced over "dim 0"
  const trailing = q === 0 || (axes[0] === r - q && axes[q - 1] === r - 1);
  const leading = !trailing && axes[0] === 0 && axes[q - 1] === q - 1;
  if (!trailing && !leading) return false;
  let red = 1;
  for (const a of axes) red *= xv.shape[a];
  let total = 1;
  for (const d of xv.shape) total *= d;
  if (red === 0 || total === 0) return false;
  const kept = total / red;
  if (trailing) for (let j = 0; j < kept; j++) out[j] = reduceRun(op, x, xv.offset + j * red, red);
  else reduceColumns(op, x, xv.offset, red, kept, out);
  return true;
}

function reduceRun(op: ReduceOp, x: TypedArray, i: number, n: number): number {
  const end = i + n;
  let acc = op === "sum" ? 0 : op === "max" ? -Infinity : Infinity;
  if (op === "sum") for (; i < end; i++) acc += x[i];
  else if (op === "max")
    for (; i < end; i++) {
      const v = x[i];
      if (v > acc || v !== v) acc = v;
    }
  else
    for (; i < end; i++) {
      const v = x[i];
      if (v < acc || v !== v) acc = v;
    }
  return acc;
}

// out[j] = op over r of x[o + r·len + j], with double accumulators (as the walk keeps them).
function reduceColumns(
  op: ReduceOp,
  x: TypedArray,
  o: number,
  rows: number,
  len: number,
  out: TypedArray,
): void {
  const acc = new Float64Array(len).fill(op === "sum" ? 0 : op === "max" ? -Infinity : Infinity);
  for (let r = 0, i = o; r < rows; r++, i += len) {
    if (op === "sum") for (let j = 0; j < len; j++) acc[j] += x[i + j];
    else if (op === "max")
      for (let j = 0; j < len; j++) {
        const v = x[i + j];
        if (v > acc[j] || v !== v) acc[j] = v;
      }
    else
      for (let j = 0; j < len; j++) {
        const v = x[i + j];
        if (v < acc[j] || v !== v) acc[j] = v;
      }
  }
  for (let j = 0; j < len; j++) out[j] = acc[j];
}

function repeated(op: ReduceOp, acc: number, v: number, n: number): number {
  if (op === "sum") {
    for (let e = 0; e < n; e++) acc += v;
    return acc;
  }
  if (v !== v) return v;
  return op === "max" ? (v > acc ? v : acc) : v < acc ? v : acc;
}

/** Index of the first extremum along `axis`; NaN counts as the extremum (as in PyTorch). */
export function argReduce(op: ArgReduceOp, x: TypedArray, xv: View, axis: number, out: Int32Array): void {
  const { keptShape, keptStrides } = split(xv, [axis]);
  const n = xv.shape[axis];
  const s = xv.strides[axis];
  const outer = new Walker(keptShape, [keptStrides], [xv.offset]);
  const sign = op === "argmax" ? 1 : -1;
  let k = 0;
  for (let r = 0; r < outer.rows; r++, outer.next()) {
    for (let e = 0, base = outer.pos[0]; e < outer.n; e++, base += outer.inner[0]) {
      let best = 0;
      let bv = x[base];
      for (let j = 1; j < n && bv === bv; j++) {
        const v = x[base + j * s];
        if (v !== v || sign * (v - bv) > 0) {
          best = j;
          bv = v;
        }
      }
      out[k++] = best;
    }
  }
}

/** out (contiguous, x's shape) = x − m − log Σ exp(x − m) along `axis`, m the max (0 when ±∞; NaN spreads). */
export function logSoftmax(x: TypedArray, xv: View, axis: number, out: TypedArray): void {
  const { keptShape, keptStrides } = split(xv, [axis]);
  const [n, s] = [xv.shape[axis], xv.strides[axis]];
  let after = 1;
  for (let d = axis + 1; d < xv.shape.length; d++) after *= xv.shape[d];
  const outer = new Walker(keptShape, [keptStrides], [xv.offset]);
  for (let r = 0, k = 0; r < outer.rows; r++, outer.next())
    for (let e = 0, base = outer.pos[0]; e < outer.n; e++, k++, base += outer.inner[0]) {
      let m = -Infinity;
      for (let j = 0; j < n; j++) {
        const v = x[base + j * s];
        if (v > m || v !== v) m = v;
      }
      if (m === Infinity || m === -Infinity) m = 0;
      let sum = 0;
      for (let j = 0; j < n; j++) sum += Math.exp(x[base + j * s] - m);
      const lse = Math.log(sum) + m;
      const o = (k - (k % after)) * n + (k % after);
      for (let j = 0; j < n; j++) out[o + j * after] = x[base + j * s] - lse;
    }
}
