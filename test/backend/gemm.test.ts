// GEMM fuzz for every registered backend (cpu included) against a float64 triple loop: random shapes with
// 0, 1, primes and sizes that are not multiples of any tile, transposed, strided, offset and broadcast-batch
// operands, in float32 and float64; the native backend on each kernel set this CPU supports, with one
// thread and with all of them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";
import { backend, type Backend, type TypedArray, type View } from "../../src/backend/backend.js";
import { nativeKernels, nativeLimits, selectKernels } from "../../src/backend/native/index.js";
import { FLOATS, alloc, expectClose, fill, int, numel, randomView, rng, type Kind } from "./support.js";

const DIMS = [0, 1, 2, 3, 5, 7, 8, 13, 16, 17, 31, 33, 64, 97, 130];

/** C = A·B and |A|·|B| in float64, straight from the definition (the error scale of each element). */
function reference(a: TypedArray, av: View, b: TypedArray, bv: View) {
  const r = av.shape.length;
  const [m, k, n] = [av.shape[r - 2], av.shape[r - 1], bv.shape[r - 1]];
  const batch = av.shape.slice(0, r - 2);
  const c = new Float64Array(numel(batch) * m * n);
  const s = new Float64Array(c.length);
  for (let q = 0; q < numel(batch); q++) {
    let [ao, bo, rest] = [av.offset, bv.offset, q];
    for (let d = batch.length - 1; d >= 0; d--) {
      const i = rest % batch[d];
      rest = Math.floor(rest / batch[d]);
      [ao, bo] = [ao + i * av.strides[d], bo + i * bv.strides[d]];
    }
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let [acc, abs] = [0, 0];
        for (let p = 0; p < k; p++) {
          const x = a[ao + i * av.strides[r - 2] + p * av.strides[r - 1]] * b[bo + p * bv.strides[r - 2] + j * bv.strides[r - 1]]; // prettier-ignore
          [acc, abs] = [acc + x, abs + Math.abs(x)];
        }
        [c[(q * m + i) * n + j], s[(q * m + i) * n + j]] = [acc, abs];
      }
  }
  return { c, s };
}

/** Sizes from DIMS, or (big) up to 300, or (deep) K of 1000-1700: two to four K blocks of unequal size. */
function fuzz(be: Backend, kind: Kind, seed: number, cases: number, size = "small"): void {
  const r = rng(seed);
  for (let c = 0; c < cases; c++) {
    const pick = () => (size === "big" ? int(r, 1, 300) : DIMS[int(r, 0, DIMS.length - 1)]);
    const [m, k, n] = [pick(), size === "deep" ? int(r, 1000, 1700) : pick(), pick()];
    const batch = r() < 0.3 ? [int(r, 1, 3), int(r, 1, 2)].slice(0, int(r, 1, 2)) : [];
    const a = randomView(r, [...batch, m, k], true);
    const b = randomView(r, [...batch, k, n], true);
    const [da, db] = [fill(r, kind, a.size, false), fill(r, kind, b.size, false)];
    const out = alloc(kind, numel(batch) * m * n);
    // Half the cases carry a bias epilogue (n values at a random offset into a longer array).
    const bo = r() < 0.5 ? int(r, 0, 3) : -1;
    const bias = bo >= 0 ? fill(r, kind, n + bo + int(r, 0, 2), false) : undefined;
    // Half the 2-D cases read B from the backend's packing of it, where it has one.
    const packed = batch.length === 0 && r() < 0.5 ? be.packMatmulB?.(db, b.view, m) : null;
    be.matmul(da, a.view, db, b.view, out, bias, bo, false, packed ?? undefined);
    const ref = reference(da, a.view, db, b.view);
    for (let i = 0; bias && i < ref.c.length; i++) {
      ref.c[i] += bias[bo + (i % n)];
      ref.s[i] += Math.abs(bias[bo + (i % n)]);
    }
    // float32: recursive summation in any order is off by at most ≈ k·2⁻²⁴ · Σ|a·b| (plus the rounding of C).
    const rtol = kind === "float64" ? 1e-12 : Math.max(1e-6, (k + 2) * 6e-8);
    expectClose(out, ref.c, rtol, `matmul ${kind} ${JSON.stringify([a.view, b.view])}`, ref.s);
  }
}

