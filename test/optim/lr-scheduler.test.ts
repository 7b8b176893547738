// Every learning-rate scheduler against PyTorch's sequences (test/fixtures/lr-schedules.json, made by
// scripts/gen-lr-schedules.py), plus resuming from state dicts, validation and ReduceLROnPlateau's rules.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";

const { optim } = cr;

interface OptimizerSpec {
  type: "sgd" | "adam";
  momentum?: number;
  betas?: [number, number];
  groups: { lr: number }[];
}
interface ScheduleCase {
  id: string;
  scheduler: string;
  args?: any[];
  options?: Record<string, any>;
  optimizer: OptimizerSpec;
  steps: number;
  metrics?: number[];
  lr: number[][];
  momentum?: number[][];
}

const fixture = JSON.parse(
  fs.readFileSync(
    path.resolve(path.dirname(new URL(import.meta.url).pathname), "../fixtures/lr-schedules.json"),
    "utf8",
  ),
) as { cases: ScheduleCase[] };

// The same formulas as LAMBDAS in scripts/gen-lr-schedules.py.
const lambdas: Record<string, (e: number) => number> = {
  pow095: (e) => 0.95 ** e,
  warmup5: (e) => Math.min(1, (e + 1) / 5),
  invSqrt: (e) => 1 / Math.sqrt(e + 1),
};

type AnyOptimizer = cr.optim.SGD | cr.optim.Adam;

function makeOptimizer(spec: OptimizerSpec): AnyOptimizer {
  const groups = spec.groups.map((g) => ({ params: [cr.zeros([2], { requiresGrad: true })], ...g }));
  return spec.type === "sgd"
    ? new optim.SGD(groups, { lr: 0.1, momentum: spec.momentum ?? 0 })
    : new optim.Adam(groups, { lr: 1e-3, betas: spec.betas ?? [0.9, 0.999] });
}

type Scheduler = { step(metric?: number): void; getLastLr(): number[] };

// One constructor per scheduler name; positional args then the options object, as in the fixture.
const schedulers: Record<string, (opt: AnyOptimizer, args: any[], o: any) => Scheduler> = {
  StepLR: (opt, [size], o) => new optim.StepLR(opt, size, o),
  MultiStepLR: (opt, [milestones], o) => new optim.MultiStepLR(opt, milestones, o),
  ExponentialLR: (opt, [gamma]) => new optim.ExponentialLR(opt, gamma),
  CosineAnnealingLR: (opt, [tMax], o) => new optim.CosineAnnealingLR(opt, tMax, o),
  LinearLR: (opt, _args, o) => new optim.LinearLR(opt, o),
  LambdaLR: (opt, [f]) =>
    new optim.LambdaLR(opt, Array.isArray(f) ? f.map((n: string) => lambdas[n]) : lambdas[f]),
  OneCycleLR: (opt, [maxLr], o) => new optim.OneCycleLR(opt, maxLr, o),
  ReduceLROnPlateau: (opt, _args, o) => new optim.ReduceLROnPlateau(opt, o) as Scheduler,
};

const momentaOf = (opt: AnyOptimizer): number[] =>
  opt.paramGroups.map((g) => ("betas" in g ? g.betas[0] : (g as cr.optim.SGDHyper).momentum));

function run(c: ScheduleCase, steps = c.steps): { lr: number[][]; momentum: number[][]; last: number[][] } {
  const opt = makeOptimizer(c.optimizer);
  const sched = schedulers[c.scheduler](opt, c.args ?? [], c.options ?? {});
  const lr = [opt.paramGroups.map((g) => g.lr)];
  const momentum = [momentaOf(opt)];
  const last = [sched.getLastLr()];
  for (let k = 0; k < steps; k++) {
    sched.step(c.metrics?.[k]);
    lr.push(opt.paramGroups.map((g) => g.lr));
    momentum.push(momentaOf(opt));
    last.push(sched.getLastLr());
  }
  return { lr, momentum, last };
}

// PyTorch's recursive formulas in the same operation order: equal up to the last bits of cos/pow.
function expectSequence(actual: number[][], expected: number[][], what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  expected.forEach((row, k) =>
    row.forEach((e, g) => {
      const a = actual[k][g];
      if (!(Math.abs(a - e) <= 1e-13 * Math.abs(e) + 1e-18))
        expect.fail(`${what}: step ${k}, group ${g}: got ${a}, PyTorch gives ${e}`);
    }),
  );
}

