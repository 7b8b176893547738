// One matrix product C = A·B on the cpu, any strides: direct loops for small or thin problems, and for
// larger ones the GotoBLAS shape in plain TypeScript — pack a K-block of B into column panels and 4 rows of A
// at a time into Float64Array scratch, then a 4×4 register-tiled micro-kernel (V8 does not vectorize, so
// the tile keeps 16 accumulators in registers and every load feeds 4 multiply-adds). Sums run in double
// precision; a float32 C is rounded once per K-block.
import type { TypedArray } from "../backend.js";

/** Operand layout: element (i, p) of A is a[ao + i·sam + p·sak]; (p, j) of B is b[bo + p·sbk + j·sbn]. */
export interface Gemm {
  m: number;
  n: number;
  k: number;
  a: TypedArray;
  ao: number;
  sam: number;
  sak: number;
  b: TypedArray;
  bo: number;
  sbk: number;
  sbn: number;
  /** C is row-major m × n from offset co. */
  c: TypedArray;
  co: number;
}

const MR = 4;
const NR = 4;
const KC = 512;
const NC = 512;
// Below this many multiply-adds packing costs more than it saves.
const DIRECT_MACS = 1 << 14;

// Scratch panels, grown on demand and reused (single-threaded, never visible outside gemm()).
let aPack = new Float64Array(MR * KC);
let bPack = new Float64Array(NC * KC);
let rowAcc = new Float64Array(64);
const tile = new Float64Array(MR * NR);

export function gemm(g: Gemm): void {
  if (g.m === 0 || g.n === 0) return;
  const macs = g.m * g.n * g.k;
  if (g.m >= MR && g.n >= NR && macs > DIRECT_MACS) blocked(g);
  else if (macs > DIRECT_MACS && Math.abs(g.sbn) <= Math.abs(g.sbk)) rowsOfB(g);
  else dots(g);
}

// C(i, j) = Σp A(i, p)·B(p, j) as dot products, four of a row at a time (each A element loaded once for
// four columns, the sums in registers): for B read down its columns cheaply (stored transposed, as x·Wᵀ
// has it). Every sum runs in order of p, in double, and is rounded once when stored.
// prettier-ignore
function dots({ m, n, k, a, ao, sam, sak, b, bo, sbk, sbn, c, co }: Gemm): void {
  const n4 = n - (n % 4);
  for (let i = 0; i < m; i++) {
    const ai = ao + i * sam;
    const ci = co + i * n;
    let j = 0;
    for (; j < n4; j += 4) {
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
      for (let p = 0, ia = ai, ib = bo + j * sbn; p < k; p++, ia += sak, ib += sbk) {
        const x = a[ia];
        c0 += x * b[ib]; c1 += x * b[ib + sbn]; c2 += x * b[ib + 2 * sbn]; c3 += x * b[ib + 3 * sbn];
      }
      c[ci + j] = c0; c[ci + j + 1] = c1; c[ci + j + 2] = c2; c[ci + j + 3] = c3;
    }
    for (; j < n; j++) {
      let acc = 0;
      for (let p = 0, ia = ai, ib = bo + j * sbn; p < k; p++, ia += sak, ib += sbk) acc += a[ia] * b[ib];
      c[ci + j] = acc;
    }
  }
}

// The same sums in the same order, accumulated a row at a time to stream along the rows of a large B.
// prettier-ignore
function rowsOfB({ m, n, k, a, ao, sam, sak, b, bo, sbk, sbn, c, co }: Gemm): void {
  if (rowAcc.length < n) rowAcc = new Float64Array(n);
  const acc = rowAcc;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) acc[j] = 0; // (a loop: TypedArray fill() is a ~70 ns runtime call)
    for (let p = 0, ia = ao + i * sam, ib = bo; p < k; p++, ia += sak, ib += sbk) {
      const aip = a[ia]; // no skipping of zeros: 0·Inf must give NaN
      for (let j = 0, jb = ib; j < n; j++, jb += sbn) acc[j] += aip * b[jb];
    }
    for (let j = 0; j < n; j++) c[co + i * n + j] = acc[j];
  }
}

