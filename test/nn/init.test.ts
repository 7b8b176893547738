// nn.init: the statistics of every random initializer on large tensors (std within 5%), exact fills,
// orthogonality, gains, fan computation, seeding, and in-place writes through views.
import { describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";
import { maxDiff } from "./helpers.js";

const init = cr.nn.init;

function stats(t: cr.Tensor): { mean: number; std: number; min: number; max: number } {
  const v = Array.from(t.toTypedArray(), Number);
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  const std = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length);
  return { mean, std, min: Math.min(...v), max: Math.max(...v) };
}

const within5 = (got: number, want: number) => expect(Math.abs(got / want - 1)).toBeLessThan(0.05);

describe("random initializers have the documented statistics", () => {
  const shape = [400, 300]; // fanIn 300, fanOut 400

  it("uniform_ and normal_", () => {
    cr.manualSeed(1);
    const u = stats(init.uniform_(cr.zeros(shape), { a: -2, b: 3 }));
    expect(u.min).toBeGreaterThanOrEqual(-2);
    expect(u.max).toBeLessThan(3);
    within5(u.mean, 0.5);
    within5(u.std, 5 / Math.sqrt(12));
    const n = stats(init.normal_(cr.zeros(shape), { mean: 1, std: 0.02 }));
    within5(n.mean, 1);
    within5(n.std, 0.02);
  });

  it("xavierUniform_ / xavierNormal_: std = gain·√(2/(fanIn+fanOut))", () => {
    cr.manualSeed(2);
    const want = Math.sqrt(2 / 700);
    const u = stats(init.xavierUniform_(cr.zeros(shape)));
    within5(u.std, want);
    expect(u.max).toBeLessThanOrEqual(Math.sqrt(6 / 700));
    within5(stats(init.xavierNormal_(cr.zeros(shape))).std, want);
    within5(
      stats(init.xavierUniform_(cr.zeros(shape), { gain: init.calculateGain("tanh") })).std,
      (5 / 3) * want,
    );
  });

  it("kaimingUniform_ / kaimingNormal_: std = gain/√fan for fanIn and fanOut", () => {
    cr.manualSeed(3);
    within5(stats(init.kaimingUniform_(cr.zeros(shape))).std, Math.SQRT2 / Math.sqrt(300));
    within5(stats(init.kaimingNormal_(cr.zeros(shape))).std, Math.SQRT2 / Math.sqrt(300));
    within5(
      stats(init.kaimingNormal_(cr.zeros(shape), { mode: "fanOut", nonlinearity: "relu" })).std,
      Math.SQRT2 / Math.sqrt(400),
    );
    const a = 0.2;
    within5(
      stats(init.kaimingUniform_(cr.zeros(shape), { a })).std,
      Math.sqrt(2 / (1 + a * a)) / Math.sqrt(300),
    );
    // conv-style weights count the receptive field: [64, 32, 3, 3] has fanIn 32·9 = 288
    within5(stats(init.kaimingNormal_(cr.zeros([64, 32, 3, 3]))).std, Math.SQRT2 / Math.sqrt(288));
  });

  it("is reproducible from manualSeed and works in float64", () => {
    cr.manualSeed(5);
    const a = init.normal_(cr.zeros([50], { dtype: "float64" }));
    cr.manualSeed(5);
    const b = init.normal_(cr.zeros([50], { dtype: "float64" }));
    expect(maxDiff(a, b)).toBe(0);
    expect(a.dtype).toBe("float64");
  });
});

describe("deterministic initializers and checks", () => {
  it("constant_, zeros_, ones_, eye_", () => {
    expect(init.constant_(cr.zeros([2, 2]), 0.5).toArray()).toEqual([
      [0.5, 0.5],
      [0.5, 0.5],
    ]);
    expect(init.ones_(cr.zeros([3])).toArray()).toEqual([1, 1, 1]);
    expect(init.zeros_(cr.ones([2])).toArray()).toEqual([0, 0]);
    expect(init.eye_(cr.zeros([2, 3])).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(() => init.eye_(cr.zeros([2, 2, 2]))).toThrow("eye_: expects a 2-D tensor, got shape [2,2,2]");
  });

  it("write in place through views and into parameters that require grad", () => {
    const w = cr.zeros([3, 4]);
    init.constant_(w.slice(0, 0, 2), 7);
    expect(w.toArray()).toEqual([
      [7, 7, 7, 7],
      [7, 7, 7, 7],
      [0, 0, 0, 0],
    ]);
    init.eye_(w.T);
    expect(w.select(1, 0).toArray()).toEqual([1, 0, 0]);
    const p = new cr.nn.Parameter(cr.zeros([2, 3]));
    expect(init.xavierUniform_(p)).toBe(p);
    expect(p.requiresGrad).toBe(true);
    expect(stats(p).std).toBeGreaterThan(0);
  });

  it("orthogonal_ gives WᵀW = I (tall) or WWᵀ = I (wide), times gain", () => {
    cr.manualSeed(6);
    const tall = init.orthogonal_(cr.zeros([60, 20], { dtype: "float64" }));
    expect(maxDiff(tall.T.matmul(tall), cr.eye(20, 20, { dtype: "float64" }))).toBeLessThan(1e-12);
    const wide = init.orthogonal_(cr.zeros([10, 40], { dtype: "float64" }), { gain: 2 });
    expect(maxDiff(wide.matmul(wide.T), cr.eye(10, 10, { dtype: "float64" }).mul(4))).toBeLessThan(1e-12);
    const square = init.orthogonal_(cr.zeros([32, 32]));
    expect(maxDiff(square.T.matmul(square), cr.eye(32))).toBeLessThan(1e-5);
    const conv = init.orthogonal_(cr.zeros([4, 2, 3], { dtype: "float64" }));
    const flat = conv.reshape(4, 6);
    expect(maxDiff(flat.matmul(flat.T), cr.eye(4, 4, { dtype: "float64" }))).toBeLessThan(1e-12);
  });

  it("calculateGain and fans", () => {
    expect(init.calculateGain("linear")).toBe(1);
    expect(init.calculateGain("sigmoid")).toBe(1);
    expect(init.calculateGain("tanh")).toBeCloseTo(5 / 3, 15);
    expect(init.calculateGain("relu")).toBeCloseTo(Math.SQRT2, 15);
    expect(init.calculateGain("leakyRelu")).toBeCloseTo(Math.sqrt(2 / 1.0001), 15);
    expect(init.calculateGain("leakyRelu", 0.2)).toBeCloseTo(Math.sqrt(2 / 1.04), 15);
    expect(init.calculateGain("selu")).toBe(0.75);
    expect(init.calculateFanInAndFanOut(cr.zeros([5, 3, 2, 2]))).toEqual({ fanIn: 12, fanOut: 20 });
    expect(() => init.xavierUniform_(cr.zeros([5]))).toThrow(
      "init: fan in and fan out need a tensor with at least 2 dims, got shape [5]",
    );
    expect(() => init.kaimingNormal_(cr.zeros([2, 2]), { mode: "fan_in" as never })).toThrow(
      "kaimingNormal_: mode must be 'fanIn' or 'fanOut', got 'fan_in'",
    );
  });
});
