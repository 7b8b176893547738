// RNN, GRU, LSTM and their cells: values and gradients against PyTorch (test/fixtures/rnn-golden.json,
// written by scripts/gen-rnn-golden.py), float64 gradchecks, a BPTT training run, names and shape errors.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";
import { checkModule, maxDiff, randn64 } from "./helpers.js";

type Tensor = cr.Tensor;
const nn = cr.nn;

interface Enc {
  shape: number[];
  data: number[];
}
interface GoldenCase {
  name: string;
  module: "RNNCell" | "GRUCell" | "LSTMCell" | "RNN" | "GRU" | "LSTM";
  options: Record<string, unknown>;
  state: Record<string, Enc>;
  inputs: { x: Enc; h0?: Enc; c0?: Enc };
  outputs: Record<string, Enc>;
  gradOutputs: Record<string, Enc>;
  grads: Record<string, Enc>;
}
const golden = JSON.parse(readFileSync(new URL("../fixtures/rnn-golden.json", import.meta.url), "utf8")) as {
  inputSize: number;
  hiddenSize: number;
  cases: GoldenCase[];
};

const dec = (e: Enc, requiresGrad = false): Tensor =>
  cr.tensor(Float64Array.from(e.data), { shape: e.shape, requiresGrad });

/** Builds the chainrule module a golden case names, in float64. */
function build(c: GoldenCase): cr.nn.Module {
  const { inputSize: i, hiddenSize: h } = golden;
  const opts = { ...c.options, dtype: "float64" as const };
  switch (c.module) {
    case "RNNCell":
      return new nn.RNNCell(i, h, opts);
    case "GRUCell":
      return new nn.GRUCell(i, h, opts);
    case "LSTMCell":
      return new nn.LSTMCell(i, h, opts);
    case "RNN":
      return new nn.RNN(i, h, opts);
    case "GRU":
      return new nn.GRU(i, h, opts);
    case "LSTM":
      return new nn.LSTM(i, h, opts);
  }
}

/** Runs a module of any of the six kinds; returns the outputs under the golden file's names. */
function runAny(m: cr.nn.Module, x: Tensor, h0?: Tensor, c0?: Tensor): Record<string, Tensor> {
  if (m instanceof nn.LSTMCell) return m.step(x, h0, c0);
  if (m instanceof nn.RNNCell || m instanceof nn.GRUCell) return { h: m.forward(x, h0) };
  if (m instanceof nn.LSTM) return m.forwardWithState(x, h0, c0);
  if (m instanceof nn.RNN || m instanceof nn.GRU) return m.forwardWithState(x, h0);
  throw new Error(`not a recurrent module: ${m.constructor.name}`);
}

describe("recurrent modules against PyTorch (float64)", () => {
  it("covers every module kind", () => {
    expect(new Set(golden.cases.map((c) => c.module)).size).toBe(6);
  });

  for (const c of golden.cases)
    it(`${c.name}: outputs, final states and gradients match to 1e-9`, () => {
      const m = build(c);
      const state = Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, dec(v)]));
      expect(m.loadStateDict(state)).toEqual({ missingKeys: [], unexpectedKeys: [] });
      const inputs = Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, dec(v, true)]));
      const outs = runAny(m, inputs.x, inputs.h0, inputs.c0);
      expect(Object.keys(outs).sort()).toEqual(Object.keys(c.outputs).sort());
      let loss: Tensor | null = null;
      for (const [k, want] of Object.entries(c.outputs)) {
        expect(maxDiff(outs[k], dec(want)), k).toBeLessThan(1e-9);
        const term = outs[k].mul(dec(c.gradOutputs[k])).sum();
        loss = loss ? loss.add(term) : term;
      }
      const params = m.namedParameters();
      const wrt = [...Object.values(inputs), ...params.map(([, p]) => p)];
      const names = [...Object.keys(inputs), ...params.map(([n]) => n)];
      expect([...names].sort()).toEqual(Object.keys(c.grads).sort());
      const grads = cr.gradients([loss!], wrt);
      grads.forEach((g, i) => expect(maxDiff(g!, dec(c.grads[names[i]])), names[i]).toBeLessThan(1e-9));
    });
});

