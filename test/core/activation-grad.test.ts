// tanh's and sigmoid's backward passes are single kernels (tanhGrad, sigmoidGrad): they must give the
// gradients of the op-by-op formulas g·(1 − y·y) and g·(y·(1 − y)) bit for bit, in float32 and float64, on
// every backend, for tensors small enough for the cpu kernels and large enough for the addon.
import { afterAll, describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";
import { nativeLimits } from "../../src/backend/native/index.js";
import { FLOATS, fill, rng } from "../backend/support.js";

type T = cr.Tensor;
const formulas: [string, (x: T) => T, (g: T, y: T) => T][] = [
  ["tanh", (x) => x.tanh(), (g, y) => g.mul(cr.sub(1, y.mul(y)))],
  ["sigmoid", (x) => x.sigmoid(), (g, y) => g.mul(y.mul(cr.sub(1, y)))],
];

function firstDifference(a: T, b: T): string {
  const [p, q] = [a.toTypedArray(), b.toTypedArray()];
  if (p.length !== q.length) return `lengths ${p.length} and ${q.length}`;
  for (let i = 0; i < p.length; i++) if (!Object.is(p[i], q[i])) return `element ${i}: ${p[i]} vs ${q[i]}`;
  return "identical";
}

for (const backend of cr.listBackends()) {
  describe(`activation backward on backend ${backend}`, () => {
    const before = cr.getBackend();
    afterAll(() => cr.setBackend(before));

    for (const [name, f, formula] of formulas)
      for (const dtype of FLOATS)
        it.each([[[5]], [[9, 23]], [[3, 70, 5]]])(
          `${name}, ${dtype}, shape %j: the formula, bit for bit`,
          (shape) => {
            cr.setBackend(backend);
            const r = rng(shape.length * 101 + (dtype === "float32" ? 1 : 2));
            const n = shape.reduce((a, b) => a * b, 1);
            const x = cr.tensor(fill(r, dtype, n), { shape, dtype }).requiresGrad_();
            const g = cr.tensor(fill(r, dtype, n), { shape, dtype });
            const y = f(x);
            y.backward(g);
            const expected = cr.noGrad(() => formula(g, y.detach()));
            expect(firstDifference(x.grad!, expected)).toBe("identical");
          },
        );

    it("strided and broadcast operands take the same path", () => {
      cr.setBackend(backend);
      const saved = { ...nativeLimits };
      try {
        Object.assign(nativeLimits, { minElements: 0, minMatmulMacs: 0 });
        const x = cr.randn([6, 40]).transpose(0, 1).requiresGrad_(false);
        const y = x.tanh();
        const g = cr.randn([6]).requiresGrad_(false);
        const leaf = x.detach().requiresGrad_();
        leaf.tanh().backward(g.expand([40, 6]));
        expect(
          firstDifference(
            leaf.grad!,
            cr.noGrad(() => g.mul(cr.sub(1, y.mul(y)))),
          ),
        ).toBe("identical");
      } finally {
        Object.assign(nativeLimits, saved);
      }
    });
  });
}
