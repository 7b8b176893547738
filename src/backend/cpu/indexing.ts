// Index kernels on the cpu: gather along a dim and its adjoint, scatter-add.
import type { TypedArray, View } from "../backend.js";
import { Walker, contiguous } from "./walker.js";

export function gather(
  x: TypedArray,
  xv: View,
  idx: Int32Array,
  iv: View,
  dim: number,
  out: TypedArray,
): void {
  const xs = xv.strides.map((s, d) => (d === dim ? 0 : s));
  const w = new Walker(iv.shape, [iv.strides, xs, contiguous(iv.shape)], [iv.offset, xv.offset, 0]);
  const [si, sx] = w.inner;
  const sd = xv.strides[dim];
  for (let r = 0; r < w.rows; r++, w.next()) {
    let [i, p, k] = w.pos;
    for (const end = k + w.n; k < end; k++, i += si, p += sx) out[k] = x[p + idx[i] * sd];
  }
}

// prettier-ignore
export function scatterAdd(
  out: TypedArray, outShape: readonly number[], idx: Int32Array, iv: View, src: TypedArray, sv: View, dim: number,
): void {
  const cs = contiguous(outShape);
  const os = cs.map((s, d) => (d === dim ? 0 : s));
  const w = new Walker(iv.shape, [iv.strides, sv.strides, os], [iv.offset, sv.offset, 0]);
  const [si, ss, so] = w.inner;
  const sd = cs[dim];
  for (let r = 0; r < w.rows; r++, w.next()) {
    let [i, s, o] = w.pos;
    for (let e = 0; e < w.n; e++, i += si, s += ss, o += so) out[o + idx[i] * sd] += src[s];
  }
}