describe("PyTorch's parameter names and layouts", () => {
  it("cells: weight_ih [gates·H, in], weight_hh [gates·H, H], bias_ih, bias_hh", () => {
    for (const [cell, gates] of [
      [new nn.RNNCell(3, 5), 1],
      [new nn.GRUCell(3, 5), 3],
      [new nn.LSTMCell(3, 5), 4],
    ] as const) {
      const shapes = Object.fromEntries(Object.entries(cell.stateDict()).map(([k, v]) => [k, [...v.shape]]));
      expect(shapes).toEqual({
        weight_ih: [gates * 5, 3],
        weight_hh: [gates * 5, 5],
        bias_ih: [gates * 5],
        bias_hh: [gates * 5],
      });
      expect(cell.weightIh).toBe(cell.weight_ih);
      expect(cell.biasHh).toBe(cell.bias_hh);
    }
    expect(Object.keys(new nn.GRUCell(2, 3, { bias: false }).stateDict())).toEqual([
      "weight_ih",
      "weight_hh",
    ]);
  });

  it("sequence modules: _l{k} and _reverse suffixes, layer k > 0 reading dirs·H features", () => {
    const lstm = new nn.LSTM(3, 5, { numLayers: 2, bidirectional: true });
    const shapes = Object.fromEntries(Object.entries(lstm.stateDict()).map(([k, v]) => [k, [...v.shape]]));
    expect(shapes).toEqual({
      weight_ih_l0: [20, 3],
      weight_hh_l0: [20, 5],
      bias_ih_l0: [20],
      bias_hh_l0: [20],
      weight_ih_l0_reverse: [20, 3],
      weight_hh_l0_reverse: [20, 5],
      bias_ih_l0_reverse: [20],
      bias_hh_l0_reverse: [20],
      weight_ih_l1: [20, 10],
      weight_hh_l1: [20, 5],
      bias_ih_l1: [20],
      bias_hh_l1: [20],
      weight_ih_l1_reverse: [20, 10],
      weight_hh_l1_reverse: [20, 5],
      bias_ih_l1_reverse: [20],
      bias_hh_l1_reverse: [20],
    });
    expect(lstm.layerWeights(1, { reverse: true }).weightIh).toBe((lstm as any).weight_ih_l1_reverse);
    expect(Object.keys(new nn.GRU(2, 3, { numLayers: 2, bias: false }).stateDict())).toEqual([
      "weight_ih_l0",
      "weight_hh_l0",
      "weight_ih_l1",
      "weight_hh_l1",
    ]);
    // torch: sum(p.numel() for p in nn.GRU(10, 20, num_layers=2).parameters()) == 4,440
    expect(new nn.GRU(10, 20, { numLayers: 2 }).numParameters()).toBe(4440);
  });

  it("initializes every parameter from U(-1/√H, 1/√H), reproducibly under manualSeed", () => {
    cr.manualSeed(7);
    const a = new nn.LSTM(6, 16, { numLayers: 2 });
    cr.manualSeed(7);
    const b = new nn.LSTM(6, 16, { numLayers: 2 });
    const all = a.parameters().flatMap((p) => [...p.toTypedArray()].map(Number));
    expect(Math.max(...all.map(Math.abs))).toBeLessThanOrEqual(0.25);
    expect(Math.max(...all)).toBeGreaterThan(0.24); // the whole range is used
    const mean = all.reduce((s, v) => s + v, 0) / all.length;
    const variance = all.reduce((s, v) => s + v * v, 0) / all.length - mean * mean;
    expect(variance).toBeCloseTo(0.0625 / 3, 3); // U(-k, k) has variance k²/3
    a.parameters().forEach((p, i) => expect(maxDiff(p, b.parameters()[i])).toBe(0));
  });

  it("prints its settings", () => {
    expect(String(new nn.LSTM(3, 5, { numLayers: 2, batchFirst: true }))).toBe(
      "LSTM(3, 5, numLayers=2, batchFirst=true)",
    );
    expect(String(new nn.RNNCell(3, 5, { nonlinearity: "relu" }))).toBe("RNNCell(3, 5, nonlinearity='relu')");
  });
});

