// Batched matrix product on the cpu. Row-major B uses an i-k-j loop (streams rows of B and C);
// B stored transposed (x @ Wᵀ, the Linear layer's case) uses contiguous dot products. Other layouts
// are first copied to row-major, which costs O(n²) against the product's O(n³).
import type { TypedArray, View } from "../backend.js";
import { copy } from "./elementwise.js";
import { Walker, contiguous } from "./walker.js";

export function matmul(a: TypedArray, av: View, b: TypedArray, bv: View, out: TypedArray): void {
  const r = av.shape.length;
  const m = av.shape[r - 2];
  const k = av.shape[r - 1];
  const n = bv.shape[r - 1];
  const batchShape = av.shape.slice(0, r - 2);
  let [sam, sak] = av.strides.slice(r - 2);
  let [sbk, sbn] = bv.strides.slice(r - 2);
  let aOff = av.offset;
  let bOff = bv.offset;
  let aStrides = av.strides.slice(0, r - 2);
  let bStrides = bv.strides.slice(0, r - 2);
  if (sak !== 1 && m > 1 && k > 1) {
    ({ data: a, strides: aStrides } = packed(a, av));
    [sam, sak, aOff] = [k, 1, 0];
  }
  const bTransposed = sbk === 1 && k > 1;
  if (!bTransposed && sbn !== 1 && n > 1) {
    ({ data: b, strides: bStrides } = packed(b, bv));
    [sbk, sbn, bOff] = [n, 1, 0];
  }
  const batch = new Walker(batchShape, [aStrides, bStrides, contiguous(batchShape)], [aOff, bOff, 0]);
  for (let q = 0; q < batch.rows; q++, batch.next()) {
    for (let e = 0; e < batch.n; e++) {
      const ao = batch.pos[0] + e * batch.inner[0];
      const bo = batch.pos[1] + e * batch.inner[1];
      const co = (batch.pos[2] + e * batch.inner[2]) * m * n;
      if (bTransposed) dotKernel(a, ao, sam, sak, b, bo, sbn, out, co, m, n, k);
      else ikjKernel(a, ao, sam, sak, b, bo, sbk, sbn, out, co, m, n, k);
    }
  }
}

function packed(x: TypedArray, xv: View): { data: TypedArray; strides: number[] } {
  const size = xv.shape.reduce((p, d) => p * d, 1);
  const data = new (x.constructor as new (n: number) => TypedArray)(size);
  copy(x, xv, data);
  return { data, strides: contiguous(xv.shape).slice(0, -2) };
}

// prettier-ignore
function ikjKernel(
  a: TypedArray, ao: number, sam: number, sak: number, b: TypedArray, bo: number, sbk: number, sbn: number,
  c: TypedArray, co: number, m: number, n: number, k: number,
): void {
  for (let i = 0; i < m; i++) {
    const ci = co + i * n;
    for (let p = 0; p < k; p++) {
      // No skipping of zero aip: 0·Inf must give NaN here exactly as in dotKernel.
      const aip = a[ao + i * sam + p * sak];
      let bj = bo + p * sbk;
      for (let j = 0; j < n; j++, bj += sbn) c[ci + j] += aip * b[bj];
    }
  }
}

// prettier-ignore
function dotKernel(
  a: TypedArray, ao: number, sam: number, sak: number, b: TypedArray, bo: number, sbn: number,
  c: TypedArray, co: number, m: number, n: number, k: number,
): void {
  for (let i = 0; i < m; i++) {
    const ai = ao + i * sam;
    for (let j = 0; j < n; j++) {
      const bj = bo + j * sbn;
      let acc = 0;
      for (let p = 0; p < k; p++) acc += a[ai + p * sak] * b[bj + p];
      c[co + i * n + j] = acc;
    }
  }
}
