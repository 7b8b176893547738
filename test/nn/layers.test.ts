// The layer modules: Linear's default init and shapes, BatchNorm1d's running statistics in train and eval,
// Dropout's modes and seeding, LayerNorm, Embedding, Flatten, Lambda, activation and loss modules, and
// BlendedLoss's weighted total and reported terms.
import { describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";
import { f64, i32, maxDiff, randn64 } from "./helpers.js";
import { expectClose, inputsByName, loadCases, TOL, vjp, type GoldenCase } from "../golden/load.js";

const nn = cr.nn;
const F = cr.nn.functional;

describe("Linear", () => {
  it("has weight [out, in] and bias [out] drawn within PyTorch's bound 1/√in", () => {
    cr.manualSeed(0);
    const fc = new nn.Linear(50, 200);
    expect(fc.weight.shape).toEqual([200, 50]);
    expect(fc.bias!.shape).toEqual([200]);
    expect(fc.weight.dtype).toBe("float32");
    const bound = 1 / Math.sqrt(50);
    const w = Array.from(fc.weight.toTypedArray());
    const b = Array.from(fc.bias!.toTypedArray());
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...b.map(Math.abs))).toBeLessThanOrEqual(bound);
    // U(-k, k) fills its range: the extremes of 10,000 draws come within 1% of the bound
    expect(Math.max(...w)).toBeGreaterThan(0.99 * bound);
    expect(Math.min(...w)).toBeLessThan(-0.99 * bound);
    // and has variance k²/3
    const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
    expect(variance / ((bound * bound) / 3)).toBeCloseTo(1, 1);
  });

  it("maps [*, in] to [*, out], with or without bias, in the requested dtype", () => {
    const fc = new nn.Linear(4, 3, { dtype: "float64" });
    expect(fc.forward(randn64([2, 5, 4])).shape).toEqual([2, 5, 3]);
    expect(fc.forward(randn64([4])).shape).toEqual([3]);
    const nob = new nn.Linear(4, 3, { bias: false });
    expect(nob.bias).toBeNull();
    expect(nob.namedParameters().map(([n]) => n)).toEqual(["weight"]);
    const x = cr.randn([2, 4]);
    expect(maxDiff(nob.forward(x), x.matmul(nob.weight.T))).toBe(0);
    expect(() => fc.forward(randn64([2, 5]))).toThrow(/linear: input \[2,5\]/);
    expect(() => new nn.Linear(2.5, 3)).toThrow("Linear: inFeatures must be a non-negative integer, got 2.5");
  });

  it("is seeded: the same seed gives the same layer", () => {
    cr.manualSeed(42);
    const a = new nn.Linear(3, 3);
    cr.manualSeed(42);
    const b = new nn.Linear(3, 3);
    expect(maxDiff(a.weight, b.weight)).toBe(0);
    expect(maxDiff(a.bias!, b.bias!)).toBe(0);
  });
});

