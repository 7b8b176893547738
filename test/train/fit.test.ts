// fit(): learns a synthetic set to a stated accuracy, logs what it says it logs, schedules learning
// rates per epoch, per batch and on plateaus, evaluates in eval mode without gradients, prints
// progress, and refuses bad options.
import { describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";

const { nn, optim, data, train } = cr;

function mlp(hidden = 16, dropout = 0): cr.nn.Sequential {
  const layers: cr.nn.Module[] = [new nn.Linear(2, hidden), new nn.Tanh()];
  if (dropout > 0) layers.push(new nn.Dropout({ p: dropout }));
  layers.push(new nn.Linear(hidden, hidden), new nn.Tanh(), new nn.Linear(hidden, 2));
  return new nn.Sequential(...layers);
}

/** A stream that records what is written. */
function sink(isTTY = false): { write(s: string): void; isTTY: boolean; text: string } {
  return {
    isTTY,
    text: "",
    write(s: string) {
      this.text += s;
    },
  };
}

describe("fit", () => {
  it("learns the two moons to ≥ 97% held-out accuracy", async () => {
    cr.manualSeed(0);
    const d = data.moons(1000, { noise: 0.1, seed: 1 });
    const model = mlp();
    const opt = new optim.Adam(model.parameters(), { lr: 0.02 });
    const history = await train.fit(model, {
      train: d,
      validationSplit: 0.2,
      epochs: 15,
      batchSize: 32,
      optimizer: opt,
      loss: new nn.CrossEntropyLoss(),
      metrics: ["accuracy"],
      seed: 0,
      verbose: 0,
    });
    expect(history.epochs).toHaveLength(15);
    expect(history.keys()).toEqual([
      "epoch",
      "loss",
      "accuracy",
      "val_loss",
      "val_accuracy",
      "lr",
      "time",
      "samplesPerSec",
    ]);
    expect(history.get("epoch")).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(history.last()!.val_accuracy).toBeGreaterThanOrEqual(0.97);
    expect(history.get("loss")[14]).toBeLessThan(history.get("loss")[0] / 3);
    // The logged validation numbers are what evaluate() gives on the same held-out rows.
    const split = data.trainTestSplit(d.x, d.y, { testSize: 0.2, seed: 0 });
    const v = train.evaluate(
      model,
      { x: split.xTest, y: split.yTest },
      { loss: new nn.CrossEntropyLoss(), metrics: ["accuracy"] },
    );
    expect(v.accuracy).toBe(history.last()!.val_accuracy);
    expect(v.loss).toBeCloseTo(history.last()!.val_loss, 6);
  });

  it("is deterministic given manualSeed and seed", async () => {
    const run = async () => {
      cr.manualSeed(5);
      const model = mlp(8, 0.2);
      const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
      const d = data.xor(200, { seed: 2 });
      const h = await train.fit(model, {
        train: d,
        epochs: 3,
        batchSize: 16,
        optimizer: opt,
        loss: new nn.CrossEntropyLoss(),
        seed: 7,
        verbose: 0,
      });
      return { loss: h.get("loss"), w: Array.from(model.parameters()[0].toTypedArray()) };
    };
    expect(await run()).toEqual(await run());
  });

  it("steps an epoch scheduler after each epoch and logs the rate used", async () => {
    cr.manualSeed(0);
    const model = mlp(4);
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    const h = await train.fit(model, {
      train: data.xor(64, { seed: 0 }),
      epochs: 5,
      batchSize: 16,
      optimizer: opt,
      loss: new nn.CrossEntropyLoss(),
      scheduler: new optim.StepLR(opt, 2, { gamma: 0.5 }),
      verbose: 0,
    });
    const lr = h.get("lr");
    [0.1, 0.1, 0.05, 0.05, 0.025].forEach((v, i) => expect(lr[i]).toBeCloseTo(v, 12));
  });

  it("steps a per-batch scheduler (OneCycleLR) after every optimizer step", async () => {
    cr.manualSeed(0);
    const model = mlp(4);
    const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    const sched = new optim.OneCycleLR(opt, 0.1, { epochs: 2, stepsPerEpoch: 4 });
    const seen: number[] = [];
    const ref = new optim.OneCycleLR(
      new optim.SGD([cr.zeros([1]).requiresGrad_()], { lr: 0.1, momentum: 0.9 }),
      0.1,
      { epochs: 2, stepsPerEpoch: 4 },
    );
    const expected: number[] = [];
    for (let i = 0; i < 8; i++) {
      if (i < 7) ref.step();
      expected.push(ref.getLastLr()[0]);
    }
    await train.fit(model, {
      train: data.xor(64, { seed: 0 }),
      epochs: 2,
      batchSize: 16,
      optimizer: opt,
      loss: new nn.CrossEntropyLoss(),
      scheduler: sched,
      schedulerInterval: "batch",
      callbacks: [{ onBatchEnd: () => void seen.push(opt.paramGroups[0].lr) }],
      verbose: 0,
    });
    expect(seen).toHaveLength(8);
    expect(seen.slice(0, 7)).toEqual(expected.slice(0, 7));
  });

  it("feeds ReduceLROnPlateau the monitored value", async () => {
    cr.manualSeed(0);
    const model = mlp(4);
    // A rate so small that the loss cannot improve by the 1e-4 threshold: the plateau scheduler must halve it after patience + 1 epochs.
    const opt = new optim.SGD(model.parameters(), { lr: 1e-6 });
    const h = await train.fit(model, {
      train: data.xor(64, { seed: 0 }),
      epochs: 4,
      batchSize: 64,
      optimizer: opt,
      loss: new nn.CrossEntropyLoss(),
      scheduler: new optim.ReduceLROnPlateau(opt, { patience: 1, factor: 0.5 }),
      shuffle: false,
      verbose: 0,
    });
    expect(h.get("lr")).toEqual([1e-6, 1e-6, 1e-6, 5e-7]);
    await expect(
      train.fit(model, {
        train: data.xor(8, { seed: 0 }),
        epochs: 1,
        optimizer: opt,
        loss: new nn.CrossEntropyLoss(),
        scheduler: new optim.ReduceLROnPlateau(opt),
        schedulerMonitor: "val_accuracy",
        verbose: 0,
      }),
    ).rejects.toThrow(/watches 'val_accuracy', which is not logged/);
  });

  it("validates in eval mode without gradients and restores each module's mode", async () => {
    cr.manualSeed(0);
    const model = mlp(4, 0.5);
    const drop = model.at(2);
    const seen: { training: boolean; grad: boolean }[] = [];
    const probe: cr.train.Metric = {
      name: "probe",
      higherIsBetter: true,
      reset() {},
      update(out) {
        seen.push({ training: drop.training, grad: out.requiresGrad });
      },
      compute: () => 0,
    };
    const d = data.xor(32, { seed: 0 });
    await train.fit(model, {
      train: d,
      validation: d,
      epochs: 1,
      batchSize: 32,
      optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }),
      loss: new nn.CrossEntropyLoss(),
      metrics: [probe],
      verbose: 0,
    });
    // One training batch (train mode, detached output), then one validation batch (eval mode, no graph).
    expect(seen).toEqual([
      { training: true, grad: false },
      { training: false, grad: false },
    ]);
    expect(model.training && drop.training).toBe(true);
    model.at(0).eval();
    train.evaluate(model, d, { metrics: ["accuracy"] });
    expect([model.training, model.at(0).training, drop.training]).toEqual([true, false, true]);
    const p = train.predict(model, d.x, { batchSize: 10 });
    expect(p.shape).toEqual([32, 2]);
    expect(p.requiresGrad).toBe(false);
  });

  it("prints one plain line per epoch off a terminal, a live bar with ETA on one", async () => {
    const go = async (stream: ReturnType<typeof sink>) => {
      cr.manualSeed(0);
      const model = mlp(4);
      await train.fit(model, {
        train: data.xor(64, { seed: 0 }),
        epochs: 2,
        batchSize: 16,
        optimizer: new optim.Adam(model.parameters()),
        loss: new nn.CrossEntropyLoss(),
        metrics: ["accuracy"],
        stream,
      });
      return stream.text;
    };
    const plain = await go(sink(false));
    expect(plain.split("\n")).toEqual([
      expect.stringMatching(
        /^Epoch 1\/2 {2}loss \d\.\d{4} {2}accuracy \d\.\d{4} {2}lr 1\.00e-3 {2}\d+\.\ds {2}\d+ samples\/s$/,
      ),
      expect.stringMatching(/^Epoch 2\/2 /),
      "",
    ]);
    expect(plain).not.toContain("\r");
    const live = await go(sink(true));
    expect(live).toContain("\r\x1b[K");
    expect(live).toMatch(/\[█+░*\] 4\/4 {2}loss \d\.\d{4} {2}accuracy \d\.\d{4} {2}\d+ samples\/s {2}ETA 0s/);
    expect(live.trimEnd().split("\n")).toHaveLength(2);
  });

  it("refuses impossible options with a message", async () => {
    const model = mlp(4);
    const base = {
      train: data.xor(8, { seed: 0 }),
      optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }),
      loss: new nn.CrossEntropyLoss(),
      verbose: 0 as const,
    };
    await expect(train.fit(model, { ...base, epochs: 0 })).rejects.toThrow(
      /epochs must be a positive integer, got 0/,
    );
    await expect(train.fit(model, { ...base, epochs: 1, batchSize: 2.5 })).rejects.toThrow(/batchSize/);
    await expect(train.fit(model, { ...base, epochs: 1, validationSplit: 1 })).rejects.toThrow(
      /validationSplit must be in \(0, 1\)/,
    );
    await expect(
      train.fit(model, { ...base, epochs: 1, validationSplit: 0.5, validation: base.train }),
    ).rejects.toThrow(/not both/);
    await expect(train.fit(model, { ...base, epochs: 2, initialEpoch: 3 })).rejects.toThrow(/initialEpoch/);
  });
});
