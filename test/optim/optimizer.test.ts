// The Optimizer base and its subclasses beyond the golden cases: validation, parameter groups, zeroGrad,
// skipped parameters, in-place updates, closures, and bit-identical resumption from a state dict.
import { describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";

const { optim } = cr;
type Opt = cr.optim.Optimizer<any, any>;
type Make = (params: any) => Opt;

const leaf = (values: number[], dtype: cr.DType = "float64"): cr.Tensor =>
  cr.tensor(values, { dtype, requiresGrad: true });
const values = (t: cr.Tensor): number[] => Array.from(t.toTypedArray() as Float64Array);

function expectError(fn: () => unknown, op: string, message: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, "expected a ChainruleError").toBeInstanceOf(cr.ChainruleError);
  expect((err as cr.ChainruleError).op).toBe(op);
  expect((err as Error).message).toMatch(message);
}

describe("hyper-parameter validation", () => {
  const p = () => [leaf([1, 2])];
  it.each([
    ["negative lr (SGD)", () => new optim.SGD(p(), { lr: -0.1 }), "SGD", /learning rate lr: -0.1/],
    ["negative lr (Adam)", () => new optim.Adam(p(), { lr: -1e-3 }), "Adam", /learning rate lr/],
    ["negative lr in a group", () => new optim.SGD([{ params: p(), lr: -1 }], { lr: 0.1 }), "SGD", /lr: -1/],
    ["missing lr (SGD)", () => new optim.SGD(p()), "SGD", /required lr/],
    ["negative momentum", () => new optim.SGD(p(), { lr: 0.1, momentum: -0.5 }), "SGD", /momentum: -0.5/],
    [
      "nesterov without momentum",
      () => new optim.SGD(p(), { lr: 0.1, nesterov: true }),
      "SGD",
      /nesterov.*momentum > 0/,
    ],
    [
      "nesterov with dampening",
      () => new optim.SGD(p(), { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }),
      "SGD",
      /dampening = 0/,
    ],
    ["negative weightDecay", () => new optim.SGD(p(), { lr: 0.1, weightDecay: -1 }), "SGD", /weightDecay/],
    ["beta1 = 1", () => new optim.Adam(p(), { betas: [1, 0.999] }), "Adam", /betas: \[1,0.999\]/],
    ["negative beta2", () => new optim.AdamW(p(), { betas: [0.9, -0.1] }), "AdamW", /betas/],
    ["one beta", () => new optim.Adam(p(), { betas: [0.9] as any }), "Adam", /two numbers/],
    ["negative eps (Adam)", () => new optim.Adam(p(), { eps: -1e-8 }), "Adam", /eps: -1e-8/],
    ["negative eps (RMSprop)", () => new optim.RMSprop(p(), { eps: -1 }), "RMSprop", /eps/],
    ["negative alpha", () => new optim.RMSprop(p(), { alpha: -0.5 }), "RMSprop", /alpha/],
    ["negative RMSprop momentum", () => new optim.RMSprop(p(), { momentum: -0.1 }), "RMSprop", /momentum/],
    ["negative lrDecay", () => new optim.Adagrad(p(), { lrDecay: -0.1 }), "Adagrad", /lrDecay/],
    [
      "negative accumulator",
      () => new optim.Adagrad(p(), { initialAccumulatorValue: -1 }),
      "Adagrad",
      /initialAccumulatorValue/,
    ],
    ["NaN lr", () => new optim.Adagrad(p(), { lr: NaN }), "Adagrad", /learning rate lr: NaN/],
  ])("%s", (_name, fn, op, message) => expectError(fn, op, message));
});