function blocked(g: Gemm): void {
  const { m, n, k } = g;
  const kBlocks = Math.ceil(k / KC);
  const kc0 = Math.ceil(k / kBlocks);
  if (aPack.length < MR * kc0) aPack = new Float64Array(MR * kc0);
  const ncMax = Math.min(NC, roundUp(n, NR));
  if (bPack.length < ncMax * kc0) bPack = new Float64Array(ncMax * kc0);
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = Math.min(NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += kc0) {
      const kc = Math.min(kc0, k - p0);
      for (let jr = 0; jr < nc; jr += NR) packB(g, j0 + jr, Math.min(NR, nc - jr), p0, kc, jr * kc);
      for (let i0 = 0; i0 < m; i0 += MR) {
        const mr = Math.min(MR, m - i0);
        packA(g, i0, mr, p0, kc);
        for (let jr = 0; jr < nc; jr += NR) {
          kernel(kc, aPack, bPack, jr * kc, tile);
          store(g, i0, mr, j0 + jr, Math.min(NR, nc - jr), p0 > 0);
        }
      }
    }
  }
}

const roundUp = (x: number, q: number): number => Math.ceil(x / q) * q;

// aPack[p·MR + r] = A(i0 + r, p0 + p), zero rows past the edge.
function packA({ a, ao, sam, sak }: Gemm, i0: number, mr: number, p0: number, kc: number): void {
  const dst = aPack;
  for (let r = 0; r < MR; r++) {
    if (r >= mr) {
      for (let p = 0; p < kc; p++) dst[p * MR + r] = 0;
      continue;
    }
    for (let p = 0, s = ao + (i0 + r) * sam + p0 * sak; p < kc; p++, s += sak) dst[p * MR + r] = a[s];
  }
}

// bPack[off + p·NR + c] = B(p0 + p, j0 + c), zero columns past the edge.
// prettier-ignore
function packB({ b, bo, sbk, sbn }: Gemm, j0: number, nr: number, p0: number, kc: number, off: number): void {
  const dst = bPack;
  for (let c = 0; c < NR; c++) {
    if (c >= nr) {
      for (let p = 0; p < kc; p++) dst[off + p * NR + c] = 0;
      continue;
    }
    for (let p = 0, s = bo + p0 * sbk + (j0 + c) * sbn; p < kc; p++, s += sbk) dst[off + p * NR + c] = b[s];
  }
}

// tile = Apanel(4 × kc) · Bpanel(kc × 4), row-major.
// prettier-ignore
function kernel(kc: number, ap: Float64Array, bp: Float64Array, bo: number, out: Float64Array): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let p = 0, ia = 0, ib = bo; p < kc; p++, ia += 4, ib += 4) {
    const a0 = ap[ia], a1 = ap[ia + 1], a2 = ap[ia + 2], a3 = ap[ia + 3];
    const b0 = bp[ib], b1 = bp[ib + 1], b2 = bp[ib + 2], b3 = bp[ib + 3];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
  }
  out[0] = c00; out[1] = c01; out[2] = c02; out[3] = c03;
  out[4] = c10; out[5] = c11; out[6] = c12; out[7] = c13;
  out[8] = c20; out[9] = c21; out[10] = c22; out[11] = c23;
  out[12] = c30; out[13] = c31; out[14] = c32; out[15] = c33;
}

// Writes (first K-block) or adds (later ones) the valid mr × nr corner of the tile into C.
// prettier-ignore
function store({ c, co, n }: Gemm, i0: number, mr: number, j0: number, nr: number, add: boolean): void {
  for (let r = 0; r < mr; r++) {
    const row = co + (i0 + r) * n + j0;
    if (add) for (let q = 0; q < nr; q++) c[row + q] += tile[r * NR + q];
    else for (let q = 0; q < nr; q++) c[row + q] = tile[r * NR + q];
  }
}