/**
 * The epilogue rounds like separate ops: out = round(round(a·b) + bias), then relu's x ≤ 0 ? 0 : x (NaN
 * kept), bit for bit; with a bias, a relu, or both.
 */
function epilogueExact(be: Backend, kind: Kind, seed: number): void {
  const r = rng(seed);
  for (let c = 0; c < 60; c++) {
    const [m, k, n] = [DIMS[int(r, 0, DIMS.length - 1)], int(r, 0, 600), DIMS[int(r, 0, DIMS.length - 1)]];
    const a = randomView(r, [m, k], true);
    const b = randomView(r, [k, n], true);
    const [da, db] = [fill(r, kind, a.size), fill(r, kind, b.size)];
    const bias = c % 3 === 2 ? undefined : fill(r, kind, n + 1);
    const relu = c % 3 !== 0;
    const [fused, plain] = [alloc(kind, m * n), alloc(kind, m * n)];
    be.matmul(da, a.view, db, b.view, fused, bias, 1, relu);
    be.matmul(da, a.view, db, b.view, plain);
    for (let i = 0; bias && i < plain.length; i++) plain[i] += bias[1 + (i % n)];
    for (let i = 0; relu && i < plain.length; i++) if (plain[i] <= 0) plain[i] = 0;
    const what = `epilogue bias=${!!bias} relu=${relu} ${kind} ${JSON.stringify([a.view, b.view])}`;
    expect(fused, what).toEqual(plain);
  }
}

/**
 * The layout of the operands never changes the bits: A read in place (rows with unit column stride) or
 * packed (column-major A, or rows 4 KiB apart), B packed from row-major storage or transposed (x·Wᵀ's
 * weight, packed by 8 × 8 register transposes), split over threads or not: all give the same result.
 */
function layoutExact(be: Backend, kind: Kind, seed: number): void {
  const r = rng(seed);
  // [m, k, n]: partial micro-tiles, several K blocks, K not a multiple of 8, the W4 layers, 4 KiB rows
  const shapes = [
    [37, 781, 45],
    [256, 784, 512],
    [256, 256, 10],
    [7, 13, 17],
    [13, 1024, 33],
    [50, 3, 200],
  ];
  for (const [m, k, n] of shapes) {
    // finite values: with NaN and ±∞ among them nearly every element of a deep product would be NaN
    const [da, db] = [fill(r, kind, m * k, false), fill(r, kind, k * n, false)];
    const [at, bt] = [alloc(kind, m * k), alloc(kind, k * n)];
    for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) at[p * m + i] = da[i * k + p];
    for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) bt[j * k + p] = db[p * n + j];
    const aViews: View[] = [
      { shape: [m, k], strides: [k, 1], offset: 0 },
      { shape: [m, k], strides: [1, m], offset: 0 },
    ];
    const bViews: View[] = [
      { shape: [k, n], strides: [n, 1], offset: 0 },
      { shape: [k, n], strides: [1, k], offset: 0 },
    ];
    const bias = fill(r, kind, n);
    // B as stored, then B packed ahead of time (packMatmulB) from each of its layouts
    const outs = [false, true].flatMap((pack) =>
      aViews.flatMap((av, ia) =>
        bViews.map((bv, ib) => {
          const out = alloc(kind, m * n);
          const packed = pack ? be.packMatmulB!(ib ? bt : db, bv, m)! : undefined;
          be.matmul(ia ? at : da, av, ib ? bt : db, bv, out, bias, 0, true, packed);
          return out;
        }),
      ),
    );
    // Object.is: -0 ≠ +0, any NaN = NaN (which NaN payload survives depends on the operand order of an FMA)
    const diff = outs.map((o) => o.findIndex((v, q) => !Object.is(v, outs[0][q])));
    const what = `layouts of ${kind} [${m}, ${k}]·[${k}, ${n}]: first differing element`;
    expect(diff, what).toEqual(outs.map(() => -1));
  }
}

