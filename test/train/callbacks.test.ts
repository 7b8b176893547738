// Callbacks: EarlyStopping (patience, minDelta, mode, restoreBest), ModelCheckpoint (every epoch, best
// only, {epoch} names, extra data), the JSON-lines and CSV loggers, and a run resumed from a checkpoint
// that ends bit-identical to the uninterrupted run.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";

const { nn, optim, data, train, io } = cr;
const dir = mkdtempSync(join(tmpdir(), "chainrule-callbacks-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeContext(model: cr.nn.Module = new nn.Linear(2, 2)): cr.train.TrainContext {
  return {
    model,
    optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }),
    scheduler: undefined,
    epochs: 10,
    stepsPerEpoch: 1,
    samplesPerEpoch: 1,
    step: 0,
    history: new train.History(),
    stopTraining: false,
  };
}

/** Feeds `values` of `key` to a callback epoch by epoch until it stops training; returns the epochs seen. */
function feed(cb: cr.train.Callback, key: string, values: number[], ctx = fakeContext()): number {
  cb.onTrainBegin?.(ctx);
  let e = 0;
  for (; e < values.length && !ctx.stopTraining; e++)
    void cb.onEpochEnd?.(e, { epoch: e + 1, [key]: values[e] }, ctx);
  return e;
}

describe("EarlyStopping", () => {
  it("stops after `patience` epochs without improvement and remembers the best", () => {
    const es = new train.EarlyStopping({ patience: 2 });
    expect(feed(es, "val_loss", [1, 0.9, 0.95, 0.94, 0.5, 0.4])).toBe(4);
    expect(es.stoppedEpoch).toBe(3);
    expect(es.bestEpoch).toBe(1);
    expect(es.best).toBe(0.9);
  });

  it("patience 0 stops at the first epoch that does not improve", () => {
    const es = new train.EarlyStopping({ monitor: "loss" });
    expect(feed(es, "loss", [3, 2, 2, 1])).toBe(3);
  });

  it("minDelta: smaller changes are not improvements", () => {
    const es = new train.EarlyStopping({ monitor: "loss", patience: 2, minDelta: 0.1 });
    expect(feed(es, "loss", [1, 0.95, 0.92, 0.5])).toBe(3);
    expect(es.best).toBe(1);
  });

  it("mode: auto maximizes accuracy-like keys; max/min can be forced", () => {
    expect(
      feed(new train.EarlyStopping({ monitor: "val_accuracy" }), "val_accuracy", [0.5, 0.6, 0.7, 0.6, 0.8]),
    ).toBe(4);
    expect(feed(new train.EarlyStopping({ monitor: "score", mode: "max" }), "score", [1, 2, 3, 4])).toBe(4);
    expect(feed(new train.EarlyStopping({ monitor: "score" }), "score", [1, 2, 3, 4])).toBe(2);
    expect(train.resolveMode("val_f1", "auto")).toBe("max");
    expect(train.resolveMode("val_mae", "auto")).toBe("min");
  });

  it("names the missing key when the monitored value is not logged", () => {
    expect(() => feed(new train.EarlyStopping(), "loss", [1])).toThrow(
      /monitors 'val_loss', which is not logged \(logged: epoch, loss\)/,
    );
  });

  it("restoreBest puts back the weights of the best epoch", async () => {
    cr.manualSeed(1);
    const model = new nn.Sequential(new nn.Linear(2, 8), new nn.Tanh(), new nn.Linear(8, 2));
    const d = data.moons(200, { noise: 0.3, seed: 3 });
    const snapshots: Float32Array[] = [];
    const record: cr.train.Callback = {
      onEpochEnd: (_e, _l, ctx) =>
        void snapshots.push(Float32Array.from(ctx.model.parameters()[0].toTypedArray() as Float32Array)),
    };
    const es = new train.EarlyStopping({ monitor: "val_loss", patience: 2, restoreBest: true });
    await train.fit(model, {
      train: d,
      validationSplit: 0.3,
      epochs: 40,
      batchSize: 8,
      // A rate high enough that the validation loss bounces, so the best epoch is not the last.
      optimizer: new optim.SGD(model.parameters(), { lr: 1.5, momentum: 0.9 }),
      loss: new nn.CrossEntropyLoss(),
      callbacks: [record, es],
      verbose: 0,
    });
    expect(es.stoppedEpoch).toBeGreaterThan(es.bestEpoch);
    expect(snapshots[snapshots.length - 1]).not.toEqual(snapshots[es.bestEpoch]);
    expect(model.parameters()[0].toTypedArray()).toEqual(snapshots[es.bestEpoch]);
  });
});

