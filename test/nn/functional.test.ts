// nn.functional beyond the golden files: refused inputs and their messages, stability at ±1000 logits,
// dropout statistics, and float64 finite-difference checks of every loss and layer function.
import { describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";

const F = cr.nn.functional;
type Tensor = cr.Tensor;

const f64 = (data: number[], shape: number[] = [data.length]) =>
  cr.tensor(Float64Array.from(data), { shape });
const i32 = (data: number[], shape: number[] = [data.length]) => cr.tensor(Int32Array.from(data), { shape });
const randn = (shape: number[]) => cr.randn(shape, { dtype: "float64" });
/** Uniform in (lo, hi), float64. */
const uniform = (shape: number[], lo: number, hi: number) =>
  cr
    .rand(shape, { dtype: "float64" })
    .mul(hi - lo)
    .add(lo);
const finite = (t: Tensor) => Array.from(t.toTypedArray()).every(Number.isFinite);

describe("nn.functional refuses bad input with a readable message", () => {
  const elementwise: [string, (a: Tensor, b: Tensor) => Tensor][] = [
    ["mseLoss", (a, b) => F.mseLoss(a, b)],
    ["l1Loss", (a, b) => F.l1Loss(a, b)],
    ["smoothL1Loss", (a, b) => F.smoothL1Loss(a, b)],
    ["huberLoss", (a, b) => F.huberLoss(a, b)],
    ["binaryCrossEntropy", (a, b) => F.binaryCrossEntropy(a, b)],
    ["binaryCrossEntropyWithLogits", (a, b) => F.binaryCrossEntropyWithLogits(a, b)],
    ["klDiv", (a, b) => F.klDiv(a, b)],
  ];
  for (const [name, loss] of elementwise) {
    it(`${name}: input/target shape mismatch is an error, not a broadcast`, () => {
      const input = f64([0.1, 0.2, 0.3], [3, 1]);
      const target = f64([0.3, 0.2, 0.1]);
      expect(() => loss(input, target)).toThrow(
        new RegExp(`^${name}: input shape \\[3,1\\] and target shape \\[3\\] differ`),
      );
    });
  }

  it("rejects unknown reduction strings, and batchmean outside klDiv", () => {
    const a = f64([0.2, 0.4]);
    const b = f64([0.5, 0.5]);
    expect(() => F.mseLoss(a, b, { reduction: "avg" as never })).toThrow(
      "mseLoss: reduction must be one of 'mean', 'sum', 'none', got 'avg'",
    );
    expect(() => F.binaryCrossEntropy(a, b, { reduction: "batchmean" as never })).toThrow(/reduction/);
    expect(() => F.crossEntropy(a, i32([1], []), { reduction: "total" as never })).toThrow(
      /crossEntropy: reduction/,
    );
    expect(() => F.klDiv(a, b, { reduction: "batchmean" })).not.toThrow();
    expect(() => F.klDiv(a, b, { reduction: "max" as never })).toThrow(/'batchmean', got 'max'/);
  });

  it("crossEntropy/nllLoss: class index out of range", () => {
    const logits = randn([2, 3]);
    expect(() => F.crossEntropy(logits, i32([0, 3]))).toThrow(
      "crossEntropy: target 3 is out of bounds for 3 classes",
    );
    expect(() => F.crossEntropy(logits, i32([-1, 0]))).toThrow("target -1 is out of bounds for 3 classes");
    expect(() => F.nllLoss(logits, i32([5, 0]))).toThrow("nllLoss: target 5 is out of bounds for 3 classes");
    // the ignored value itself is allowed even though it is no class
    expect(() => F.crossEntropy(logits, i32([-100, 1]))).not.toThrow();
  });

  it("crossEntropy/nllLoss: target dtype and shape", () => {
    const logits = randn([2, 3]);
    expect(() => F.nllLoss(logits, f64([0, 1]))).toThrow(
      "nllLoss: class-index target must be int32, got float64",
    );
    expect(() => F.crossEntropy(logits, cr.tensor([true, false]))).toThrow(
      "crossEntropy: target must be int32 class indices or float probabilities, got bool",
    );
    expect(() => F.crossEntropy(logits, i32([0, 1, 2]))).toThrow(
      "crossEntropy: target shape [3] does not fit input shape [2,3]: expected [2]",
    );
    expect(() => F.crossEntropy(logits, randn([2, 4]))).toThrow(/probability target shape \[2,4\]/);
    expect(() => F.crossEntropy(logits, i32([0, 1]), { weight: f64([1, 2]) })).toThrow(
      "crossEntropy: weight must have shape [3] (one per class), got [2]",
    );
    expect(() => F.crossEntropy(logits, i32([0, 1]), { labelSmoothing: 1.5 })).toThrow(/labelSmoothing/);
  });

  it("binaryCrossEntropy: inputs outside [0, 1] (and NaN) are errors", () => {
    const t = f64([0, 1]);
    expect(() => F.binaryCrossEntropy(f64([0.5, 1.5]), t)).toThrow(
      "binaryCrossEntropy: every input must be a probability in [0, 1], got 1.5 at element 1",
    );
    expect(() => F.binaryCrossEntropy(f64([-0.1, 0.5]), t)).toThrow(/got -0.1 at element 0/);
    expect(() => F.binaryCrossEntropy(f64([NaN, 0.5]), t)).toThrow(/got NaN/);
    expect(() => F.binaryCrossEntropy(f64([0.5, 0.5]), t, { weight: f64([1, 2, 3]) })).toThrow(
      /weight of shape \[3\] does not broadcast to the input shape \[2\]/,
    );
  });

  it("layers: shapes, buffers and probabilities", () => {
    expect(() => F.linear(randn([4, 3]), randn([2, 5]))).toThrow(/^linear: input \[4,3\]/);
    expect(() => F.linear(randn([4, 3]), randn([2, 3]), randn([3]))).toThrow("bias must have shape [2]");
    expect(() => F.layerNorm(randn([2, 3]), [4])).toThrow(/layerNorm: normalizedShape \[4\]/);
    expect(() => F.batchNorm(randn([1, 3]), null, null, { training: true })).toThrow(
      "batchNorm: expected more than 1 value per channel when training, got input of shape [1,3]",
    );
    expect(() => F.batchNorm(randn([4, 3]), null, null)).toThrow(/required when not training/);
    expect(() => F.batchNorm(randn([4, 3]), randn([2]), randn([3]), { training: true })).toThrow(
      "batchNorm: runningMean must have shape [3], got [2]",
    );
    expect(() => F.dropout(randn([3]), { p: 1.5 })).toThrow(
      "dropout: dropout probability p must lie in [0, 1], got 1.5",
    );
    expect(() => F.dropout(randn([3]), { p: -0.1 })).toThrow(/got -0.1/);
    expect(() => F.embedding(i32([0, 5]), randn([5, 2]))).toThrow(
      "embedding: index 5 is out of range for a weight with 5 rows",
    );
    expect(() => F.embedding(f64([0, 1]), randn([5, 2]))).toThrow(/indices must be an int32 tensor/);
    expect(() => F.embedding(i32([0]), randn([5, 2]), { paddingIdx: 5 })).toThrow(/paddingIdx/);
    expect(() => F.prelu(randn([2, 3]), randn([2]))).toThrow(
      /prelu: weight must have 1 element or one per channel/,
    );
    expect(() => F.gelu(randn([2]), { approximate: "fast" as never })).toThrow(/approximate/);
  });
});

describe("nn.functional is stable at logits of ±1000", () => {
  const big = () => f64([1000, -1000, 999, -999, 0, 1000], [2, 3]).requiresGrad_();

  function lossAndGrad(fn: (x: Tensor) => Tensor): { loss: Tensor; grad: Tensor } {
    const x = big();
    const loss = fn(x);
    const [grad] = cr.gradients([loss.sum()], [x]);
    return { loss, grad };
  }

  const cases: [string, (x: Tensor) => Tensor][] = [
    [
      "crossEntropy (indices, smoothing, weight)",
      (x) => F.crossEntropy(x, i32([1, 0]), { labelSmoothing: 0.1, weight: f64([1, 2, 3]) }),
    ],
    ["crossEntropy (probabilities)", (x) => F.crossEntropy(x, f64([0.2, 0.3, 0.5, 1, 0, 0], [2, 3]))],
    ["nllLoss of logSoftmax", (x) => F.nllLoss(F.logSoftmax(x, 1), i32([2, 1]))],
    [
      "binaryCrossEntropyWithLogits (posWeight)",
      (x) =>
        F.binaryCrossEntropyWithLogits(x, f64([1, 1, 0, 0, 0.5, 1], [2, 3]), { posWeight: f64([2, 1, 3]) }),
    ],
    [
      "binaryCrossEntropy of sigmoid",
      (x) => F.binaryCrossEntropy(F.sigmoid(x), f64([0, 1, 1, 0, 0.5, 1], [2, 3])),
    ],
    [
      "klDiv (logTarget)",
      (x) =>
        F.klDiv(F.logSoftmax(x, 1), F.logSoftmax(f64([0, 1000, 0, -1000, 5, 1], [2, 3]), 1), {
          logTarget: true,
          reduction: "batchmean",
        }),
    ],
    ["logsigmoid", (x) => F.logsigmoid(x)],
    ["softplus", (x) => F.softplus(x)],
    ["silu", (x) => F.silu(x)],
    ["mish", (x) => F.mish(x)],
    ["elu", (x) => F.elu(x)],
    ["gelu", (x) => F.gelu(x)],
    ["gelu tanh", (x) => F.gelu(x, { approximate: "tanh" })],
    ["softmax", (x) => F.softmax(x, 1)],
  ];
  for (const [name, fn] of cases) {
    it(`${name}: finite loss and gradient`, () => {
      const { loss, grad } = lossAndGrad(fn);
      expect(finite(loss), `loss ${loss.toString()}`).toBe(true);
      expect(finite(grad), `grad ${grad.toString()}`).toBe(true);
    });
  }

  it("crossEntropy at ±1000 has the exact values", () => {
    const loss = F.crossEntropy(big(), i32([1, 0]), { reduction: "none" });
    // row 0: logsumexp = 1000 + log(1 + e^-1), target logit -1000; row 1: 1000 + log1p(e^-1000 + e^-999)
    expect(loss.toArray()).toEqual([2000 + Math.log1p(Math.exp(-1)), 999 + 1000]);
  });

  it("binaryCrossEntropy at p ∈ {0, 1}: clamped loss, PyTorch's finite ±1e12 gradient", () => {
    const p = f64([0, 1, 0, 1]).requiresGrad_();
    const t = f64([1, 0, 0, 1]);
    const loss = F.binaryCrossEntropy(p, t, { reduction: "none" });
    expect(Array.from(loss.toTypedArray(), (v) => v + 0)).toEqual([100, 100, 0, 0]); // -0 + 0 = 0
    const [g] = cr.gradients([loss.sum()], [p]);
    const eps = Math.fround(1e-12);
    expect(g.toArray()).toEqual([-1 / eps, 1 / eps, 0, 0]);
  });

  it("crossEntropy with every target ignored, or an empty batch, is NaN under 'mean' (as in PyTorch)", () => {
    expect(F.crossEntropy(randn([2, 3]), i32([-100, -100])).item()).toBeNaN();
    expect(F.crossEntropy(cr.zeros([0, 3], { dtype: "float64" }), i32([], [0])).item()).toBeNaN();
    expect(F.crossEntropy(randn([2, 3]), i32([-100, -100]), { reduction: "sum" }).item()).toBe(0);
  });
});

describe("dropout", () => {
  it("keeps a fraction ≈ 1-p, scales the survivors by 1/(1-p), and E[output] ≈ input", () => {
    cr.manualSeed(7);
    const n = 20000;
    for (const p of [0.1, 0.3, 0.5, 0.8]) {
      const x = cr.ones([n], { dtype: "float64" });
      const y = Array.from(F.dropout(x, { p }).toTypedArray());
      const kept = y.filter((v) => v !== 0);
      expect(kept.every((v) => v === 1 / (1 - p))).toBe(true);
      const sd = Math.sqrt((p * (1 - p)) / n); // binomial standard error of the keep fraction
      expect(Math.abs(kept.length / n - (1 - p))).toBeLessThan(4 * sd);
      const mean = y.reduce((s, v) => s + v, 0) / n;
      expect(Math.abs(mean - 1)).toBeLessThan((4 * sd) / (1 - p));
    }
  });

  it("is the identity when not training or p = 0, zeros at p = 1", () => {
    const x = randn([3, 4]);
    expect(F.dropout(x, { training: false })).toBe(x);
    expect(F.dropout(x, { p: 0 })).toBe(x);
    expect(Array.from(F.dropout(x, { p: 1 }).toTypedArray()).every((v) => v === 0)).toBe(true);
  });

  it("is repeatable under manualSeed and sends the gradient through the kept elements only", () => {
    const x = randn([50]).requiresGrad_();
    cr.manualSeed(3);
    const a = F.dropout(x, { p: 0.4 });
    cr.manualSeed(3);
    const b = F.dropout(x, { p: 0.4 });
    expect(a.toArray()).toEqual(b.toArray());
    const [g] = cr.gradients([a.sum()], [x]);
    const kept = Array.from(a.toTypedArray()).map((v) => (v !== 0 ? 1 / 0.6 : 0));
    expect(Array.from(g.toTypedArray())).toEqual(kept);
  });
});

describe("layers: buffers and padding", () => {
  it("batchNorm updates the running buffers in place (unbiased variance) only in training", () => {
    const x = randn([5, 2, 3]);
    const rm = cr.zeros([2], { dtype: "float64" });
    const rv = cr.ones([2], { dtype: "float64" });
    F.batchNorm(x, rm, rv, { training: true, momentum: 0.25 });
    const dims = [0, 2];
    const mu = cr.mean(x, dims).mul(0.25);
    const v = cr.variance(x, dims, { unbiased: true }).mul(0.25).add(0.75);
    Array.from(rm.toTypedArray()).forEach((m, i) => expect(m).toBeCloseTo(mu.toTypedArray()[i], 14));
    Array.from(rv.toTypedArray()).forEach((s, i) => expect(s).toBeCloseTo(v.toTypedArray()[i], 14));
    const before = rm.toArray();
    F.batchNorm(x, rm, rv, { training: false });
    expect(rm.toArray()).toEqual(before);
  });

  it("embedding: the padding row (negative index wraps) gets no gradient but is looked up", () => {
    const w = randn([5, 2]).requiresGrad_();
    const out = F.embedding(i32([4, 1, 4, 0], [2, 2]), w, { paddingIdx: -1 });
    expect(out.shape).toEqual([2, 2, 2]);
    expect(Array.from(out.toTypedArray()).slice(0, 2)).toEqual(Array.from(w.toTypedArray()).slice(8, 10));
    const [g] = cr.gradients([out.sum()], [w]);
    expect(g.toArray()).toEqual([
      [1, 1],
      [1, 1],
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
  });
});

describe("nn.functional gradients match float64 finite differences", () => {
  cr.manualSeed(11);
  const x34 = randn([3, 4]);
  const y34 = randn([3, 4]);
  const probs = uniform([3, 4], 0.05, 0.95);
  const targets01 = uniform([3, 4], 0, 1);
  const logits = randn([4, 5]);
  const spatial = randn([2, 5, 3]);
  const softTargets = F.softmax(randn([4, 5]), 1);
  const classWeight = uniform([5], 0.5, 2);
  const posWeight = uniform([4], 0.5, 3);
  const rowWeight = uniform([3, 1], 0.5, 2);
  const runningMean = randn([3]);
  const runningVar = uniform([3], 0.5, 2);

  const checks: [string, (...xs: Tensor[]) => Tensor, Tensor[]][] = [
    ["mseLoss", (a, b) => F.mseLoss(a, b), [x34, y34]],
    ["l1Loss", (a, b) => F.l1Loss(a, b, { reduction: "sum" }), [x34, y34]],
    ["smoothL1Loss", (a, b) => F.smoothL1Loss(a, b, { beta: 0.7, reduction: "none" }), [x34, y34]],
    ["huberLoss", (a, b) => F.huberLoss(a, b, { delta: 0.6 }), [x34, y34]],
    [
      "crossEntropy (weight, ignore, smoothing)",
      (a) =>
        F.crossEntropy(a, i32([1, 4, 0, 2]), { weight: classWeight, ignoreIndex: 4, labelSmoothing: 0.15 }),
      [logits],
    ],
    [
      "crossEntropy (spatial, none)",
      (a) => F.crossEntropy(a, i32([0, 4, 2, 1, 1, 3], [2, 3]), { reduction: "none" }),
      [spatial],
    ],
    ["crossEntropy (unbatched)", (a) => F.crossEntropy(a, i32([3], [])), [randn([5])]],
    [
      "crossEntropy (probabilities, both inputs)",
      (a, t) => F.crossEntropy(a, t, { labelSmoothing: 0.1, weight: classWeight }),
      [logits, softTargets],
    ],
    ["nllLoss", (a) => F.nllLoss(a, i32([1, 4, 0, 2]), { weight: classWeight, reduction: "sum" }), [logits]],
    [
      "binaryCrossEntropy (both inputs, weight)",
      (p, t) => F.binaryCrossEntropy(p, t, { weight: posWeight }),
      [probs, targets01],
    ],
    [
      "binaryCrossEntropyWithLogits (weight, posWeight)",
      (a, t) => F.binaryCrossEntropyWithLogits(a, t, { weight: rowWeight, posWeight }),
      [x34, targets01],
    ],
    ["klDiv", (a, t) => F.klDiv(a, t, { reduction: "batchmean" }), [F.logSoftmax(x34, 1), probs]],
    ["klDiv (logTarget)", (a, t) => F.klDiv(a, t, { logTarget: true }), [x34, y34]],
    ["linear", (a, w, b) => F.linear(a, w, b), [randn([2, 3, 4]), randn([5, 4]), randn([5])]],
    ["linear (1-D input)", (a, w) => F.linear(a, w), [randn([4]), randn([3, 4])]],
    [
      "layerNorm",
      (a, w, b) => F.layerNorm(a, [3, 4], { weight: w, bias: b }),
      [randn([2, 3, 4]), randn([3, 4]), randn([3, 4])],
    ],
    [
      "batchNorm (training)",
      (a, w, b) =>
        F.batchNorm(a, cr.zeros([3], { dtype: "float64" }), cr.ones([3], { dtype: "float64" }), {
          weight: w,
          bias: b,
          training: true,
        }),
      [randn([4, 3, 2]), randn([3]), randn([3])],
    ],
    [
      "batchNorm (eval)",
      (a, w, b) => F.batchNorm(a, runningMean, runningVar, { weight: w, bias: b }),
      [randn([4, 3]), randn([3]), randn([3])],
    ],
    [
      "dropoutWithMask",
      (a) => F.dropoutWithMask(a, cr.tensor([true, false, true, true]), 0.25),
      [randn([4])],
    ],
    ["embedding", (w) => F.embedding(i32([2, 0, 2, 3], [2, 2]), w), [randn([4, 3])]],
    ["prelu", (a, w) => F.prelu(a, w), [randn([2, 3, 2]), randn([3])]],
    [
      "elu, leakyRelu, hardtanh, gelu, silu, mish, logsigmoid",
      (a) =>
        cr.stack([
          F.elu(a, { alpha: 0.7 }),
          F.leakyRelu(a, { negativeSlope: 0.2 }),
          F.hardtanh(a, { minVal: -0.5 }),
          F.gelu(a),
          F.gelu(a, { approximate: "tanh" }),
          F.silu(a),
          F.mish(a),
          F.logsigmoid(a),
        ]),
      [x34],
    ],
  ];
  for (const [name, fn, inputs] of checks) {
    it(name, () => {
      const r = cr.gradcheck(fn, inputs);
      expect(r.ok).toBe(true);
      expect(r.entries).toBeGreaterThan(0);
    });
  }

  it("second derivatives of crossEntropy, bceWithLogits, layerNorm and batchNorm (gradgradcheck)", () => {
    expect(
      cr.gradgradcheck((a) => F.crossEntropy(a, i32([1, 4, 0, 2]), { labelSmoothing: 0.1 }), [logits]).ok,
    ).toBe(true);
    expect(cr.gradgradcheck((a) => F.binaryCrossEntropyWithLogits(a, targets01), [x34]).ok).toBe(true);
    expect(cr.gradgradcheck((a) => F.layerNorm(a, 4), [x34]).ok).toBe(true);
    expect(cr.gradgradcheck((a) => F.batchNorm(a, null, null, { training: true }), [x34]).ok).toBe(true);
  });
});
