// Checkpoints: what they hold, structural typing against nn/optim, clear errors, and a training run
// resumed from a checkpoint that continues bit-identically with an uninterrupted one.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";

const { nn, optim, data, io } = cr;
const dir = mkdtempSync(join(tmpdir(), "chainrule-ckpt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const params = (m: cr.nn.Module) => m.parameters().map((p) => [...p.toTypedArray()]);

function makeModel() {
  return new nn.Sequential(
    new nn.Linear(2, 16),
    new nn.ReLU(),
    new nn.Dropout({ p: 0.2 }),
    new nn.Linear(16, 2),
  );
}

describe("saveCheckpoint / loadCheckpoint", () => {
  it("restores model, optimizer, scheduler, RNG, epoch, step and extras", () => {
    cr.manualSeed(0);
    const model = makeModel();
    const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
    const sched = new optim.StepLR(opt, 1, { gamma: 0.5 });
    const { x, y } = data.moons(32, { seed: 0, noise: 0.1 });
    for (let i = 0; i < 3; i++) {
      opt.zeroGrad();
      nn.functional.crossEntropy(model.forward(x), y).backward();
      opt.step();
      sched.step();
    }
    const path = join(dir, "full.safetensors");
    const extra = {
      best: Infinity,
      worst: -Infinity,
      missing: NaN,
      history: [0.5, 0.25],
      note: "hi",
      ema: cr.ones([2]),
    };
    io.saveCheckpoint(path, { model, optimizer: opt, scheduler: sched, epoch: 3, step: 12, extra });
    const rngAfterSave = cr.rand([4]).toArray();

    cr.manualSeed(123);
    const model2 = makeModel();
    const opt2 = new optim.Adam(model2.parameters(), { lr: 0.5 });
    const sched2 = new optim.StepLR(opt2, 1, { gamma: 0.5 });
    const info = io.loadCheckpoint(path, { model: model2, optimizer: opt2, scheduler: sched2 });
    expect(cr.rand([4]).toArray()).toEqual(rngAfterSave);
    expect(params(model2)).toEqual(params(model));
    expect(info.epoch).toBe(3);
    expect(info.step).toBe(12);
    expect(info.extra.best).toBe(Infinity);
    expect(info.extra.worst).toBe(-Infinity);
    expect(Number.isNaN(info.extra.missing)).toBe(true);
    expect(info.extra.history).toEqual([0.5, 0.25]);
    expect((info.extra.ema as cr.Tensor).toArray()).toEqual([1, 1]);
    expect(opt2.paramGroups[0].lr).toBe(opt.paramGroups[0].lr);
    expect(sched2.stateDict()).toEqual(sched.stateDict());
    const s1 = opt.stateDict().state[0];
    const s2 = opt2.stateDict().state[0];
    expect(s2.step).toBe(s1.step);
    expect([...(s2.expAvgSq as cr.Tensor).toTypedArray()]).toEqual([
      ...(s1.expAvgSq as cr.Tensor).toTypedArray(),
    ]);
  });

  it("is a plain safetensors file: model tensors under model.<key>, the rest as JSON metadata", () => {
    cr.manualSeed(0);
    const model = makeModel();
    const path = join(dir, "plain.safetensors");
    io.saveCheckpoint(path, { model, epoch: 1, step: 2 });
    const { tensors, metadata } = io.loadFile(path);
    expect(Object.keys(tensors).sort()).toEqual([
      "model.0.bias",
      "model.0.weight",
      "model.3.bias",
      "model.3.weight",
    ]);
    expect(metadata.epoch).toBe("1");
    expect(JSON.parse(metadata.rng).s).toHaveLength(4);
    expect(io.loadCheckpoint(path, { restoreRng: false }).modelState["0.weight"].shape).toEqual([16, 2]);
  });

  it("works with any object that has stateDict/loadStateDict (structural types)", () => {
    const store: Record<string, cr.Tensor> = { w: cr.full([3], 7) };
    const model = {
      stateDict: () => store,
      loadStateDict: (s: Record<string, cr.Tensor>) => Object.assign(store, s),
    };
    const path = join(dir, "duck.safetensors");
    io.saveCheckpoint(path, { model, epoch: 0, step: 0 });
    store.w = cr.zeros([3]);
    io.loadCheckpoint(path, { model });
    expect(store.w.toArray()).toEqual([7, 7, 7]);
  });

  it("refuses files that are not checkpoints or lack the requested state", () => {
    const plain = join(dir, "weights.safetensors");
    io.saveFile(plain, { w: cr.ones([1]) });
    expect(() => io.loadCheckpoint(plain)).toThrow(/weights\.safetensors is not a chainrule checkpoint/);
    cr.manualSeed(0);
    const model = makeModel();
    const path = join(dir, "model-only.safetensors");
    io.saveCheckpoint(path, { model, epoch: 0, step: 0 });
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    expect(() => io.loadCheckpoint(path, { model, optimizer: opt })).toThrow(
      /has no 'optimizer' entry in its metadata/,
    );
    const other = new nn.Linear(3, 3);
    expect(() => io.loadCheckpoint(path, { model: other })).toThrow(/loadStateDict/);
  });
});

describe("resume from a checkpoint", () => {
  /** Trains epochs [from, to) with dropout, a shuffling loader on the global stream, Adam and StepLR. */
  function train(
    state: { model: cr.nn.Module; opt: cr.optim.Adam; sched: cr.optim.StepLR },
    from: number,
    to: number,
    onEpochEnd?: (epoch: number) => void,
  ): number[] {
    const { x, y } = data.spirals(120, { classes: 2, noise: 0.05, seed: 1 });
    const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 16, shuffle: true });
    const losses: number[] = [];
    for (let epoch = from; epoch < to; epoch++) {
      state.model.train();
      for (const [xb, yb] of loader) {
        state.opt.zeroGrad();
        const loss = nn.functional.crossEntropy(state.model.forward(xb), yb);
        loss.backward();
        state.opt.step();
        losses.push(loss.item());
      }
      state.sched.step();
      onEpochEnd?.(epoch);
    }
    return losses;
  }
  function fresh(seed: number) {
    cr.manualSeed(seed);
    const model = makeModel();
    const opt = new optim.Adam(model.parameters(), { lr: 0.02 });
    return { model, opt, sched: new optim.StepLR(opt, 2, { gamma: 0.5 }) };
  }

  it("continues bit-identically with the uninterrupted run", () => {
    const path = join(dir, "resume.safetensors");
    const full = fresh(7);
    const losses = train(full, 0, 5, (epoch) => {
      if (epoch === 1)
        io.saveCheckpoint(path, {
          model: full.model,
          optimizer: full.opt,
          scheduler: full.sched,
          epoch: epoch + 1,
          step: 0,
        });
    });

    const resumed = fresh(99); // different initialization and RNG: everything must come from the file
    const info = io.loadCheckpoint(path, {
      model: resumed.model,
      optimizer: resumed.opt,
      scheduler: resumed.sched,
    });
    expect(info.epoch).toBe(2);
    const tail = train(resumed, info.epoch, 5);
    expect(tail).toEqual(losses.slice(losses.length - tail.length));
    expect(params(resumed.model)).toEqual(params(full.model));
    expect(resumed.opt.paramGroups[0].lr).toBe(full.opt.paramGroups[0].lr);
    // and the check can fail: without restoring the RNG, dropout and shuffling differ
    const noRng = fresh(99);
    io.loadCheckpoint(path, {
      model: noRng.model,
      optimizer: noRng.opt,
      scheduler: noRng.sched,
      restoreRng: false,
    });
    expect(train(noRng, 2, 5)).not.toEqual(tail);
  });
});