describe("parameter validation", () => {
  it("refuses an empty parameter list", () => {
    expectError(() => new optim.SGD([], { lr: 0.1 }), "SGD", /empty parameter list/);
  });
  it("refuses a bare tensor (params must be an iterable)", () => {
    expectError(
      () => new optim.Adam(leaf([1]) as any),
      "Adam",
      /iterable of Tensors.*got a Tensor of shape \[1\]/,
    );
  });
  it("refuses non-float parameters", () => {
    expectError(
      () => new optim.SGD([cr.tensor([1, 2], { dtype: "int32" })], { lr: 1 }),
      "SGD",
      /floating-point.*int32/,
    );
  });
  it("refuses non-leaf parameters", () => {
    const p = leaf([1, 2]);
    expectError(() => new optim.Adam([p.mul(2)]), "Adam", /non-leaf/);
  });
  it("refuses a parameter in two groups, or twice in one group", () => {
    const p = leaf([1, 2]);
    const q = leaf([3]);
    expectError(
      () => new optim.SGD([{ params: [p, q] }, { params: [p] }], { lr: 0.1 }),
      "SGD",
      /more than once/,
    );
    expectError(() => new optim.SGD([p, q, p], { lr: 0.1 }), "SGD", /parameter 2 .* more than once/);
    const opt = new optim.SGD([p], { lr: 0.1 });
    expectError(() => opt.addParamGroup({ params: [q, p] }), "SGD", /parameter 1 .* more than once/);
  });
  it("refuses a mix of tensors and groups, and non-tensor entries", () => {
    const p = leaf([1]);
    expectError(() => new optim.SGD([p, { params: [leaf([2])] }] as any, { lr: 0.1 }), "SGD", /not a mix/);
    expectError(
      () => new optim.SGD([{ params: [p, 3] }] as any, { lr: 0.1 }),
      "SGD",
      /parameter 1 is not a Tensor/,
    );
  });
  it("accepts any iterable (a generator) and a single tensor as a group's params", () => {
    const a = leaf([1]);
    const b = leaf([2]);
    function* gen(): Generator<cr.Tensor> {
      yield a;
      yield b;
    }
    expect(new optim.SGD(gen(), { lr: 0.1 }).paramGroups[0].params).toEqual([a, b]);
    expect(new optim.SGD([{ params: a }], { lr: 0.1 }).paramGroups[0].params).toEqual([a]);
  });
});

describe("parameter groups", () => {
  it("resolve every hyper-parameter from the defaults and the group's overrides", () => {
    const [a, b] = [leaf([1]), leaf([2])];
    const opt = new optim.Adam([{ params: [a] }, { params: [b], lr: 0.5, betas: [0.8, 0.9] }], {
      lr: 0.01,
      amsgrad: true,
    });
    expect(opt.paramGroups.map(({ params: _p, ...h }) => h)).toEqual([
      { lr: 0.01, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: true, maximize: false },
      { lr: 0.5, betas: [0.8, 0.9], eps: 1e-8, weightDecay: 0, amsgrad: true, maximize: false },
    ]);
    expect(new optim.AdamW([a]).paramGroups[0].weightDecay).toBe(0.01);
  });
  it("step each group with its own learning rate", () => {
    const [a, b] = [leaf([1, 1]), leaf([1, 1])];
    const opt = new optim.SGD([{ params: [a] }, { params: [b], lr: 0.01 }], { lr: 0.1 });
    a.grad = cr.tensor([1, -2], { dtype: "float64" });
    b.grad = cr.tensor([1, -2], { dtype: "float64" });
    opt.step();
    expect(values(a)).toEqual([1 - 0.1, 1 + 0.2]);
    expect(values(b)).toEqual([1 - 0.01, 1 + 0.02]);
  });
  it("addParamGroup adds parameters with their own settings", () => {
    const [a, b] = [leaf([0]), leaf([0])];
    const opt = new optim.SGD([a], { lr: 1, momentum: 0.5 });
    opt.addParamGroup({ params: [b], momentum: 0 });
    for (let k = 0; k < 2; k++) {
      a.grad = cr.tensor([1], { dtype: "float64" });
      b.grad = cr.tensor([1], { dtype: "float64" });
      opt.step();
    }
    expect(values(a)).toEqual([-1 - 1.5]); // buf = 1, then 0.5·1 + 1
    expect(values(b)).toEqual([-2]);
    expect(opt.state.get(b)?.momentumBuffer).toBeUndefined();
  });
});