describe("ModelCheckpoint", () => {
  it("writes after every epoch with the epoch count, history and extra data", async () => {
    cr.manualSeed(0);
    const model = new nn.Sequential(new nn.Linear(2, 4), new nn.ReLU(), new nn.Linear(4, 2));
    const path = join(dir, "every-{epoch}.safetensors");
    const cb = new train.ModelCheckpoint({ path, extra: { arch: [2, 4, 2] } });
    const h = await train.fit(model, {
      train: data.xor(32, { seed: 0 }),
      epochs: 3,
      batchSize: 8,
      optimizer: new optim.Adam(model.parameters()),
      loss: new nn.CrossEntropyLoss(),
      callbacks: [cb],
      verbose: 0,
    });
    for (const e of [1, 2, 3]) expect(existsSync(join(dir, `every-${e}.safetensors`))).toBe(true);
    expect(cb.lastPath).toBe(join(dir, "every-3.safetensors"));
    const info = io.loadCheckpoint(cb.lastPath!, { restoreRng: false });
    expect(info.epoch).toBe(3);
    expect(info.step).toBe(12);
    expect(info.extra.arch).toEqual([2, 4, 2]);
    expect(info.extra.history).toEqual(h.toJSON());
    // The saved weights are the final ones.
    expect(info.modelState["2.bias"].toTypedArray()).toEqual(model.stateDict()["2.bias"].toTypedArray());
  });

  it("saveBestOnly writes only when the monitored value improves", () => {
    const cb = new train.ModelCheckpoint({
      path: join(dir, "best-{epoch}.safetensors"),
      monitor: "loss",
      saveBestOnly: true,
    });
    feed(cb, "loss", [3, 2, 2.5, 1, 1]);
    expect([1, 2, 3, 4, 5].map((e) => existsSync(join(dir, `best-${e}.safetensors`)))).toEqual([
      true,
      true,
      false,
      true,
      false,
    ]);
    expect(cb.best).toBe(1);
  });
});

describe("loggers", () => {
  const logs = [
    { epoch: 1, loss: 0.5, val_loss: NaN },
    { epoch: 2, loss: 0.25, val_loss: 0.3 },
  ];
  it("JsonLinesLogger writes one JSON object per epoch (non-finite numbers as strings)", () => {
    const path = join(dir, "sub", "log.jsonl");
    const log = new train.JsonLinesLogger(path);
    feed({ onTrainBegin: () => log.onTrainBegin() }, "x", []);
    logs.forEach((l, i) => log.onEpochEnd(i, l));
    expect(
      readFileSync(path, "utf8")
        .trim()
        .split("\n")
        .map((s) => JSON.parse(s)),
    ).toEqual([
      { epoch: 1, loss: 0.5, val_loss: "NaN" },
      { epoch: 2, loss: 0.25, val_loss: 0.3 },
    ]);
    // A new run empties the file; append (resume) keeps it.
    new train.JsonLinesLogger(path, { append: true }).onTrainBegin();
    expect(readFileSync(path, "utf8").trim().split("\n")).toHaveLength(2);
    log.onTrainBegin();
    expect(readFileSync(path, "utf8")).toBe("");
  });

  it("CsvLogger writes a header and one row per epoch; append keeps the header's columns", () => {
    const path = join(dir, "log.csv");
    const log = new train.CsvLogger(path);
    log.onTrainBegin();
    logs.forEach((l, i) => log.onEpochEnd(i, l));
    expect(readFileSync(path, "utf8")).toBe("epoch,loss,val_loss\n1,0.5,NaN\n2,0.25,0.3\n");
    const more = new train.CsvLogger(path, { append: true });
    more.onTrainBegin();
    more.onEpochEnd(2, { epoch: 3, val_loss: 0.2, loss: 0.1, extra: 7 });
    expect(readFileSync(path, "utf8").split("\n")[3]).toBe("3,0.1,0.2");
  });
});

describe("resume", () => {
  /** Model, optimizer and scheduler of the run (dropout, momentum and a per-batch schedule all carry state). */
  function setup() {
    cr.manualSeed(11);
    const model = new nn.Sequential(
      new nn.Linear(2, 16),
      new nn.ReLU(),
      new nn.Dropout({ p: 0.3 }),
      new nn.Linear(16, 2),
    );
    const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
    const scheduler = new optim.OneCycleLR(optimizer, 0.02, { epochs: 6, stepsPerEpoch: 13 });
    return { model, optimizer, scheduler };
  }
  const d = data.spirals(200, { noise: 0.05, seed: 4 });
  const opts = (s: ReturnType<typeof setup>) => ({
    train: d,
    epochs: 6,
    batchSize: 16,
    optimizer: s.optimizer,
    scheduler: s.scheduler,
    schedulerInterval: "batch" as const,
    loss: new nn.CrossEntropyLoss(),
    metrics: ["accuracy"],
    seed: 3,
    verbose: 0 as const,
  });

  it("a run stopped after 3 of 6 epochs and resumed from its checkpoint ends bit-identical", async () => {
    const full = setup();
    const fullHistory = await train.fit(full.model, opts(full));

    const first = setup();
    const path = join(dir, "resume.safetensors");
    const stopAt3: cr.train.Callback = { onEpochEnd: (e, _l, ctx) => void (ctx.stopTraining = e === 2) };
    await train.fit(first.model, {
      ...opts(first),
      callbacks: [new train.ModelCheckpoint({ path }), stopAt3],
    });
    cr.manualSeed(999); // whatever happens in between, the checkpoint's RNG state wins

    const second = setup();
    const info = io.loadCheckpoint(path, second);
    expect(info.epoch).toBe(3);
    const h = await train.fit(second.model, {
      ...opts(second),
      initialEpoch: info.epoch,
      history: new train.History(info.extra.history as cr.train.EpochLogs[]),
    });
    const a = full.model.stateDict();
    const b = second.model.stateDict();
    for (const k of Object.keys(a)) expect(b[k].toTypedArray(), k).toEqual(a[k].toTypedArray());
    expect(h.get("loss")).toEqual(fullHistory.get("loss"));
    expect(h.get("lr")).toEqual(fullHistory.get("lr"));
  });
});
