// The caches behind the per-op overhead work: cached scalar operands and a Module's cached children
// must never change a result (signed zeros, NaN, reassigned or newly added children).
import { describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";

const { nn } = cr;

describe("scalar operands (cached 0-d tensors)", () => {
  it("keeps -0 and 0 apart, in either order", () => {
    const z = cr.tensor([-0, 0]);
    for (let round = 0; round < 2; round++) {
      expect(Array.from(z.add(-0).toTypedArray()).map((v) => Object.is(v, -0))).toEqual([true, false]);
      expect(Array.from(z.add(0).toTypedArray()).map((v) => Object.is(v, -0))).toEqual([false, false]);
      expect(Array.from(cr.mul(z, -0).toTypedArray()).map((v) => Object.is(v, -0))).toEqual([false, true]);
    }
  });

  it("gives each dtype its own constant, and many distinct constants stay correct", () => {
    const i = cr.tensor(Int32Array.from([3]));
    const f = cr.tensor([3]);
    const d = cr.tensor(Float64Array.from([3]));
    expect(i.add(2).dtype).toBe("int32");
    expect(f.add(2).dtype).toBe("float32");
    expect(d.add(0.1).item()).toBe(3.1);
    expect(f.add(0.1).item()).toBe(Math.fround(Math.fround(3) + Math.fround(0.1)));
    expect(i.add(0.5).dtype).toBe("float32");
    for (let k = 0; k < 300; k++) expect(f.mul(k).item()).toBe(3 * k);
    expect(f.sub(NaN).item()).toBeNaN();
  });

  it("a constant's gradient path still works (the constant is only read)", () => {
    const x = cr.tensor([1, 2]).requiresGrad_();
    cr.sub(1, x).mul(3).sum().backward();
    expect(Array.from(x.grad!.toTypedArray())).toEqual([-3, -3]);
    const y = cr.tensor([1, 2]).requiresGrad_();
    cr.sub(1, y).mul(3).sum().backward();
    expect(Array.from(y.grad!.toTypedArray())).toEqual([-3, -3]);
  });
});

describe("Module children (cached between calls)", () => {
  it("sees a child replaced by assignment, one added later, and a null slot filled", () => {
    const seq = new nn.Sequential(new nn.Identity(), new nn.Identity());
    const x = cr.tensor([-1, 2]);
    expect(Array.from(seq.forward(x).toTypedArray())).toEqual([-1, 2]);
    (seq as unknown as Record<string, cr.nn.Module>)["1"] = new nn.ReLU();
    expect(Array.from(seq.forward(x).toTypedArray())).toEqual([0, 2]);
    (seq as unknown as Record<string, cr.nn.Module>)["2"] = new nn.Tanh();
    expect(seq.children().map((m) => m.constructor.name)).toEqual(["Identity", "ReLU", "Tanh"]);
    expect(seq.forward(x).toTypedArray()[1]).toBeCloseTo(Math.tanh(2), 6);

    class Holder extends nn.Module {
      head: cr.nn.Module | null = null;
      forward(t: cr.Tensor) {
        return t;
      }
    }
    const h = new Holder();
    expect(h.children()).toEqual([]);
    h.head = new nn.Linear(2, 3);
    expect(h.namedChildren().map(([n]) => n)).toEqual(["head"]);
    expect(h.parameters().length).toBe(2);
  });

  it("returns fresh arrays: changing one does not change the module", () => {
    const seq = new nn.Sequential(new nn.Identity(), new nn.Tanh());
    const a = seq.namedChildren();
    a[0][1] = new nn.ReLU();
    seq.children().pop();
    expect(seq.children().map((m) => m.constructor.name)).toEqual(["Identity", "Tanh"]);
  });
});
