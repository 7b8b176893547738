// Reduction cpu kernels: sum/max/min over any set of axes, argmax/argmin along one axis.
import type { ArgReduceOp, ReduceOp, TypedArray, View } from "../backend.js";
import { Walker } from "./walker.js";

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
