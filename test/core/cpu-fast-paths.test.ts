// The cpu backend's fast paths against slow, obviously-correct references: the packed GEMM (and its direct
// loops) against a float64 triple loop; the flat elementwise and reduction loops against the same ops on
// strided copies of the data (which take the general walk); the fused optimizer updates against the
// tensor-op updates (float64 and non-contiguous parameters take those), bit for bit.
import { describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";
import { cpuBackend as cpu } from "../../src/backend/cpu/index.js";
import type { TypedArray, View } from "../../src/backend/backend.js";
import { rng } from "../backend/support.js";

const bits = (x: TypedArray): number[] => Array.from(x, (v) => (Object.is(v, -0) ? -0.5e-300 : v));

/** A matrix operand of shape [rows, cols] at a random offset, row-major, column-major or with a stride gap. */
function operand(r: () => number, rows: number, cols: number, f32: boolean) {
  const layout = Math.floor(r() * 3);
  const gap = layout === 2 ? 3 : 1;
  const offset = Math.floor(r() * 5);
  const size = offset + rows * cols * gap + 8;
  const data = f32 ? new Float32Array(size) : new Float64Array(size);
  for (let i = 0; i < size; i++) data[i] = r() * 2 - 1;
  const strides = layout === 1 ? [1, rows] : [cols * gap, gap];
  const view: View = { shape: [rows, cols], strides, offset };
  const at = (i: number, j: number) => data[offset + i * strides[0] + j * strides[1]];
  return { data, view, at };
}

describe("cpu GEMM", () => {
  // Direct loops (tiny, thin, either B layout), the packed path with edges (m, n not multiples of 4),
  // several K-blocks (k > 512) and several N-blocks (n > 512).
  const shapes = [
    [1, 1, 1],
    [3, 5, 7],
    [1, 300, 40],
    [40, 1, 300],
    [2, 9, 700],
    [37, 41, 43],
    [64, 64, 64],
    [5, 13, 1100],
    [9, 600, 30],
    [130, 17, 0],
  ];
  for (const f32 of [true, false])
    it.each(shapes)(`matches a float64 triple loop, m=%i n=%i k=%i (${f32 ? "f32" : "f64"})`, (m, n, k) => {
      const r = rng(m * 7919 + n * 31 + k);
      for (let rep = 0; rep < 3; rep++) {
        const a = operand(r, m, k, f32);
        const b = operand(r, k, n, f32);
        const out = f32 ? new Float32Array(m * n) : new Float64Array(m * n);
        cpu.matmul(a.data, a.view, b.data, b.view, out);
        for (let i = 0; i < m; i++)
          for (let j = 0; j < n; j++) {
            let ref = 0;
            for (let p = 0; p < k; p++) ref += a.at(i, p) * b.at(p, j);
            // double accumulation, rounded at most once per 512-long K-block
            expect(Math.abs(out[i * n + j] - ref)).toBeLessThanOrEqual(
              f32 ? 4e-7 * (Math.abs(ref) + 1) : 1e-13,
            );
          }
      }
    });

  it("keeps 0·Inf = NaN in the packed path", () => {
    const a = cr.zeros([8, 64], { dtype: "float64" });
    const b = cr.ones([64, 8], { dtype: "float64" });
    b.data[5 * 8 + 3] = Infinity;
    const y = cr.matmul(a, b).toArray() as number[][];
    expect(y[2][3]).toBeNaN();
    expect(y[2][2]).toBe(0);
  });
});

describe("flat elementwise loops agree with the strided walk", () => {
  const r = rng(7);
  const rand = (shape: number[]) => cr.tensor(Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => r() * 4 - 2), { shape }); // prettier-ignore
  // the same values, laid out column-major (so no fast path applies)
  const strided = (t: cr.Tensor) => t.T.contiguous().T;

  it("binary: dense, scalar and row-broadcast operands", () => {
    const x = rand([6, 10]);
    const y = rand([6, 10]);
    const bias = rand([10]);
    for (const op of ["add", "sub", "mul", "div", "maximum", "pow"] as const) {
      expect(bits(cr[op](x, y).toTypedArray())).toEqual(bits(cr[op](strided(x), strided(y)).toTypedArray()));
      expect(bits(cr[op](x, bias).toTypedArray())).toEqual(bits(cr[op](strided(x), bias).toTypedArray()));
      expect(bits(cr[op](bias, x).toTypedArray())).toEqual(bits(cr[op](bias, strided(x)).toTypedArray()));
      expect(bits(cr[op](x, 1.5).toTypedArray())).toEqual(bits(cr[op](strided(x), 1.5).toTypedArray()));
    }
    expect(bits(cr.lt(x, y).toTypedArray())).toEqual(bits(cr.lt(strided(x), strided(y)).toTypedArray()));
  });

  it("unary, where and copy", () => {
    const x = rand([5, 7]);
    expect(bits(x.tanh().toTypedArray())).toEqual(bits(strided(x).tanh().toTypedArray()));
    const c = x.gt(0);
    const ref = cr.where(strided(c), strided(x), strided(x.neg())).toTypedArray();
    expect(bits(cr.where(c, x, x.neg()).toTypedArray())).toEqual(bits(ref));
    expect(bits(cr.where(c, 0, x).toTypedArray())).toEqual(
      bits(cr.where(strided(c), 0, strided(x)).toTypedArray()),
    );
    expect(bits(x.slice(0, 1, 4).clone().toTypedArray())).toEqual(
      bits(strided(x).slice(0, 1, 4).clone().toTypedArray()),
    );
  });

  it("reductions over leading, trailing, middle and all dims, NaN included", () => {
    const x = rand([4, 3, 5]);
    x.data[17] = NaN;
    const xs = x.permute(2, 1, 0).contiguous().permute(2, 1, 0);
    for (const dims of [[0], [0, 1], [2], [1, 2], [1], [0, 2], null])
      for (const op of ["sum", "amax", "amin"] as const)
        expect(bits(x[op](dims).toTypedArray())).toEqual(bits(xs[op](dims).toTypedArray()));
  });
});

