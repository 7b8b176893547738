// Outputs of products, elementwise ops and casts of 16 KiB and more come from Node's Buffer.allocUnsafeSlow,
// not zero-filled (src/tensor/dtype.ts allocateUnfilled): the kernels must write every element, whatever
// the memory held.
import v8 from "node:v8";
import vm from "node:vm";
import { afterAll, describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";
import { backend } from "../../src/backend/backend.js";
import { nativeLimits } from "../../src/backend/native/index.js";
import { allocateUnfilled } from "../../src/tensor/dtype.js";
import { linearRelu } from "../../src/ops/matmul.js";

const F = cr.nn.functional;
type T = cr.Tensor;

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

/** Frees NaN-filled blocks of the outputs' sizes, so that the next outputs reuse that memory. */
function churn(): void {
  for (let i = 0; i < 8; i++) allocateUnfilled(i % 2 ? "float64" : "float32", 256 * 512).fill(NaN);
  gc();
}

const same = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  for (let i = 0; i < b.length; i++) if (!Object.is(a[i], b[i])) return i;
  return a.length === b.length ? -1 : b.length;
};

describe("unfilled outputs", () => {
  it("are fresh float arrays of the requested length (zero-filled below 16 KiB or for integers)", () => {
    const [a, b] = [allocateUnfilled("float32", 8192), allocateUnfilled("float32", 8192)];
    expect(a).toBeInstanceOf(Float32Array);
    expect(a.length).toBe(8192);
    expect(a.buffer).not.toBe(b.buffer);
    expect(allocateUnfilled("float64", 4096)).toBeInstanceOf(Float64Array);
    expect(Array.from(allocateUnfilled("float32", 100)).every((v) => v === 0)).toBe(true);
    expect(Array.from(allocateUnfilled("int32", 8192)).every((v) => v === 0)).toBe(true);
  });

  for (const name of cr.listBackends())
    describe(`on backend ${name}`, () => {
      const [before, saved] = [cr.getBackend(), { ...nativeLimits }];
      afterAll(() => {
        cr.setBackend(before);
        Object.assign(nativeLimits, saved);
      });

      it.each([["float32"], ["float64"]] as const)("k = 0 products are exact zeros (+ bias), %s", (dtype) => {
        cr.setBackend(name);
        nativeLimits.minElements = nativeLimits.minMatmulMacs = 0; // k = 0 products reach the addon too
        const b = cr.randn([512], { dtype });
        for (let r = 0; r < 3; r++) {
          churn();
          const y = cr.matmul(cr.zeros([256, 0], { dtype }), cr.zeros([0, 512], { dtype }));
          expect(same(y.toTypedArray(), new Float64Array(256 * 512))).toBe(-1);
          churn();
          const x = cr.zeros([256, 0], { dtype });
          const w = cr.zeros([512, 0], { dtype });
          const bias = b.expand([256, 512]).toTypedArray();
          expect(same(F.linear(x, w, b).toTypedArray(), bias)).toBe(-1);
          churn();
          const fused = cr.noGrad(() => linearRelu(x, w, b));
          expect(same(fused.toTypedArray(), b.relu().expand([256, 512]).toTypedArray())).toBe(-1);
        }
      });

      it("elementwise outputs (unary, broadcast binary, where, cast) are written everywhere", () => {
        cr.setBackend(name);
        cr.manualSeed(12);
        const [x, row] = [cr.randn([256, 512]), cr.randn([512])];
        const [xs, rs] = [x.toTypedArray(), row.toTypedArray()];
        const cases: [() => T, (i: number) => number][] = [
          [() => x.relu(), (i) => (xs[i] <= 0 ? 0 : xs[i])],
          [() => x.add(row), (i) => Math.fround(xs[i] + rs[i % 512])],
          [() => cr.where(x.gt(0), x, row), (i) => (xs[i] > 0 ? xs[i] : rs[i % 512])],
          [() => x.double(), (i) => xs[i]],
        ];
        for (const [f, want] of cases) {
          churn();
          const y = f().toTypedArray();
          expect(
            same(
              y,
              Float64Array.from({ length: xs.length }, (_, i) => want(i)),
            ),
          ).toBe(-1);
        }
      });

      it("products equal the same kernel writing into zeroed memory, bit for bit", () => {
        cr.setBackend(name);
        cr.manualSeed(11);
        const cases: [T, T][] = [
          [cr.randn([256, 784]), cr.randn([784, 512])],
          [cr.randn([3, 70, 40]), cr.randn([40, 90])],
          [cr.randn([300, 70], { dtype: "float64" }), cr.randn([70, 60], { dtype: "float64" })],
        ];
        for (const [a, b] of cases) {
          churn();
          const y = cr.matmul(a, b);
          const ref = new (a.dtype === "float64" ? Float64Array : Float32Array)(y.numel);
          const bv = { shape: [...a.shape.slice(0, -2), ...b.shape], strides: [0, ...b.strides], offset: 0 };
          const view = a.ndim === 3 ? bv : b;
          backend().matmul(a.data, a, b.data, view, ref);
          expect(same(y.toTypedArray(), ref)).toBe(-1);
        }
      });
    });
});