describe("schedulers match PyTorch", () => {
  it("covers every scheduler", () => {
    expect(new Set(fixture.cases.map((c) => c.scheduler))).toEqual(new Set(Object.keys(schedulers)));
  });
  for (const c of fixture.cases)
    it(c.id, () => {
      const { lr, momentum, last } = run(c);
      expectSequence(lr, c.lr, `${c.id} lr`);
      expect(last).toEqual(lr);
      if (c.momentum) expectSequence(momentum, c.momentum, `${c.id} momentum`);
    });
});

// ---- beyond the fixture ----

const sgd = (lrs: number[], momentum = 0.9): cr.optim.SGD =>
  new optim.SGD(
    lrs.map((lr) => ({ params: [cr.zeros([2], { requiresGrad: true })], lr })),
    { lr: 0.1, momentum },
  );

describe("scheduler state dicts", () => {
  const makers: [string, (opt: cr.optim.SGD) => cr.optim.LRScheduler][] = [
    ["StepLR", (o) => new optim.StepLR(o, 3, { gamma: 0.5 })],
    ["CosineAnnealingLR", (o) => new optim.CosineAnnealingLR(o, 6, { etaMin: 0.001 })],
    ["LinearLR", (o) => new optim.LinearLR(o, { startFactor: 0.2, totalIters: 6 })],
    ["OneCycleLR", (o) => new optim.OneCycleLR(o, 0.5, { totalSteps: 20 })],
    ["LambdaLR", (o) => new optim.LambdaLR(o, (e) => 1 / (1 + e))],
  ];
  it.each(makers)("%s resumes exactly where it stopped (through JSON)", (_name, make) => {
    const straightOpt = sgd([0.1, 0.03]);
    const straight = make(straightOpt);
    const seq: number[][] = [];
    for (let k = 0; k < 15; k++) {
      straight.step();
      seq.push([...straight.getLastLr(), ...straightOpt.paramGroups.map((g) => g.momentum)]);
    }
    const opt1 = sgd([0.1, 0.03]);
    const s1 = make(opt1);
    for (let k = 0; k < 6; k++) s1.step();
    const saved = JSON.parse(JSON.stringify({ opt: opt1.stateDict(), sched: s1.stateDict() }));
    const opt2 = sgd([7, 7], 0.1);
    const s2 = make(opt2);
    opt2.loadStateDict(saved.opt);
    s2.loadStateDict(saved.sched);
    expect(s2.getLastLr()).toEqual(s1.getLastLr());
    const resumed: number[][] = [];
    for (let k = 6; k < 15; k++) {
      s2.step();
      resumed.push([...s2.getLastLr(), ...opt2.paramGroups.map((g) => g.momentum)]);
    }
    expect(resumed).toEqual(seq.slice(6));
  });
  it("refuses a malformed state dict", () => {
    const s = new optim.StepLR(sgd([0.1, 0.2]), 2);
    expect(() => s.loadStateDict({ ...s.stateDict(), baseLrs: [0.1] })).toThrow(
      /'baseLrs' must list 2 numbers/,
    );
    expect(() => s.loadStateDict({ ...s.stateDict(), lastEpoch: 1.5 })).toThrow(
      /'lastEpoch' must be an integer/,
    );
  });
});