describe("sequence modules agree with their cells", () => {
  it("LSTM over a sequence = LSTMCell.step unrolled with the same weights; RNN/GRU likewise", () => {
    cr.manualSeed(3);
    const x = randn64([4, 2, 3]);
    for (const [seq, cell] of [
      [new nn.RNN(3, 5, { dtype: "float64" }), new nn.RNNCell(3, 5, { dtype: "float64" })],
      [new nn.GRU(3, 5, { dtype: "float64" }), new nn.GRUCell(3, 5, { dtype: "float64" })],
      [new nn.LSTM(3, 5, { dtype: "float64" }), new nn.LSTMCell(3, 5, { dtype: "float64" })],
    ] as const) {
      const sd = Object.fromEntries(
        Object.entries(seq.stateDict()).map(([k, v]) => [k.replace("_l0", ""), v]),
      );
      cell.loadStateDict(sd);
      const got = runAny(seq, x);
      let h: Tensor | undefined;
      let c: Tensor | undefined;
      const hs: Tensor[] = [];
      for (let t = 0; t < 4; t++) {
        ({ h, c } = runAny(cell, x.select(0, t), h, c));
        hs.push(h);
      }
      expect(maxDiff(got.output, cr.stack(hs, 0))).toBeLessThan(1e-14);
      expect(maxDiff(got.h, h!.unsqueeze(0))).toBeLessThan(1e-14);
      if (c) expect(maxDiff(got.c, c.unsqueeze(0))).toBeLessThan(1e-14);
    }
  });

  it("the reverse direction reads the sequence from its end; its output is stored in time order", () => {
    cr.manualSeed(4);
    const bi = new nn.GRU(3, 4, { bidirectional: true, dtype: "float64" });
    const fwd = new nn.GRU(3, 4, { dtype: "float64" });
    const sd = bi.stateDict();
    fwd.loadStateDict(Object.fromEntries(Object.keys(fwd.stateDict()).map((k) => [k, sd[`${k}_reverse`]])));
    const x = randn64([5, 2, 3]);
    const { output, h } = bi.forwardWithState(x);
    const reversed = (t: Tensor) => cr.stack([4, 3, 2, 1, 0].map((i) => t.select(0, i)));
    const rev = fwd.forwardWithState(reversed(x));
    const backOut = output.slice(2, 4, 8);
    expect(maxDiff(backOut, reversed(rev.output))).toBeLessThan(1e-14);
    expect(maxDiff(h.select(0, 1), rev.h.select(0, 0))).toBeLessThan(1e-14);
  });

  it("batchFirst transposes the input and output but not the states", () => {
    cr.manualSeed(5);
    const a = new nn.LSTM(3, 4, { numLayers: 2, dtype: "float64" });
    const b = new nn.LSTM(3, 4, { numLayers: 2, batchFirst: true, dtype: "float64" });
    b.loadStateDict(a.stateDict());
    const x = randn64([5, 2, 3]);
    const ra = a.forwardWithState(x);
    const rb = b.forwardWithState(x.transpose(0, 1));
    expect(maxDiff(rb.output, ra.output.transpose(0, 1))).toBe(0);
    expect(maxDiff(rb.h, ra.h)).toBe(0);
    expect(maxDiff(rb.c, ra.c)).toBe(0);
  });

  it("dropout acts between layers in training only", () => {
    cr.manualSeed(6);
    const a = new nn.GRU(3, 4, { numLayers: 2, dtype: "float64" });
    const b = new nn.GRU(3, 4, { numLayers: 2, dropout: 0.5, dtype: "float64" });
    b.loadStateDict(a.stateDict());
    const x = randn64([5, 2, 3]);
    expect(maxDiff(b.forward(x), a.forward(x))).toBeGreaterThan(1e-3);
    b.eval();
    expect(maxDiff(b.forward(x), a.forward(x))).toBe(0);
    // a single layer has no layer after it to drop out for
    const one = new nn.GRU(3, 4, { dropout: 0.5, dtype: "float64" });
    const ref = new nn.GRU(3, 4, { dtype: "float64" });
    ref.loadStateDict(one.stateDict());
    expect(maxDiff(one.forward(x), ref.forward(x))).toBe(0);
  });
});