describe("zeroGrad, skipped parameters, in-place updates, closures", () => {
  it("zeroGrad sets grads to null by default, or to zeros in place", () => {
    const p = leaf([1, 2]);
    const opt = new optim.SGD([p], { lr: 0.1 });
    p.mul(p).sum().backward();
    opt.zeroGrad({ setToNone: false });
    expect(values(p.grad!)).toEqual([0, 0]);
    opt.zeroGrad();
    expect(p.grad).toBeNull();
  });
  it("zeroGrad works on a gradient that is itself part of a graph (createGraph)", () => {
    const p = leaf([1, 2]);
    p.mul(p).sum().backward(undefined, { createGraph: true });
    expect(p.grad!.requiresGrad).toBe(true);
    new optim.SGD([p], { lr: 0.1 }).zeroGrad({ setToNone: false });
    expect(values(p.grad!)).toEqual([0, 0]);
    expect(p.grad!.requiresGrad).toBe(false);
  });
  it("skips parameters without a gradient and creates no state for them", () => {
    const [a, b] = [leaf([1]), leaf([5])];
    const opt = new optim.Adam([a, b], { lr: 0.1 });
    a.grad = cr.tensor([1], { dtype: "float64" });
    opt.step();
    expect(values(b)).toEqual([5]);
    expect(opt.state.has(b)).toBe(false);
    expect(opt.state.get(a)?.step).toBe(1);
    expect(values(a)[0]).toBeCloseTo(1 - 0.1 / (1 + 1e-8), 14); // first step: lr·g/(|g| + eps)
  });
  it("updates the parameter's storage in place, so views and holders see the new values", () => {
    const p = leaf([1, 2, 3, 4]);
    const view = p.detach().reshape(2, 2);
    const opt = new optim.SGD([p], { lr: 1 });
    p.grad = cr.ones([4], { dtype: "float64" });
    opt.step();
    expect(view.toArray()).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(p.requiresGrad).toBe(true);
    expect(p.isLeaf).toBe(true);
  });
  it("step(closure) re-evaluates the loss with gradients on and returns it", () => {
    const p = leaf([3]);
    const opt = new optim.SGD([p], { lr: 0.25 });
    const closure = (): cr.Tensor => {
      opt.zeroGrad();
      const loss = p.mul(p).sum();
      loss.backward();
      return loss;
    };
    const loss = cr.noGrad(() => opt.step(closure));
    expect(loss!.item()).toBe(9);
    expect(values(p)).toEqual([3 - 0.25 * 6]);
  });
  it("maximize ascends: the same as descending on the negated gradient", () => {
    for (const make of [
      (ps: cr.Tensor[], maximize: boolean) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9, maximize }),
      (ps: cr.Tensor[], maximize: boolean) => new optim.Adam(ps, { lr: 0.1, maximize }),
      (ps: cr.Tensor[], maximize: boolean) => new optim.RMSprop(ps, { lr: 0.1, maximize }),
      (ps: cr.Tensor[], maximize: boolean) => new optim.Adagrad(ps, { lr: 0.1, maximize }),
    ]) {
      const [a, b] = [leaf([1, -2]), leaf([1, -2])];
      const [oa, ob] = [make([a], true), make([b], false)];
      for (let k = 0; k < 3; k++) {
        a.grad = cr.tensor([0.5, -1.5 + k], { dtype: "float64" });
        b.grad = a.grad.neg();
        oa.step();
        ob.step();
      }
      expect(values(a)).toEqual(values(b));
    }
  });
  it("keeps state in the parameter's dtype", () => {
    const p = leaf([1, 2], "float32");
    const opt = new optim.Adam([p], { amsgrad: true });
    p.grad = cr.tensor([0.1, 0.2]);
    opt.step();
    const st = opt.state.get(p)!;
    expect([st.expAvg.dtype, st.expAvgSq.dtype, st.maxExpAvgSq!.dtype, p.dtype]).toEqual(
      Array(4).fill("float32"),
    );
  });
});

// ---- resuming from a state dict continues bit-identically ----

const configs: [string, Make][] = [
  [
    "SGD nesterov + weight decay",
    (ps) => new optim.SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 }),
  ],
  ["SGD dampening", (ps) => new optim.SGD(ps, { lr: 0.05, momentum: 0.8, dampening: 0.3 })],
  ["Adam amsgrad", (ps) => new optim.Adam(ps, { lr: 0.02, amsgrad: true, weightDecay: 0.1 })],
  ["AdamW", (ps) => new optim.AdamW(ps, { lr: 0.02, betas: [0.8, 0.95] })],
  ["RMSprop centered + momentum", (ps) => new optim.RMSprop(ps, { lr: 0.01, centered: true, momentum: 0.7 })],
  [
    "Adagrad lrDecay",
    (ps) => new optim.Adagrad(ps, { lr: 0.1, lrDecay: 0.05, initialAccumulatorValue: 0.1 }),
  ],
];

function makeParams(dtype: cr.DType): cr.Tensor[] {
  cr.manualSeed(7);
  return [cr.randn([3, 2], { dtype }).requiresGrad_(), cr.randn([4], { dtype }).requiresGrad_()];
}

// A small loss whose gradients depend on the parameters, so every step's state matters afterwards.
function lossOf([w, b]: cr.Tensor[]): cr.Tensor {
  return w.sin().mul(w).sum().add(b.sub(0.5).square().mul(b.cos()).sum());
}

