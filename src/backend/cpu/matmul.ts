// Batched matrix product on the cpu: walks the (broadcast) batch dims and hands each m×k · k×n product,
// whatever its strides, to gemm.ts (a direct loop when small, packed and register-tiled when not), then
// adds the bias to every stored row (a separate pass: the cpu backend is the spec, not the fast path).
import type { TypedArray, View } from "../backend.js";
import { gemm, type Gemm } from "./gemm.js";
import { Walker, contiguous } from "./walker.js";

// prettier-ignore
export function matmul(
  a: TypedArray, av: View, b: TypedArray, bv: View, out: TypedArray, bias?: TypedArray, bo = 0, relu = false,
): void {
  products(a, av, b, bv, out);
  const n = bv.shape[bv.shape.length - 1];
  if (bias && n > 0)
    for (let i = 0; i < out.length; i += n) for (let j = 0; j < n; j++) out[i + j] += bias[bo + j];
  if (relu) for (let i = 0; i < out.length; i++) if (out[i] <= 0) out[i] = 0;
}

function products(a: TypedArray, av: View, b: TypedArray, bv: View, out: TypedArray): void {
  const r = av.shape.length;
  const m = av.shape[r - 2];
  const k = av.shape[r - 1];
  const n = bv.shape[r - 1];
  // prettier-ignore
  const g: Gemm = {
    m, n, k, a, ao: av.offset, sam: av.strides[r - 2], sak: av.strides[r - 1],
    b, bo: bv.offset, sbk: bv.strides[r - 2], sbn: bv.strides[r - 1], c: out, co: 0,
  };
  if (r === 2) return gemm(g);
  const batchShape = av.shape.slice(0, r - 2);
  const batch = new Walker(
    batchShape,
    [av.strides.slice(0, r - 2), bv.strides.slice(0, r - 2), contiguous(batchShape)],
    [av.offset, bv.offset, 0],
  );
  for (let q = 0; q < batch.rows; q++, batch.next()) {
    for (let e = 0; e < batch.n; e++) {
      g.ao = batch.pos[0] + e * batch.inner[0];
      g.bo = batch.pos[1] + e * batch.inner[1];
      g.co = (batch.pos[2] + e * batch.inner[2]) * m * n;
      gemm(g);
    }
  }
}