for (const name of cr.listBackends()) {
  describe(`matmul on backend ${name}`, () => {
    let be: Backend;
    const saved = { ...nativeLimits };
    const threads = cr.getNumThreads();
    beforeAll(() => {
      cr.setBackend(name);
      be = backend();
      nativeLimits.minElements = nativeLimits.minMatmulMacs = 0;
    });
    afterAll(() => {
      Object.assign(nativeLimits, saved);
      cr.setNumThreads(threads);
      selectKernels("auto");
    });

    if (name !== "native") {
      it.each([...FLOATS])("fuzzed shapes, %s", (kind) => {
        fuzz(be, kind, 5, 150);
        fuzz(be, kind, 50, 4, "big");
        fuzz(be, kind, 51, 2, "deep");
      });
      it.each([...FLOATS])("bias/relu epilogue = separate ops, bit for bit, %s", (kind) =>
        epilogueExact(be, kind, 9),
      );
      return;
    }
    for (const isa of ["avx512", "avx2", "generic"]) {
      // A kernel set this CPU cannot run is reported as skipped, with the reason in its name.
      const runs = selectKernels(isa);
      selectKernels("auto");
      describe.skipIf(!runs)(`${isa} kernels${runs ? "" : " (not supported by this CPU)"}`, () => {
        beforeAll(() => selectKernels(isa));
        for (const t of [1, Math.max(2, threads)]) {
          it.each([...FLOATS])(`fuzzed shapes, %s, ${t} thread(s)`, (kind) => {
            cr.setNumThreads(t);
            fuzz(be, kind, 7 + t, 150);
            fuzz(be, kind, 70 + t, 6, "big");
            fuzz(be, kind, 80 + t, 3, "deep");
          });
          it.each([...FLOATS])(`operand layouts give the same bits, %s, ${t} thread(s)`, (kind) => {
            cr.setNumThreads(t);
            layoutExact(be, kind, 30 + t);
          });
          it.each([...FLOATS])(
            `bias/relu epilogue = separate ops, bit for bit, %s, ${t} thread(s)`,
            (kind) => {
              cr.setNumThreads(t);
              epilogueExact(be, kind, 90 + t);
            },
          );
        }
      });
    }

    it("reads B from a packing made for its shape by the kernel set in use, and ignores any other", () => {
      cr.setNumThreads(threads);
      selectKernels("auto");
      const own = nativeKernels();
      const r = rng(12);
      const [m, k, n] = [40, 600, 70];
      const bv: View = { shape: [k, n], strides: [1, k], offset: 0 };
      const av: View = { shape: [m, k], strides: [k, 1], offset: 0 };
      const [a, b, other] = [fill(r, "float32", m * k, false), fill(r, "float32", k * n, false), fill(r, "float32", k * n, false)]; // prettier-ignore
      const product = (bb: TypedArray, packed?: ReturnType<NonNullable<Backend["packMatmulB"]>>) => {
        const out = new Float32Array(m * n);
        be.matmul(a, av, bb, bv, out, undefined, 0, false, packed ?? undefined);
        return out;
      };
      // The packing of `other` stands in for b: proof that matmul reads it.
      const packed = be.packMatmulB!(other, bv, m)!;
      expect(product(b, packed)).toEqual(product(other));
      // Made for another shape, by another kernel set, or not a packing at all: b itself is read.
      const wrongShape = be.packMatmulB!(other, { shape: [k, n - 1], strides: [1, k], offset: 0 }, m)!;
      expect(product(b, wrongShape)).toEqual(product(b));
      expect(product(b, new Uint8Array(packed.byteLength))).toEqual(product(b));
      expect(product(b, new Uint8Array(10))).toEqual(product(b));
      for (const isa of ["avx512", "avx2", "generic"].filter((name) => name !== own)) {
        if (!selectKernels(isa)) continue; // not supported by this CPU
        expect(product(b, packed), isa).toEqual(product(b));
      }
      selectKernels("auto");
      // No packing where the kernels would not read one: matrix-vector shapes.
      expect(be.packMatmulB!(other, bv, 2)).toBeNull();
    });

    it("runs the best kernel set this CPU supports by default", () => {
      selectKernels("auto");
      const best = ["avx512", "avx2", "generic"].find((k) => selectKernels(k));
      selectKernels("auto");
      expect(nativeKernels()).toBe(best);
    });
  });
}