describe("BatchNorm1d", () => {
  const x = f64([1, 10, 2, 20, 3, 30, 6, 60], [4, 2]);

  it("training: normalizes with batch statistics and moves the running buffers (unbiased variance)", () => {
    const bn = new nn.BatchNorm1d(2, { dtype: "float64" });
    const y = bn.forward(x);
    // channel 0: mean 3, biased var 3.5, unbiased 14/3; channel 1 is 10× that
    const expected0 = [1, 2, 3, 6].map((v) => (v - 3) / Math.sqrt(3.5 + 1e-5));
    expect(Array.from(y.select(1, 0).toTypedArray())).toEqual(expected0.map((v) => expect.closeTo(v, 12)));
    expect(Array.from(bn.runningMean!.toTypedArray())).toEqual([
      expect.closeTo(0.3, 12),
      expect.closeTo(3, 12),
    ]);
    expect(Array.from(bn.runningVar!.toTypedArray())).toEqual([
      expect.closeTo(0.9 + 0.1 * (14 / 3), 12),
      expect.closeTo(0.9 + 0.1 * (1400 / 3), 12),
    ]);
    expect(bn.numBatchesTracked!.item()).toBe(1);
    bn.forward(x);
    expect(bn.runningMean!.select(0, 0).item()).toBeCloseTo(0.9 * 0.3 + 0.3, 12);
    expect(bn.numBatchesTracked!.item()).toBe(2);
  });

  it("eval: uses the running statistics and leaves them unchanged", () => {
    const bn = new nn.BatchNorm1d(2, { dtype: "float64" });
    bn.forward(x);
    bn.eval();
    const [rm, rv] = [bn.runningMean!.clone(), bn.runningVar!.clone()];
    cr.noGrad(() => {
      bn.weight!.copy_(f64([2, 3]));
      bn.bias!.copy_(f64([-1, 1]));
    });
    const y = bn.forward(x);
    const expected = x
      .sub(rm)
      .div(rv.add(1e-5).sqrt())
      .mul(f64([2, 3]))
      .add(f64([-1, 1]));
    expect(maxDiff(y, expected)).toBeLessThan(1e-12);
    expect(maxDiff(bn.runningMean!, rm)).toBe(0);
    expect(maxDiff(bn.runningVar!, rv)).toBe(0);
    expect(bn.numBatchesTracked!.item()).toBe(1);
    // one sample is fine in eval, an error in training (PyTorch's rule)
    expect(bn.forward(f64([1, 2], [1, 2])).shape).toEqual([1, 2]);
    expect(() => bn.train().forward(f64([1, 2], [1, 2]))).toThrow(/more than 1 value per channel/);
  });

  it("takes [N, C, L]; momentum null is a cumulative average; no tracking uses batch stats in eval", () => {
    const x3 = randn64([4, 3, 5]);
    const bn = new nn.BatchNorm1d(3, { momentum: null, dtype: "float64" });
    const batches = [x3, randn64([4, 3, 5]).mul(2).add(1)];
    for (const b of batches) bn.forward(b);
    const means = batches.map((b) => b.mean([0, 2]));
    expect(maxDiff(bn.runningMean!, means[0].add(means[1]).div(2))).toBeLessThan(1e-12);
    const free = new nn.BatchNorm1d(3, { trackRunningStats: false, affine: false, dtype: "float64" });
    expect(free.namedBuffers()).toEqual([]);
    expect(free.parameters()).toEqual([]);
    free.eval();
    expect(maxDiff(free.forward(x3), F.batchNorm(x3, null, null, { training: true }))).toBe(0);
    expect(() => bn.forward(randn64([4, 2]))).toThrow(
      "BatchNorm1d: expected input of rank 2 or 3 with 3 channels in dim 1, got shape [4,2]",
    );
  });

  it("BatchNorm2d normalizes each channel of [N, C, H, W] over N, H, W", () => {
    const bn = new nn.BatchNorm2d(2, { dtype: "float64" });
    const y = bn.forward(randn64([3, 2, 4, 4]));
    const m = y.mean([0, 2, 3]);
    const v = y.var([0, 2, 3], { unbiased: false });
    expect(maxDiff(m, cr.zeros([2], { dtype: "float64" }))).toBeLessThan(1e-12);
    expect(maxDiff(v, cr.ones([2], { dtype: "float64" }))).toBeLessThan(1e-4);
  });
});

describe("Dropout", () => {
  it("is the identity in eval mode", () => {
    const drop = new nn.Dropout({ p: 0.9 }).eval();
    const x = cr.randn([100]);
    expect(drop.forward(x)).toBe(x);
  });

  it("in training zeroes a fraction p, scales survivors by 1/(1-p), and is reproducible from the seed", () => {
    const drop = new nn.Dropout({ p: 0.3 });
    const x = cr.ones([20000]);
    cr.manualSeed(7);
    const y = drop.forward(x);
    const v = Array.from(y.toTypedArray());
    const kept = v.filter((e) => e !== 0);
    expect(kept.length / v.length).toBeGreaterThan(0.69);
    expect(kept.length / v.length).toBeLessThan(0.71);
    expect(kept.every((e) => Math.abs(e - 1 / 0.7) < 1e-6)).toBe(true);
    cr.manualSeed(7);
    expect(maxDiff(drop.forward(x), y)).toBe(0);
    cr.manualSeed(8);
    expect(maxDiff(drop.forward(x), y)).toBeGreaterThan(0);
    expect(() => new nn.Dropout({ p: 1.5 })).toThrow("Dropout: p must lie in [0, 1], got 1.5");
  });
});

