// nn.Sequential's inference chain hands the stores of its dead intermediate results back for reuse
// (tensor/dtype.ts recycle): what it returns, what it was given and what a caller kept must never change,
// on every backend, and the reused stores must be the dead ones only.
import { afterAll, describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";
import { allocateUnfilled, recycle } from "../../src/tensor/dtype.js";

const { nn } = cr;
const F = nn.functional;
type T = cr.Tensor;
const copyOf = (t: T) => Array.from(t.toTypedArray());

// Batch 64 × 128 features: 32 KiB inputs and intermediates, above the 16 KiB where unfilled outputs start.
function mlp(act: () => cr.nn.Module = () => new nn.ReLU()): cr.nn.Sequential {
  cr.manualSeed(3);
  return new nn.Sequential(
    new nn.Linear(128, 128), // input, intermediates: all 32 KiB
    act(),
    new nn.Linear(128, 128),
    act(),
    new nn.Linear(128, 128),
    new nn.Linear(128, 64),
  );
}
function byHand(model: cr.nn.Sequential, x: T, act: (t: T) => T = F.relu): T {
  const l = [0, 2, 4, 5].map((i) => model.at(i) as cr.nn.Linear);
  let h = act(F.linear(x, l[0].weight, l[0].bias));
  h = act(F.linear(h, l[1].weight, l[1].bias));
  h = F.linear(h, l[2].weight, l[2].bias);
  return F.linear(h, l[3].weight, l[3].bias);
}

for (const name of cr.listBackends()) {
  describe(`Sequential inference reuse on backend ${name}`, () => {
    const before = cr.getBackend();
    afterAll(() => cr.setBackend(before));

    it("returns the layer-by-layer values on every call; kept outputs and the input never change", () => {
      cr.setBackend(name);
      for (const act of [() => new nn.ReLU(), () => new nn.Tanh()]) {
        const model = mlp(act);
        const f = act().constructor === nn.ReLU ? F.relu : F.tanh;
        const xs = [0, 1, 2].map(() => cr.randn([64, 128]));
        const inputs = xs.map(copyOf);
        const kept = xs.map((x) => cr.noGrad(() => model.forward(x)));
        const values = kept.map(copyOf);
        for (let r = 0; r < 3; r++)
          xs.forEach((x, i) => expect(copyOf(cr.noGrad(() => model.forward(x)))).toEqual(values[i]));
        xs.forEach((x, i) => {
          expect(copyOf(x), "input").toEqual(inputs[i]);
          expect(copyOf(kept[i]), "kept output").toEqual(values[i]);
          expect(values[i]).toEqual(copyOf(cr.noGrad(() => byHand(model, x, f))));
        });
      }
    });

    it("leaves recorded graphs alone: gradients match the layer-by-layer ones", () => {
      cr.setBackend(name);
      const model = mlp();
      const x = cr.randn([64, 128]);
      model.forward(x).square().sum().backward();
      const grads = model.parameters().map((p) => copyOf(p.grad!));
      model.zeroGrad();
      byHand(model, x).square().sum().backward();
      expect(model.parameters().map((p) => copyOf(p.grad!))).toEqual(grads);
    });
  });
}

describe("recycle", () => {
  it("hands a whole dead store to the next unfilled output of its size, and nothing else", () => {
    const dead = allocateUnfilled("float32", 8192);
    recycle(dead);
    const next = allocateUnfilled("float32", 8192);
    expect(next.buffer).toBe(dead.buffer);
    expect(allocateUnfilled("float32", 8192).buffer).not.toBe(dead.buffer); // handed out once only
    // A view into a larger store stays out.
    const big = new Float32Array(16384);
    recycle(big.subarray(0, 8192));
    expect(allocateUnfilled("float32", 8192).buffer).not.toBe(big.buffer);
  });
});