describe("scheduler validation and limits", () => {
  it.each([
    ["StepLR stepSize 0", () => new optim.StepLR(sgd([0.1]), 0), /stepSize must be a positive integer/],
    [
      "MultiStepLR negative milestone",
      () => new optim.MultiStepLR(sgd([0.1]), [3, -1]),
      /milestones must be integers >= 0/,
    ],
    ["ExponentialLR negative gamma", () => new optim.ExponentialLR(sgd([0.1]), -0.5), /gamma/],
    ["CosineAnnealingLR tMax 0", () => new optim.CosineAnnealingLR(sgd([0.1]), 0), /tMax/],
    [
      "LinearLR startFactor 0",
      () => new optim.LinearLR(sgd([0.1]), { startFactor: 0 }),
      /startFactor must be in \(0, 1\]/,
    ],
    ["LinearLR endFactor 2", () => new optim.LinearLR(sgd([0.1]), { endFactor: 2 }), /endFactor/],
    [
      "LambdaLR wrong count",
      () => new optim.LambdaLR(sgd([0.1, 0.2]), [(e: number) => e]),
      /expected one function or 2/,
    ],
    [
      "OneCycleLR without length",
      () => new optim.OneCycleLR(sgd([0.1]), 1, {}),
      /give totalSteps, or epochs and stepsPerEpoch/,
    ],
    [
      "OneCycleLR pctStart 1.5",
      () => new optim.OneCycleLR(sgd([0.1]), 1, { totalSteps: 10, pctStart: 1.5 }),
      /pctStart/,
    ],
    [
      "OneCycleLR maxLr per group",
      () => new optim.OneCycleLR(sgd([0.1, 0.2]), [1, 2, 3], { totalSteps: 10 }),
      /one per group/,
    ],
    [
      "OneCycleLR needs momentum",
      () => new optim.OneCycleLR({ paramGroups: [{ lr: 0.1 }] }, 1, { totalSteps: 10 }),
      /must have momentum or betas/,
    ],
    [
      "ReduceLROnPlateau factor 1",
      () => new optim.ReduceLROnPlateau(sgd([0.1]), { factor: 1 }),
      /factor must be in \[0, 1\)/,
    ],
    [
      "ReduceLROnPlateau mode",
      () => new optim.ReduceLROnPlateau(sgd([0.1]), { mode: "up" as any }),
      /mode must be 'min' or 'max'/,
    ],
    [
      "ReduceLROnPlateau minLr count",
      () => new optim.ReduceLROnPlateau(sgd([0.1]), { minLr: [0, 0] }),
      /one per group/,
    ],
  ])("%s", (_name, fn, message) => {
    expect(fn).toThrow(cr.ChainruleError);
    expect(fn).toThrow(message);
  });
  it("OneCycleLR refuses to step past totalSteps", () => {
    const s = new optim.OneCycleLR(sgd([0.1]), 1, { totalSteps: 4 });
    for (let k = 0; k < 4; k++) s.step();
    expect(() => s.step()).toThrow(/tried to step 5 times; the specified number of total steps is 4/);
  });
  it("schedules the rate the optimizer really uses", () => {
    const p = cr.zeros([1], { dtype: "float64", requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 1 });
    const sched = new optim.StepLR(opt, 1, { gamma: 0.5 });
    for (let k = 0; k < 3; k++) {
      p.grad = cr.ones([1], { dtype: "float64" });
      opt.step();
      sched.step();
    }
    expect(p.item()).toBe(-(1 + 0.5 + 0.25));
  });
});

describe("ReduceLROnPlateau", () => {
  it("waits `patience` bad epochs, reduces, then cools down", () => {
    const opt = sgd([1]);
    const s = new optim.ReduceLROnPlateau(opt, { patience: 2, cooldown: 2, factor: 0.5 });
    const lrs = [5, 4, 4, 4, 4, 4, 4, 4, 4, 4].map((m) => {
      s.step(m);
      return opt.paramGroups[0].lr;
    });
    // best 4 at epoch 2; bad epochs 3,4,5 → reduce after the third; 2 cooldown epochs; 3 more bad → reduce
    expect(lrs).toEqual([1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.25]);
    expect(s.getLastLr()).toEqual([0.25]);
  });
  it("counts only improvements beyond the threshold", () => {
    const rel = new optim.ReduceLROnPlateau(sgd([1]), { threshold: 0.1 });
    rel.step(10);
    rel.step(9.5); // not < 10·0.9
    expect([rel.best, rel.numBadEpochs]).toEqual([10, 1]);
    rel.step(8.9);
    expect([rel.best, rel.numBadEpochs]).toEqual([8.9, 0]);
    const abs = new optim.ReduceLROnPlateau(sgd([1]), { mode: "max", threshold: 0.5, thresholdMode: "abs" });
    abs.step(1);
    abs.step(1.4);
    expect([abs.best, abs.numBadEpochs]).toEqual([1, 1]);
  });
  it("never goes below minLr and accepts a one-element tensor metric", () => {
    const opt = sgd([1, 1]);
    const s = new optim.ReduceLROnPlateau(opt, { patience: 0, factor: 0.1, minLr: [0.05, 0] });
    for (let k = 0; k < 3; k++) s.step(cr.tensor([2]));
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.05, 0.1 * 0.1]);
  });
  it("round-trips its state through JSON, including an infinite best", () => {
    const s = new optim.ReduceLROnPlateau(sgd([1]), { mode: "max", patience: 3 });
    expect(JSON.parse(JSON.stringify(s.stateDict())).best).toBeNull();
    s.step(0.5);
    s.step(0.4);
    const t = new optim.ReduceLROnPlateau(sgd([1]), { mode: "max", patience: 3 });
    t.loadStateDict(JSON.parse(JSON.stringify(s.stateDict())));
    expect([t.best, t.numBadEpochs, t.lastEpoch]).toEqual([0.5, 1, 2]);
    const fresh = new optim.ReduceLROnPlateau(sgd([1]), { mode: "max" });
    fresh.loadStateDict(
      JSON.parse(JSON.stringify(new optim.ReduceLROnPlateau(sgd([1]), { mode: "max" }).stateDict())),
    );
    expect(fresh.best).toBe(-Infinity);
  });
});