describe("gradcheck (float64 central differences) w.r.t. input, initial state and every parameter", () => {
  const flat = (r: Record<string, Tensor>) => cr.cat(Object.values(r).map((t) => t.flatten()));

  it("cells", () => {
    cr.manualSeed(10);
    for (const cell of [
      new nn.RNNCell(2, 3),
      new nn.RNNCell(2, 3, { nonlinearity: "relu", bias: false }),
      new nn.GRUCell(2, 3),
      new nn.LSTMCell(2, 3),
    ]) {
      const inputs = [randn64([2, 2]), randn64([2, 3]), randn64([2, 3])];
      const k = cell instanceof nn.LSTMCell ? 3 : 2;
      expect(
        checkModule(cell, inputs.slice(0, k), (m, xs) => flat(runAny(m, xs[0], xs[1], xs[2]))),
      ).toBeGreaterThan(0);
    }
  });

  for (const [name, make, stateful] of [
    ["RNN tanh, 2 layers", () => new nn.RNN(2, 2, { numLayers: 2 }), 1],
    [
      "RNN relu, bidirectional, batchFirst",
      () => new nn.RNN(2, 2, { nonlinearity: "relu", bidirectional: true, batchFirst: true }),
      1,
    ],
    ["GRU, 2 layers, bidirectional", () => new nn.GRU(2, 2, { numLayers: 2, bidirectional: true }), 1],
    ["LSTM, 2 layers", () => new nn.LSTM(2, 2, { numLayers: 2 }), 2],
    ["LSTM, bidirectional, no bias", () => new nn.LSTM(2, 2, { bidirectional: true, bias: false }), 2],
  ] as const)
    it(name, () => {
      cr.manualSeed(11);
      const m = make();
      const layers = m.numLayers * m.numDirections;
      const x = randn64(m.batchFirst ? [2, 3, 2] : [3, 2, 2]);
      const states = Array.from({ length: stateful }, () => randn64([layers, 2, 2]));
      const entries = checkModule(m, [x, ...states], (mod, xs) => flat(runAny(mod, xs[0], xs[1], xs[2])));
      expect(entries).toBeGreaterThan(100);
    });
});