describe("fused optimizer updates equal the tensor-op updates bit for bit", () => {
  // The same parameter twice: contiguous (fused path) and transposed (tensor-op path).
  function run(make: (ps: cr.Tensor[]) => cr.optim.Optimizer): void {
    const r = rng(11);
    const w = cr.tensor(
      Float32Array.from({ length: 12 }, () => r() * 2 - 1),
      { shape: [3, 4] },
    );
    const fast = w.clone().requiresGrad_();
    const slow = w.T.contiguous().T.detach().requiresGrad_();
    expect(slow.isContiguous()).toBe(false);
    const [a, b] = [make([fast]), make([slow])];
    for (let step = 0; step < 6; step++) {
      const g = cr.tensor(Float32Array.from({ length: 12 }, () => (step === 2 ? 0 : r() * 2 - 1)), { shape: [3, 4] }); // prettier-ignore
      fast.grad = g.clone();
      slow.grad = g.clone();
      a.step();
      b.step();
      expect(bits(fast.toTypedArray())).toEqual(bits(slow.toTypedArray()));
    }
  }
  const { SGD, Adam, AdamW } = cr.optim;
  it("SGD, every option", () => {
    run((ps) => new SGD(ps, { lr: 0.1 }));
    run((ps) => new SGD(ps, { lr: 0.1, momentum: 0.9, dampening: 0.3, weightDecay: 0.05 }));
    run((ps) => new SGD(ps, { lr: 0.07, momentum: 0.8, nesterov: true, maximize: true }));
  });
  it("Adam and AdamW, every option", () => {
    run((ps) => new Adam(ps, { lr: 0.01 }));
    run((ps) => new Adam(ps, { lr: 0.01, weightDecay: 0.1, amsgrad: true, maximize: true }));
    run((ps) => new AdamW(ps, { lr: 0.02, betas: [0.8, 0.99], eps: 1e-6 }));
    run((ps) => new AdamW(ps, { lr: 0.02, weightDecay: 0.3, amsgrad: true }));
  });
});