describe("LayerNorm, Embedding, Flatten, Lambda", () => {
  it("LayerNorm normalizes the trailing dims and starts as γ = 1, β = 0", () => {
    const ln = new nn.LayerNorm([3, 4], { dtype: "float64" });
    expect(ln.weight!.shape).toEqual([3, 4]);
    const y = ln.forward(randn64([2, 3, 4]).mul(5).add(3));
    expect(maxDiff(y.mean([1, 2]), cr.zeros([2], { dtype: "float64" }))).toBeLessThan(1e-12);
    expect(maxDiff(y.var([1, 2], { unbiased: false }), cr.ones([2], { dtype: "float64" }))).toBeLessThan(
      1e-4,
    );
    const plain = new nn.LayerNorm(4, { elementwiseAffine: false });
    expect(plain.parameters()).toEqual([]);
    expect(plain.toString()).toBe("LayerNorm([4], eps=0.00001, elementwiseAffine=false)");
  });

  it("Embedding looks rows up, starts its padding row at zero, and fromPretrained freezes", () => {
    cr.manualSeed(3);
    const emb = new nn.Embedding(6, 3, { paddingIdx: -1 });
    expect(emb.paddingIdx).toBe(5);
    expect(Array.from(emb.weight.select(0, 5).toTypedArray())).toEqual([0, 0, 0]);
    const idx = i32([0, 5, 2, 2], [2, 2]);
    const out = emb.forward(idx);
    expect(out.shape).toEqual([2, 2, 3]);
    expect(maxDiff(out.select(0, 1).select(0, 0), emb.weight.select(0, 2))).toBe(0);
    out.sum().backward();
    expect(Array.from(emb.weight.grad!.select(0, 5).toTypedArray())).toEqual([0, 0, 0]);
    expect(Array.from(emb.weight.grad!.select(0, 2).toTypedArray())).toEqual([2, 2, 2]);
    const pre = nn.Embedding.fromPretrained(cr.eye(4));
    expect(pre.weight.requiresGrad).toBe(false);
    expect(pre.forward(i32([2])).toArray()).toEqual([[0, 0, 1, 0]]);
    expect(nn.Embedding.fromPretrained(cr.eye(4), { freeze: false }).weight.requiresGrad).toBe(true);
  });

  it("Flatten keeps the batch dim by default; Lambda turns any function into a module", () => {
    expect(new nn.Flatten().forward(cr.zeros([2, 3, 4])).shape).toEqual([2, 12]);
    expect(new nn.Flatten(0, 1).forward(cr.zeros([2, 3, 4])).shape).toEqual([6, 4]);
    const f = new nn.Lambda(cr.exp); // f = exp(x)
    expect(f.parameters()).toEqual([]);
    const x = f64([0, 1, -1]);
    expect(maxDiff(f.forward(x), x.exp())).toBe(0);
    const composed = new nn.Lambda((t) => t.relu().tanh(), "tanhRelu"); // tanh(ReLU(x))
    expect(Array.from(composed.forward(x).toTypedArray())).toEqual([0, Math.tanh(1), 0]);
    expect(composed.toString()).toBe("Lambda(tanhRelu)");
    const pair = new nn.Lambda((a, b) => a.mul(b));
    expect(pair.forward(f64([2]), f64([3])).item()).toBe(6);
  });
});

describe("activation modules match the functions", () => {
  const x = f64([-2.5, -1, -0.2, 0.3, 1.7, 4]);
  const cases: [cr.nn.Module, cr.Tensor][] = [
    [new nn.ReLU(), F.relu(x)],
    [new nn.LeakyReLU({ negativeSlope: 0.2 }), F.leakyRelu(x, { negativeSlope: 0.2 })],
    [new nn.ELU({ alpha: 0.5 }), F.elu(x, { alpha: 0.5 })],
    [new nn.GELU({ approximate: "tanh" }), F.gelu(x, { approximate: "tanh" })],
    [new nn.Sigmoid(), F.sigmoid(x)],
    [new nn.Tanh(), F.tanh(x)],
    [new nn.SiLU(), F.silu(x)],
    [new nn.Mish(), F.mish(x)],
    [new nn.LogSigmoid(), F.logsigmoid(x)],
    [new nn.Softplus({ beta: 2, threshold: 3 }), F.softplus(x, { beta: 2, threshold: 3 })],
    [new nn.Hardtanh({ minVal: -2, maxVal: 2 }), F.hardtanh(x, { minVal: -2, maxVal: 2 })],
    [new nn.Softmax(0), F.softmax(x, 0)],
    [new nn.LogSoftmax(-1), F.logSoftmax(x, -1)],
    [new nn.Identity(), x],
  ];
  for (const [m, expected] of cases)
    it(`${m.toString()}`, () => {
      expect(maxDiff(m.forward(x), expected)).toBe(0);
    });

  it("PReLU learns one slope (0.25) or one per channel", () => {
    const p = new nn.PReLU({ dtype: "float64" });
    expect(p.weight.toArray()).toEqual([0.25]);
    expect(Array.from(p.forward(f64([-4, 2])).toTypedArray())).toEqual([-1, 2]);
    const pc = new nn.PReLU({ numParameters: 3, init: 0.1, dtype: "float64" });
    const y = pc.forward(f64([-1, -1, -1, 1, 1, 1], [2, 3]));
    expect(y.toArray()).toEqual([
      [-0.1, -0.1, -0.1],
      [1, 1, 1],
    ]);
  });
});

