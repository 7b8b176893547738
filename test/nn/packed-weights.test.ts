// Weights packed once for the GEMM (ops/packed.ts): a Linear layer run again and again on an unchanged
// weight reads the backend's packing of it, and every way of changing the weight — in-place ops, an
// optimizer step, loading, writes through an array the caller holds — shows in the very next output.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as cr from "../../src/index.js";
import { backend } from "../../src/backend/backend.js";

const { nn } = cr;
type T = cr.Tensor;

// The product without the Linear op (matmul of a transposed view, then a separate add): never packed,
// and the same bits as linear's GEMM with its bias epilogue.
const reference = (x: T, l: cr.nn.Linear) => cr.noGrad(() => x.matmul(l.weight.t()).add(l.bias!));
const values = (t: T) => Array.from(t.toTypedArray());

describe.skipIf(!cr.listBackends().includes("native"))("packed weights (native backend)", () => {
  const before = cr.getBackend();
  let packs: ReturnType<typeof vi.spyOn>;
  beforeAll(() => {
    cr.setBackend("native");
    packs = vi.spyOn(backend(), "packMatmulB");
  });
  afterAll(() => {
    packs.mockRestore();
    cr.setBackend(before);
  });

  function setup(seed = 1) {
    cr.manualSeed(seed);
    const layer = new nn.Linear(96, 80);
    const x = cr.randn([32, 96]);
    packs.mockClear();
    return { layer, x, run: () => cr.noGrad(() => layer.forward(x)) };
  }

  it("packs an unchanged weight once, on its second product, and gives the unpacked values", () => {
    const { layer, x, run } = setup();
    const want = values(reference(x, layer));
    for (let i = 0; i < 5; i++) expect(values(run()), `call ${i}`).toEqual(want);
    expect(packs).toHaveBeenCalledTimes(1);
  });

  it("packs again after in-place writes, an optimizer step and a state-dict load", () => {
    const { layer, x, run } = setup(2);
    const changes: [string, () => void][] = [
      ["copy_", () => cr.noGrad(() => layer.weight.copy_(cr.randn([80, 96])))],
      ["mul_", () => cr.noGrad(() => layer.weight.mul_(0.5))],
      ["view of the weight", () => cr.noGrad(() => layer.weight.t().add_(1))],
      [
        "optimizer step",
        () => {
          const opt = new cr.optim.SGD(layer.parameters(), { lr: 0.1 });
          layer.forward(x).sum().backward();
          opt.step();
        },
      ],
      [
        "loadStateDict",
        () => {
          cr.manualSeed(9);
          layer.loadStateDict(new nn.Linear(96, 80).stateDict());
        },
      ],
    ];
    for (const [what, change] of changes) {
      run();
      run(); // packed now
      const old = values(run());
      change();
      const want = values(reference(x, layer));
      expect(want, what).not.toEqual(old);
      expect(values(run()), what).toEqual(want);
      expect(values(run()), what).toEqual(want);
    }
  });

  it("never packs a weight whose array the caller holds, and drops a packing when it is handed out", () => {
    const { layer, x, run } = setup(3);
    run();
    run(); // packed
    const data = layer.weight.data; // the caller may now write behind the library's back
    data[0] += 1;
    data[100] -= 2;
    expect(values(run())).toEqual(values(reference(x, layer)));
    data[5] = 7;
    expect(values(run())).toEqual(values(reference(x, layer)));
    expect(packs).toHaveBeenCalledTimes(1);

    // A weight made over the caller's own array (tensor() does not copy a typed array)
    const own = Float32Array.from({ length: 80 * 96 }, (_, i) => Math.sin(i));
    layer.weight = new nn.Parameter(cr.tensor(own, { shape: [80, 96] }));
    packs.mockClear();
    for (let i = 0; i < 3; i++) run();
    own[17] = 40;
    expect(values(run())).toEqual(values(reference(x, layer)));
    expect(packs).not.toHaveBeenCalled();
  });

  it("does not pack a weight that changes every step (training), nor small products", () => {
    const { layer, x } = setup(4);
    const opt = new cr.optim.Adam(layer.parameters(), { lr: 1e-3 });
    for (let i = 0; i < 5; i++) {
      opt.zeroGrad();
      layer.forward(x).square().mean().backward();
      opt.step();
    }
    const small = new nn.Linear(8, 4);
    const xs = cr.randn([16, 8]);
    for (let i = 0; i < 5; i++) cr.noGrad(() => small.forward(xs));
    expect(packs).not.toHaveBeenCalled();
  });

  it("packs a constant right operand of matmul, and an RNN's weights once per step for all time steps", () => {
    cr.manualSeed(6);
    const w = cr.randn([96, 80]);
    const x = cr.randn([32, 96]);
    packs.mockClear();
    const want = values(cr.noGrad(() => x.matmul(w.t().contiguous().t())));
    for (let i = 0; i < 4; i++) expect(values(x.matmul(w)), `call ${i}`).toEqual(want);
    expect(packs).toHaveBeenCalledTimes(1);

    // Backpropagation through time: W_hh in h·W_hhᵀ (forward) and g·W_hh (backward) at every step.
    const rnn = new nn.RNN(64, 96, { batchFirst: true });
    const seq = cr.randn([32, 12, 64]);
    const grads = () => {
      rnn.zeroGrad();
      const out = rnn.forward(seq);
      out.square().mean().backward();
      return rnn.parameters().map((p) => values(p.grad!));
    };
    packs.mockClear();
    const got = grads();
    expect(packs.mock.calls.length).toBeGreaterThan(0);
    cr.setBackend("cpu"); // the reference: no packing, another summation order
    let ref: number[][];
    try {
      ref = grads();
    } finally {
      cr.setBackend("native");
    }
    got.forEach((g, i) => g.forEach((v, j) => expect(v, `parameter ${i}[${j}]`).toBeCloseTo(ref[i][j], 6)));
  });

  it("packs nothing for one-row inputs (matrix-vector kernels), and stays correct across backends", () => {
    const { layer, x, run } = setup(5);
    const row = cr.randn([1, 96]);
    for (let i = 0; i < 3; i++) cr.noGrad(() => layer.forward(row));
    expect(packs.mock.results.every((r) => r.value === null)).toBe(true);
    run();
    run(); // packed on the native backend
    cr.setBackend("cpu");
    try {
      cr.noGrad(() => layer.weight.mul_(2)); // changed while another backend is active
      cr.setBackend("native");
      expect(values(run())).toEqual(values(reference(x, layer)));
    } finally {
      cr.setBackend("native");
    }
  });
});