describe("backprop through time trains", () => {
  /** Random bit sequences (seeded) as ±1 inputs [L, N, 1] and as 0/1 numbers [L][N]. */
  function bits(len: number, n: number): { x: Tensor; b: number[][] } {
    const b = cr.randint(0, 2, [len, n]);
    return { x: b.to("float32").mul(2).sub(1).unsqueeze(2), b: b.toArray() as number[][] };
  }

  /** Trains `rnn` + a linear read-out on `target(b, t, i)` for steps t ≥ from; returns the accuracy on fresh data. */
  function train(
    rnn: cr.nn.RNN | cr.nn.GRU | cr.nn.LSTM,
    opts: { len: number; from: number; steps: number; lr: number },
    target: (b: number[][], t: number, i: number) => number,
  ): number {
    const head = new nn.Linear(rnn.hiddenSize, 1);
    const params = [...rnn.parameters(), ...head.parameters()];
    const opt = new cr.optim.Adam(params, { lr: opts.lr });
    const batch = (n: number) => {
      const { x, b } = bits(opts.len, n);
      const y = b.slice(opts.from).map((row, t) => row.map((_, i) => [target(b, t + opts.from, i)]));
      const logits = head.forward(rnn.forward(x).slice(0, opts.from));
      return { logits, y: cr.tensor(y) };
    };
    for (let step = 0; step < opts.steps; step++) {
      const { logits, y } = batch(32);
      const loss = nn.functional.binaryCrossEntropyWithLogits(logits, y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
    }
    const { logits, y } = cr.noGrad(() => batch(500));
    return logits.gt(0).to("float32").eq(y).to("float32").mean().item();
  }

  // Both runs reach 100% for each of seeds 0–5 (checked while writing the test); the bar leaves room.
  it("an Elman RNN learns to echo its input from 3 steps back (≥ 99% on fresh sequences)", () => {
    cr.manualSeed(0);
    const acc = train(
      new nn.RNN(1, 12),
      { len: 10, from: 3, steps: 150, lr: 0.02 },
      (b, t, i) => b[t - 3][i],
    );
    expect(acc).toBeGreaterThanOrEqual(0.99);
  });

  it("an LSTM learns to carry the first bit to the end of the sequence (≥ 99% at the last step)", () => {
    cr.manualSeed(0);
    const acc = train(new nn.LSTM(1, 12), { len: 6, from: 5, steps: 150, lr: 0.05 }, (b, _t, i) => b[0][i]);
    expect(acc).toBeGreaterThanOrEqual(0.99);
  });
});

describe("shape and argument errors name the module, what came and what was expected", () => {
  const cases: [string, () => unknown, RegExp][] = [
    [
      "cell input size",
      () => new nn.GRUCell(3, 4).forward(cr.zeros([2, 5])),
      /GRUCell: expected input of shape \[N, 3\] or \[3\] \(inputSize=3\), got \[2,5\]/,
    ],
    [
      "cell input rank",
      () => new nn.RNNCell(3, 4).forward(cr.zeros([1, 2, 3])),
      /RNNCell: expected input .* got \[1,2,3\]/,
    ],
    [
      "cell hx shape",
      () => new nn.RNNCell(3, 4).forward(cr.zeros([2, 3]), cr.zeros([3, 4])),
      /RNNCell: expected hx of shape \[2,4\] for input \[2,3\], got \[3,4\]/,
    ],
    [
      "unbatched cell hx",
      () => new nn.GRUCell(3, 4).forward(cr.zeros([3]), cr.zeros([1, 4])),
      /expected hx of shape \[4\]/,
    ],
    [
      "LSTMCell cx",
      () => new nn.LSTMCell(3, 4).step(cr.zeros([2, 3]), cr.zeros([2, 4]), cr.zeros([2, 5])),
      /LSTMCell: expected cx of shape \[2,4\]/,
    ],
    [
      "cell dtype",
      () => new nn.LSTMCell(3, 4).forward(cr.zeros([2, 3], { dtype: "float64" })),
      /LSTMCell: input dtype float64 does not match the parameters' float32/,
    ],
    [
      "sequence input size",
      () => new nn.LSTM(3, 4).forward(cr.zeros([5, 2, 4])),
      /LSTM: expected input of shape \[L, N, 3\] or unbatched \[L, 3\] \(inputSize=3\), got \[5,2,4\]/,
    ],
    [
      "batchFirst input size",
      () => new nn.GRU(3, 4, { batchFirst: true }).forward(cr.zeros([2, 5])),
      /GRU: expected input of shape \[N, L, 3\]/,
    ],
    [
      "sequence input rank",
      () => new nn.RNN(3, 4).forward(cr.zeros([3])),
      /RNN: expected input .* got \[3\]/,
    ],
    [
      "empty sequence",
      () => new nn.RNN(3, 4).forward(cr.zeros([0, 2, 3])),
      /RNN: expected a sequence of length ≥ 1/,
    ],
    [
      "h0 shape",
      () => new nn.GRU(3, 4, { numLayers: 2 }).forward(cr.zeros([5, 2, 3]), cr.zeros([1, 2, 4])),
      /GRU: expected h0 of shape \[2,2,4\] \(numLayers·numDirections, N, hiddenSize\) for input \[5,2,3\], got \[1,2,4\]/,
    ],
    [
      "h0 batch with batchFirst",
      () => new nn.RNN(3, 4, { batchFirst: true }).forward(cr.zeros([2, 5, 3]), cr.zeros([1, 5, 4])),
      /expected h0 of shape \[1,2,4\]/,
    ],
    [
      "unbatched h0",
      () => new nn.RNN(3, 4, { bidirectional: true }).forward(cr.zeros([5, 3]), cr.zeros([2, 1, 4])),
      /expected h0 of shape \[2,4\] \(numLayers·numDirections, hiddenSize\)/,
    ],
    [
      "c0 shape",
      () => new nn.LSTM(3, 4).forward(cr.zeros([5, 2, 3]), cr.zeros([1, 2, 4]), cr.zeros([1, 3, 4])),
      /LSTM: expected c0 of shape \[1,2,4\]/,
    ],
    [
      "sequence dtype",
      () => new nn.GRU(3, 4, { dtype: "float64" }).forward(cr.zeros([5, 2, 3])),
      /GRU: input dtype float32 does not match the parameters' float64/,
    ],
    ["hiddenSize", () => new nn.LSTM(3, 0), /LSTM: hiddenSize must be a positive integer, got 0/],
    [
      "numLayers",
      () => new nn.GRU(3, 4, { numLayers: 1.5 }),
      /GRU: numLayers must be a positive integer, got 1.5/,
    ],
    ["dropout", () => new nn.RNN(3, 4, { dropout: 2 }), /RNN: dropout must lie in \[0, 1\], got 2/],
    [
      "nonlinearity",
      () => new nn.RNNCell(3, 4, { nonlinearity: "sigmoid" as "tanh" }),
      /RNNCell: nonlinearity must be 'tanh' or 'relu', got 'sigmoid'/,
    ],
    [
      "reverse weights",
      () => new nn.LSTM(3, 4).layerWeights(0, { reverse: true }),
      /only a bidirectional module has reverse weights/,
    ],
    [
      "PyTorch state of the wrong size",
      () => new nn.LSTM(3, 4).loadStateDict(new nn.LSTM(3, 5).stateDict()),
      /shape mismatch for 'weight_ih_l0'/,
    ],
  ];
  for (const [name, fn, message] of cases)
    it(name, () => {
      expect(fn).toThrow(cr.ChainruleError);
      expect(fn).toThrow(message);
    });
});