describe("loss modules", () => {
  const input = f64([0.2, 0.7, 0.4, 0.9], [2, 2]);
  const target = f64([0, 1, 1, 0], [2, 2]);
  it("forward(input, target) equals the functional loss with the same options", () => {
    const pairs: [cr.nn.Module, cr.Tensor][] = [
      [new nn.MSELoss(), F.mseLoss(input, target)],
      [new nn.L1Loss({ reduction: "sum" }), F.l1Loss(input, target, { reduction: "sum" })],
      [new nn.SmoothL1Loss({ beta: 0.5 }), F.smoothL1Loss(input, target, { beta: 0.5 })],
      [
        new nn.HuberLoss({ delta: 0.3, reduction: "none" }),
        F.huberLoss(input, target, { delta: 0.3, reduction: "none" }),
      ],
      [new nn.BCELoss({ weight: f64([1, 2]) }), F.binaryCrossEntropy(input, target, { weight: f64([1, 2]) })],
      [
        new nn.BCEWithLogitsLoss({ posWeight: f64([3, 1]) }),
        F.binaryCrossEntropyWithLogits(input, target, { posWeight: f64([3, 1]) }),
      ],
      [
        new nn.KLDivLoss({ reduction: "batchmean" }),
        F.klDiv(input.logSoftmax(1), target.add(1).softmax(1), { reduction: "batchmean" }),
      ],
    ];
    for (const [m, expected] of pairs) {
      const got =
        m instanceof nn.KLDivLoss
          ? m.forward(input.logSoftmax(1), target.add(1).softmax(1))
          : m.forward(input, target);
      expect(maxDiff(got, expected), m.toString()).toBe(0);
    }
    const logits = f64([1, 2, 3, -1, 0, 1], [2, 3]);
    const labels = i32([2, 0]);
    const ce = new nn.CrossEntropyLoss({ weight: f64([1, 2, 3]), labelSmoothing: 0.1 });
    expect(ce.namedBuffers().map(([n]) => n)).toEqual(["weight"]);
    expect(ce.forward(logits, labels).item()).toBe(
      F.crossEntropy(logits, labels, { weight: f64([1, 2, 3]), labelSmoothing: 0.1 }).item(),
    );
    const nll = new nn.NLLLoss({ ignoreIndex: 0 });
    expect(nll.forward(logits.logSoftmax(1), labels).item()).toBeCloseTo(
      -logits.logSoftmax(1).select(0, 0).select(0, 2).item(),
      12,
    );
    expect(new nn.MSELoss().toString()).toBe("MSELoss(reduction='mean')");
  });

  it("BlendedLoss returns α·MSE + β·KL and reports each term", () => {
    const p = f64([0.5, 1.5, -0.5, 0.2, 0.1, 0.3], [2, 3]);
    const t = f64([0.2, 0.5, 0.3, 0.1, 0.6, 0.3], [2, 3]);
    const kl = (a: cr.Tensor, b: cr.Tensor) => F.klDiv(a.logSoftmax(1), b, { reduction: "batchmean" });
    const blend = new nn.BlendedLoss({
      mse: { loss: new nn.MSELoss(), weight: 0.7 },
      kl: { loss: kl, weight: 0.3 },
    });
    const total = blend.forward(p, t);
    const [m, k] = [F.mseLoss(p, t).item(), kl(p, t).item()];
    expect(blend.lastTerms).toEqual({ mse: m, kl: k });
    expect(total.item()).toBeCloseTo(0.7 * m + 0.3 * k, 14);
    expect(blend.namedChildren().map(([n]) => n)).toEqual(["mse"]);
    blend.weights.kl = 0;
    expect(blend.forward(p, t).item()).toBeCloseTo(0.7 * m, 14);
    // the gradient is the same blend of the terms' gradients
    const q = p.clone().requiresGrad_();
    blend.weights.kl = 0.3;
    const [g] = cr.gradients([blend.forward(q, t)], [q]);
    const [gm] = cr.gradients([F.mseLoss(q, t)], [q]);
    const [gk] = cr.gradients([kl(q, t)], [q]);
    expect(maxDiff(g, gm.mul(0.7).add(gk.mul(0.3)))).toBeLessThan(1e-14);
    expect(() =>
      new nn.BlendedLoss({ bad: { loss: new nn.MSELoss({ reduction: "none" }) } }).forward(p, t),
    ).toThrow("BlendedLoss: term 'bad' must give one value (use a reducing loss), got shape [2,3]");
    expect(blend.toString()).toBe("BlendedLoss(\n  mse: 0.7, kl: 0.3\n  (mse): MSELoss(reduction='mean')\n)");
  });
});