function train(opt: Opt, params: cr.Tensor[], steps: number): void {
  for (let k = 0; k < steps; k++) {
    opt.zeroGrad();
    lossOf(params).backward();
    opt.step();
  }
}

const groupsOf = (ps: cr.Tensor[]) => [{ params: [ps[0]] }, { params: [ps[1]], lr: 0.003 }];

describe("stateDict / loadStateDict", () => {
  for (const dtype of ["float64", "float32"] as const)
    it.each(configs)(`%s resumes bit-identically (${dtype})`, (_name, make) => {
      const straight = makeParams(dtype);
      train(make(groupsOf(straight)), straight, 12);

      const first = makeParams(dtype);
      const opt1 = make(groupsOf(first));
      train(opt1, first, 5);
      const sd = opt1.stateDict();
      const saved = first.map((p) => p.detach().clone());
      train(opt1, first, 3); // keeps going: the snapshot must not change

      const resumed = saved.map((p) => p.clone().requiresGrad_());
      const opt2 = make([{ params: [resumed[0]], lr: 123 }, { params: [resumed[1]] }]);
      opt2.loadStateDict(sd);
      expect(opt2.paramGroups[0].lr).toBe(opt1.paramGroups[0].lr);
      train(opt2, resumed, 7);
      resumed.forEach((p, i) => expect(p.toTypedArray()).toEqual(straight[i].toTypedArray()));
    });

  it("lays out state by parameter index with JSON-serializable hyper-parameters, like PyTorch", () => {
    const ps = makeParams("float64");
    const opt = new optim.Adam(groupsOf(ps), { lr: 0.01 });
    train(opt, ps, 2);
    const sd = opt.stateDict();
    expect(sd.paramGroups).toEqual([
      {
        lr: 0.01,
        betas: [0.9, 0.999],
        eps: 1e-8,
        weightDecay: 0,
        amsgrad: false,
        maximize: false,
        params: [0],
      },
      {
        lr: 0.003,
        betas: [0.9, 0.999],
        eps: 1e-8,
        weightDecay: 0,
        amsgrad: false,
        maximize: false,
        params: [1],
      },
    ]);
    expect(JSON.parse(JSON.stringify(sd.paramGroups))).toEqual(sd.paramGroups);
    expect(Object.keys(sd.state)).toEqual(["0", "1"]);
    expect(sd.state[1].step).toBe(2);
    expect((sd.state[0].expAvg as cr.Tensor).shape).toEqual([3, 2]);
    expect(sd.state[0].expAvg).not.toBe(opt.state.get(ps[0])!.expAvg); // a copy
  });

  it("casts loaded state to the parameter's dtype", () => {
    const p64 = makeParams("float64");
    const opt64 = new optim.RMSprop(p64, { momentum: 0.5 });
    train(opt64, p64, 2);
    const p32 = makeParams("float32");
    const opt32 = new optim.RMSprop(p32, { momentum: 0.5 });
    opt32.loadStateDict(opt64.stateDict());
    expect(opt32.state.get(p32[0])!.squareAvg.dtype).toBe("float32");
    expect(opt32.state.get(p32[1])!.momentumBuffer!.dtype).toBe("float32");
  });

  it("refuses a state dict of another layout", () => {
    const ps = makeParams("float64");
    const two = new optim.SGD(groupsOf(ps), { lr: 0.1, momentum: 0.9 });
    train(two, ps, 1);
    const one = new optim.SGD(makeParams("float64"), { lr: 0.1 });
    expectError(() => one.loadStateDict(two.stateDict()), "SGD", /2 parameter groups, the optimizer has 1/);
    const other = makeParams("float64");
    const swapped = new optim.SGD([{ params: other }, { params: [leaf([1])] }], { lr: 0.1 });
    expectError(
      () => swapped.loadStateDict(two.stateDict()),
      "SGD",
      /group 0 has 1 parameters, the optimizer's has 2/,
    );
    const wrongShape = new optim.SGD([{ params: [other[1]] }, { params: [other[0]] }], { lr: 0.1 });
    expectError(
      () => wrongShape.loadStateDict(two.stateDict()),
      "SGD",
      /momentumBuffer' has shape \[3,2\].*\[4\]/,
    );
    const bad = two.stateDict();
    bad.paramGroups[0].lr = -1;
    expectError(
      () => new optim.SGD(groupsOf(makeParams("float64")), { lr: 0.1 }).loadStateDict(bad),
      "SGD",
      /lr: -1/,
    );
  });
});
