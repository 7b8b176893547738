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
  const s = inner.inner[0];
  let k = 0;
  for (let r = 0; r < outer.rows; r++, outer.next()) {
    for (let e = 0, base = outer.pos[0]; e < outer.n; e++, base += outer.inner[0]) {
      inner.reset([base]);
      let acc = op === "sum" ? 0 : op === "max" ? -Infinity : Infinity;
      for (let q = 0; q < inner.rows; q++, inner.next()) {
        let i = inner.pos[0];
        const end = i + inner.n * s;
        if (op === "sum") for (; i !== end; i += s) acc += x[i];
        else if (op === "max")
          for (; i !== end; i += s) {
            const v = x[i];
            if (v > acc || v !== v) acc = v;
            if (acc !== acc) break;
          }
        else
          for (; i !== end; i += s) {
            const v = x[i];
            if (v < acc || v !== v) acc = v;
            if (acc !== acc) break;
          }
        if (acc !== acc && op !== "sum") break;
      }
      out[k++] = acc;
    }
  }
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