describe("layer modules reproduce PyTorch's nn_layers.json cases (float64, forward and gradients)", () => {
  const build = (c: GoldenCase, inp: Record<string, cr.Tensor>): cr.nn.Module | null => {
    const a = c.attrs;
    const affine = inp.weight !== undefined;
    switch (c.op) {
      case "linear":
        return new nn.Linear(inp.weight.shape[1], inp.weight.shape[0], {
          bias: !!inp.bias,
          dtype: "float64",
        });
      case "layer_norm":
        return new nn.LayerNorm(a.normalized_shape, {
          eps: a.eps,
          elementwiseAffine: affine,
          dtype: "float64",
        });
      case "batch_norm": {
        const opts = { eps: a.eps, momentum: a.momentum, affine, dtype: "float64" as const };
        const bn =
          inp.input.ndim === 4
            ? new nn.BatchNorm2d(inp.input.shape[1], opts)
            : new nn.BatchNorm1d(inp.input.shape[1], opts);
        return bn.train(a.training);
      }
      case "embedding":
        return new nn.Embedding(inp.weight.shape[0], inp.weight.shape[1], {
          paddingIdx: a.padding_idx,
          dtype: "float64",
        });
      default:
        return null;
    }
  };
  for (const c of loadCases("nn_layers")) {
    const probe = inputsByName(c, "float64", false);
    if (!build(c, probe)) continue;
    it(c.id, () => {
      const inp = inputsByName(c, "float64", false);
      const m = build(c, inp)!;
      const state: Record<string, cr.Tensor> = {};
      for (const [k, v] of Object.entries(inp))
        if (k !== "input" && k !== "indices")
          state[k.replace("running_mean", "runningMean").replace("running_var", "runningVar")] = v;
      m.loadStateDict(state, { strict: false });
      const x = inp.input ? inp.input.clone().requiresGrad_() : inp.indices;
      const out = m.forward(x);
      expectClose(out, c.output, TOL.float64.forward, `${c.id} output`);
      for (const [k, v] of Object.entries(c.extra_outputs ?? {}))
        if (k === "running_mean" || k === "running_var")
          expectClose(
            m.stateDict()[k === "running_mean" ? "runningMean" : "runningVar"],
            v,
            TOL.float64.forward,
            k,
          );
      const named = Object.fromEntries(m.namedParameters());
      const wrt = c.inputs.map((t) => (t.name === "input" ? x : named[t.name!]) ?? null);
      const live = wrt.filter((t, i): t is cr.Tensor => t !== null && c.grads![i] !== null);
      const grads = vjp(out, c.grad_output!, live, "float64");
      let k = 0;
      wrt.forEach((t, i) => {
        if (t !== null && c.grads![i] !== null)
          expectClose(grads[k++], c.grads![i]!, TOL.float64.grad, `grad ${c.inputs[i].name}`);
      });
      expect(k).toBeGreaterThan(0);
    });
  }
});
