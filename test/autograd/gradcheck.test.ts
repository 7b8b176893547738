// gradcheck on every differentiable op: float64 central differences against the analytic Jacobian, on
// contiguous inputs and again on strided views (transposed / sliced); plus gradcheck's own failure report.
import { beforeEach, describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";
import { record } from "../../src/autograd/graph.js";
import { nextNormal, nextUniform } from "../../src/util/random.js";

type T = cr.Tensor;
type Gen = (shape: number[]) => T;
type Spec = [number[], Gen?];
interface Case {
  name: string;
  inputs: Spec[];
  f: (...xs: T[]) => T | T[];
  /** Why the strided variant is skipped (only for ops that demand contiguous input). */
  contiguousOnly?: string;
  /** Why gradgradcheck is skipped (inputs placed on a kink of the first derivative on purpose). */
  firstOrderOnly?: string;
}

const numelOf = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
function fill(shape: number[], draw: (i: number) => number): T {
  const a = new Float64Array(numelOf(shape));
  for (let i = 0; i < a.length; i++) a[i] = draw(i);
  return cr.tensor(a, { shape });
}
const normal: Gen = (s) => fill(s, () => nextNormal());
/** Fixed distinct values: two inputs drawn with it are equal, element for element. */
const fixed: Gen = (s) => fill(s, (i) => Math.sin(1 + 2 * i));
const positive: Gen = (s) => fill(s, () => 0.5 + 1.5 * nextUniform());
/** Normal draws at least `margin` away from every kink, so that x ± eps stays on one side of it. */
const awayFrom =
  (kinks: number[], margin = 0.05): Gen =>
  (s) =>
    fill(s, () => {
      for (;;) {
        const v = nextNormal();
        if (kinks.every((k) => Math.abs(v - k) > margin)) return v;
      }
    });

/** The same values behind a non-contiguous view: reversed-dims storage (≥2-D) or a stride-2 slice (1-D). */
function strided(x: T): T {
  if (x.ndim === 0) return x; // a 0-d tensor has no other layout
  const rev = x.shape.map((_, i) => x.ndim - 1 - i);
  let v = x.permute(rev).contiguous().permute(rev);
  if (v.isContiguous()) {
    // size-1 dims make the transposed layout contiguous: spread the elements at stride 2, offset 1 instead
    const data = new Float64Array(2 * x.numel + 1);
    x.toTypedArray().forEach((e, i) => (data[1 + 2 * i] = e));
    const strides = x.shape.map((_, d) => 2 * numelOf(x.shape.slice(d + 1)));
    v = new cr.Tensor(cr.tensor(data).storage, x.shape, strides, 1, "float64");
  }
  expect(v.isContiguous()).toBe(false);
  expect(v.toArray()).toEqual(x.toArray());
  return v;
}

const int = (values: number[], shape: number[]) => cr.tensor(Int32Array.from(values), { shape });
const X = [2, 3, 4];
const M = [3, 4];
const TIE = "at a tie the first derivative itself jumps, so its finite difference is meaningless";
const cond = cr.tensor([
  [true, false, true, false],
  [false, false, true, true],
  [true, true, false, true],
]);

const unary: Case[] = [
  { name: "neg", inputs: [[M]], f: (x) => x.neg() },
  { name: "exp", inputs: [[M]], f: (x) => x.exp() },
  { name: "log", inputs: [[M, positive]], f: (x) => x.log() },
  { name: "log1p", inputs: [[M, positive]], f: (x) => x.log1p() },
  { name: "expm1", inputs: [[M]], f: (x) => x.expm1() },
  { name: "sqrt", inputs: [[M, positive]], f: (x) => x.sqrt() },
  { name: "rsqrt", inputs: [[M, positive]], f: (x) => x.rsqrt() },
  { name: "square", inputs: [[M]], f: (x) => x.square() },
  { name: "reciprocal", inputs: [[M, awayFrom([0], 0.3)]], f: (x) => x.reciprocal() },
  { name: "abs", inputs: [[M, awayFrom([0])]], f: (x) => x.abs() },
  { name: "sign", inputs: [[M, awayFrom([0])]], f: (x) => x.sign() },
  { name: "tanh", inputs: [[M]], f: (x) => x.tanh() },
  { name: "sigmoid", inputs: [[M]], f: (x) => x.sigmoid() },
  { name: "erf", inputs: [[M]], f: (x) => x.erf() },
  { name: "sin", inputs: [[M]], f: (x) => x.sin() },
  { name: "cos", inputs: [[M]], f: (x) => x.cos() },
  { name: "relu", inputs: [[M, awayFrom([0])]], f: (x) => x.relu() },
  { name: "softplus", inputs: [[M]], f: (x) => x.softplus() },
  // z = βx crosses the threshold at x = 0.5, where the linear branch takes over: stay off that seam
  {
    name: "softplus β=2 threshold=1",
    inputs: [[M, awayFrom([0.5])]],
    f: (x) => x.softplus({ beta: 2, threshold: 1 }),
  },
  { name: "clamp(-0.5, 0.5)", inputs: [[M, awayFrom([-0.5, 0.5])]], f: (x) => x.clamp(-0.5, 0.5) },
  { name: "clamp(null, 0.3)", inputs: [[M, awayFrom([0.3])]], f: (x) => x.clamp(null, 0.3) },
  { name: "clamp(-0.2)", inputs: [[M, awayFrom([-0.2])]], f: (x) => x.clamp(-0.2) },
  { name: "pow(x, 3)", inputs: [[M]], f: (x) => x.pow(3) },
  { name: "pow(x, 0.5)", inputs: [[M, positive]], f: (x) => x.pow(0.5) },
  { name: "pow(2, x)", inputs: [[M]], f: (x) => cr.pow(2, x) },
  { name: "maskedFill", inputs: [[M]], f: (x) => x.maskedFill(cond, 2) },
];

const binaryOps: [string, (a: T, b: T | number) => T, Gen, Gen][] = [
  ["add", cr.add, normal, normal],
  ["sub", cr.sub, normal, normal],
  ["mul", cr.mul, normal, normal],
  ["div", cr.div, normal, awayFrom([0], 0.3)],
  ["pow", cr.pow, positive, normal],
  ["maximum", cr.maximum, normal, normal],
  ["minimum", cr.minimum, normal, normal],
];
const binary: Case[] = binaryOps.flatMap(([name, op, ga, gb]) => [
  {
    name: `${name} [3,1,4] with [2,4]`,
    inputs: [
      [[3, 1, 4], ga],
      [[2, 4], gb],
    ],
    f: op,
  },
  {
    name: `${name} 0-d with [2,3]`,
    inputs: [
      [[], ga],
      [[2, 3], gb],
    ],
    f: op,
  },
  {
    name: `${name} [2,3] with 0-d`,
    inputs: [
      [[2, 3], ga],
      [[], gb],
    ],
    f: op,
  },
  { name: `${name} [2,3] with a JS number`, inputs: [[[2, 3], ga]], f: (a: T) => op(a, 0.7) },
]);
binary.push(
  { name: "div of a JS number", inputs: [[M, awayFrom([0], 0.3)]], f: (x) => cr.div(2, x) },
  // at an exact tie the central difference is (a+ε - a)/2ε = 1/2: the even split maximum/minimum use
  {
    name: "maximum at exact ties",
    inputs: [
      [M, fixed],
      [M, fixed],
    ],
    f: cr.maximum,
    firstOrderOnly: TIE,
  },
  { name: "minimum at exact ties, broadcast", inputs: [[[4], fixed], [[3, 4], () => fixed([4]).expand(3, 4).contiguous()]], f: cr.minimum, firstOrderOnly: TIE }, // prettier-ignore
  { name: "where [3,4] with [3,1] and [4]", inputs: [[[3, 1]], [[4]]], f: (a, b) => cr.where(cond, a, b) },
  { name: "where with a number branch", inputs: [[M]], f: (a) => cr.where(cond, 0.5, a) },
);

// every extremum along dim 1 is a two-way tie (a three-way tie is a kink no even split can match)
const ties = () => cr.tensor([[1, 3, 3, 0], [2, -1, 2, -1], [0, 5, 1, 5]], { dtype: "float64" }); // prettier-ignore
const reductions: Case[] = [
  { name: "sum()", inputs: [[X]], f: (x) => x.sum() },
  { name: "sum(1)", inputs: [[X]], f: (x) => x.sum(1) },
  { name: "sum([0,2])", inputs: [[X]], f: (x) => x.sum([0, 2]) },
  { name: "sum(-1, keepdim)", inputs: [[X]], f: (x) => x.sum(-1, { keepdim: true }) },
  { name: "mean()", inputs: [[X]], f: (x) => x.mean() },
  { name: "mean([1,2], keepdim)", inputs: [[X]], f: (x) => x.mean([1, 2], { keepdim: true }) },
  { name: "amax()", inputs: [[X]], f: (x) => x.amax() },
  { name: "amax(1)", inputs: [[X]], f: (x) => x.amax(1) },
  { name: "amin([0,2], keepdim)", inputs: [[X]], f: (x) => x.amin([0, 2], { keepdim: true }) },
  { name: "amax(1) with ties", inputs: [[M, ties]], f: (x) => x.amax(1), firstOrderOnly: TIE },
  { name: "amin(1) with ties", inputs: [[M, ties]], f: (x) => x.amin(1), firstOrderOnly: TIE },
  { name: "max() with a tie", inputs: [[[2, 3], () => cr.tensor([[1, 4, 0], [4, 2, 3]], { dtype: "float64" })]], f: (x) => x.max(), firstOrderOnly: TIE }, // prettier-ignore
  { name: "max()", inputs: [[X]], f: (x) => x.max() },
  { name: "min()", inputs: [[X]], f: (x) => x.min() },
  { name: "max(1).values", inputs: [[X]], f: (x) => x.max(1).values },
  { name: "min(2, keepdim).values", inputs: [[X]], f: (x) => x.min(2, { keepdim: true }).values },
  { name: "var()", inputs: [[X]], f: (x) => x.var() },
  { name: "var(1, biased)", inputs: [[X]], f: (x) => x.var(1, { unbiased: false }) },
  { name: "std()", inputs: [[X]], f: (x) => x.std() },
  { name: "std(-1, keepdim)", inputs: [[X]], f: (x) => x.std(-1, { keepdim: true }) },
  { name: "logsumexp()", inputs: [[X]], f: (x) => x.logsumexp() },
  { name: "logsumexp(1)", inputs: [[X]], f: (x) => x.logsumexp(1) },
  { name: "logsumexp([0,2], keepdim)", inputs: [[X]], f: (x) => x.logsumexp([0, 2], { keepdim: true }) },
  { name: "softmax(0)", inputs: [[X]], f: (x) => x.softmax(0) },
  { name: "softmax(-1)", inputs: [[X]], f: (x) => x.softmax(-1) },
  { name: "logSoftmax(1)", inputs: [[X]], f: (x) => x.logSoftmax(1) },
  { name: "logSoftmax(-1)", inputs: [[X]], f: (x) => x.logSoftmax(-1) },
];

const matmul: Case[] = [
  [[4], [4]],
  [[3, 4], [4]],
  [[4], [4, 5]],
  [
    [3, 4],
    [4, 5],
  ],
  [
    [2, 3, 4],
    [4, 5],
  ],
  [[3], [2, 3, 4]],
  [
    [2, 1, 3, 4],
    [3, 4, 2],
  ],
].map(([a, b]) => ({
  name: `matmul [${a}] @ [${b}]`,
  inputs: [[a], [b]] as Spec[],
  f: (x: T, y: T) => x.matmul(y),
}));

// linear is its own primitive (one GEMM with a bias epilogue): every layout of x it flattens, with and
// without bias, and W handed in transposed.
const F = cr.nn.functional;
const linear: Case[] = [
  { name: "linear [3,4] · [5,4]ᵀ + [5]", inputs: [[M], [[5, 4]], [[5]]], f: (x, w, b) => F.linear(x, w, b) },
  { name: "linear 1-D x", inputs: [[[4]], [[5, 4]], [[5]]], f: (x, w, b) => F.linear(x, w, b) },
  { name: "linear 3-D x", inputs: [[X], [[5, 4]], [[5]]], f: (x, w, b) => F.linear(x, w, b) },
  { name: "linear no bias", inputs: [[M], [[5, 4]]], f: (x, w) => F.linear(x, w) },
  {
    name: "linear W given transposed",
    inputs: [[M], [[4, 5]], [[5]]],
    f: (x, wt, b) => F.linear(x, wt.T, b),
  },
  {
    name: "linear of a permuted 3-D x (flattened by a copy)",
    inputs: [[[3, 2, 4]], [[5, 4]], [[5]]],
    f: (x, w, b) => F.linear(x.permute(1, 0, 2), w, b),
  },
  { name: "linear with a strided bias", inputs: [[M], [[5, 4]], [[10]]], f: (x, w, b) => F.linear(x, w, b.slice(0, 0, 10, 2)) }, // prettier-ignore
  {
    name: "linear 0 rows",
    inputs: [[[0, 4]], [[5, 4]], [[5]]],
    f: (x, w, b) => F.linear(x, w, b).sum().add(b),
    contiguousOnly: "an empty x has no strided layout (the helper's stride-2 copy would overlap)",
  },
];

const movement: Case[] = [
  { name: "reshape [6,4]", inputs: [[X]], f: (x) => x.reshape(6, 4) },
  { name: "reshape [-1]", inputs: [[X]], f: (x) => x.reshape(-1) },
  { name: "view [4,6]", inputs: [[X]], f: (x) => x.view(4, 6), contiguousOnly: "view refuses non-contiguous input by design" }, // prettier-ignore
  { name: "flatten()", inputs: [[X]], f: (x) => x.flatten() },
  { name: "flatten(1)", inputs: [[X]], f: (x) => x.flatten(1) },
  { name: "squeeze(1)", inputs: [[[3, 1, 4]]], f: (x) => x.squeeze(1) },
  { name: "squeeze()", inputs: [[[3, 1, 4, 1]]], f: (x) => x.squeeze() },
  { name: "unsqueeze(0)", inputs: [[M]], f: (x) => x.unsqueeze(0) },
  { name: "unsqueeze(-1)", inputs: [[M]], f: (x) => x.unsqueeze(-1) },
  { name: "permute [2,0,1]", inputs: [[X]], f: (x) => x.permute(2, 0, 1) },
  { name: "transpose(0,2)", inputs: [[X]], f: (x) => x.transpose(0, 2) },
  { name: "t()", inputs: [[M]], f: (x) => x.t() },
  { name: "T", inputs: [[M]], f: (x) => x.T },
  { name: "expand [2,3,5,4]", inputs: [[[3, 1, 4]]], f: (x) => x.expand(2, 3, 5, 4) },
  { name: "expand [-1,3,4] of [1,4]", inputs: [[[1, 4]]], f: (x) => x.expand(2, 3, -1) },
  { name: "slice(1, 0, 3, 2)", inputs: [[[2, 5, 4]]], f: (x) => x.slice(1, 0, 3, 2) },
  { name: "slice(2, -3)", inputs: [[X]], f: (x) => x.slice(2, -3) },
  { name: "narrow(2, 1, 2)", inputs: [[X]], f: (x) => x.narrow(2, 1, 2) },
  { name: "select(1, -1)", inputs: [[X]], f: (x) => x.select(1, -1) },
  { name: "split(2, 1)", inputs: [[X]], f: (x) => x.split(2, 1) },
  { name: "split([1,3], 2)", inputs: [[X]], f: (x) => x.split([1, 3], 2) },
  { name: "chunk(2, 0)", inputs: [[X]], f: (x) => x.chunk(2, 0) },
  { name: "contiguous", inputs: [[X]], f: (x) => x.contiguous() },
  { name: "mT", inputs: [[X]], f: (x) => cr.mT(x) },
  { name: "sumTo [1,4] and [3,1]", inputs: [[X]], f: (x) => [cr.sumTo(x, [1, 4]), cr.sumTo(x, [3, 1])] },
  { name: "clone", inputs: [[X]], f: (x) => x.clone() },
  {
    name: "cat dim 1",
    inputs: [[[2, 1, 4]], [[2, 3, 4]], [[2, 2, 4]]],
    f: (a, b, c) => cr.cat([a, b, c], 1),
  },
  { name: "cat dim -1", inputs: [[[3, 2]], [[3, 1]]], f: (a, b) => cr.cat([a, b], -1) },
  { name: "stack dim 1", inputs: [[M], [M]], f: (a, b) => cr.stack([a, b], 1) },
  {
    name: "stack dim -1, 3 tensors",
    inputs: [[[2, 3]], [[2, 3]], [[2, 3]]],
    f: (a, b, c) => cr.stack([a, b, c], -1),
  },
];

const gatherIndex = int([0, 3, 3, 1, 2, 2, 0, 0, 1, 3, 3, 3, 0, 1, 2], [3, 5]);
const indexing: Case[] = [
  { name: "gather(1) with repeats", inputs: [[M]], f: (x) => x.gather(1, gatherIndex) },
  { name: "gather(0)", inputs: [[M]], f: (x) => x.gather(0, int([2, 0, 1, 2, 0, 0, 2, 1], [2, 4])) },
  { name: "indexSelect(0) with repeats", inputs: [[M]], f: (x) => x.indexSelect(0, int([2, 0, 2], [3])) },
  { name: "indexSelect(1)", inputs: [[X]], f: (x) => x.indexSelect(1, int([1, 2], [2])) },
  {
    name: "scatterAdd(1) with repeats",
    inputs: [[M], [[3, 2]]],
    f: (self, src) => self.scatterAdd(1, int([0, 0, 3, 1, 2, 2], [3, 2]), src),
  },
  { name: "maskedSelect", inputs: [[M]], f: (x) => x.maskedSelect(cond) },
];

const expectOk = (c: Case, xs: T[]) => {
  const r = cr.gradcheck(c.f, xs); // throws with the worst entry when it fails
  expect(r.ok).toBe(true);
  expect(r.entries).toBeGreaterThan(0);
};

const groups: [string, Case[]][] = [
  ["unary", unary],
  ["binary (broadcasting)", binary],
  ["reductions", reductions],
  ["matmul", matmul],
  ["linear", linear],
  ["movement", movement],
  ["indexing", indexing],
];

for (const [group, cases] of groups)
  describe(`gradcheck: ${group}`, () => {
    beforeEach(() => cr.manualSeed(20240601));
    for (const c of cases) {
      it(`${c.name}`, () =>
        expectOk(
          c,
          c.inputs.map(([s, g = normal]) => g(s)),
        ));
      if (c.contiguousOnly) continue;
      it(`${c.name} (strided inputs)`, () =>
        expectOk(
          c,
          c.inputs.map(([s, g = normal]) => strided(g(s))),
        ));
    }
  });

/** x² with a backward rule that is right except at element [1,2], where it adds 0.5. */
function squareOffByHalf(x: T): T {
  const y = cr.noGrad(() => x.square());
  const bump = cr.zeros([3, 4], { dtype: "float64" });
  bump.data[1 * 4 + 2] = 0.5;
  return record("squareOffByHalf", y, [x], (g) => [g.mul(x).mul(2).add(g.mul(bump))], [x]);
}

/** a·b whose rule forgets b's gradient entirely. */
function mulNoGradB(a: T, b: T): T {
  const y = cr.noGrad(() => a.mul(b));
  return record("mulNoGradB", y, [a, b], (g) => [g.mul(b), null], [a, b]);
}

/** sin(x) with a correct first derivative computed outside the graph, so its own derivative is lost. */
function sinOpaqueBackward(x: T): T {
  const y = cr.noGrad(() => x.sin());
  return record("sinOpaqueBackward", y, [x], (g) => [cr.noGrad(() => g.mul(x.cos()))], [x]);
}

describe("gradcheck: reports", () => {
  beforeEach(() => cr.manualSeed(7));
  const x = () => cr.randn([3, 4], { dtype: "float64" });

  it("fails on a wrong backward rule and names the worst entry", () => {
    const x0 = x();
    const r = cr.gradcheck(squareOffByHalf, [x0], { raiseException: false });
    expect(r.ok).toBe(false);
    expect(r.entries).toBe(12 * 12);
    const w = r.worst!;
    expect([w.input, w.inputIndex, w.output, w.outputIndex]).toEqual([0, [1, 2], 0, [1, 2]]);
    const x12 = (x0.toArray() as number[][])[1][2];
    expect(w.numeric).toBeCloseTo(2 * x12, 6);
    expect(w.analytic).toBeCloseTo(2 * x12 + 0.5, 12);
    expect(w.error).toBeCloseTo(0.5, 6);
    expect(w.error).toBeGreaterThan(w.tolerance);
  });

  it("throws a ChainruleError with the report when raiseException (the default)", () => {
    const run = () => cr.gradcheck(squareOffByHalf, [x()]);
    expect(run).toThrow(cr.ChainruleError);
    expect(run).toThrow(
      /gradcheck: Jacobian mismatch for output 0 element \[1,2\] .*input 0 element \[1,2\]/,
    );
    expect(run).toThrow(/analytic .* numeric .* tolerance/);
  });

  it("catches a missing gradient for the second input", () => {
    const r = cr.gradcheck(mulNoGradB, [x(), x()], { raiseException: false });
    expect(r.ok).toBe(false);
    expect(r.worst!.input).toBe(1);
    expect(r.worst!.analytic).toBe(0);
    expect(r.worst!.inputIndex).toEqual(r.worst!.outputIndex);
  });

  it("passes a correct function and still reports its worst entry", () => {
    const r = cr.gradcheck((a) => a.sin().mul(a), [x()]);
    expect(r.ok).toBe(true);
    expect(r.worst!.error).toBeLessThanOrEqual(r.worst!.tolerance);
    expect(r.worst!.error).toBeLessThan(1e-7);
  });

  it("checks every element of every output of a multi-output function", () => {
    const r = cr.gradcheck((a, b) => [a.sin().mul(b), a.exp().sum()], [x(), x()]);
    expect(r.ok).toBe(true);
    expect(r.entries).toBe((12 + 1) * (12 + 12));
  });

  it("treats an output that ignores the inputs as a zero Jacobian", () => {
    const c = cr.ones([2], { dtype: "float64" });
    expect(cr.gradcheck(() => c, [x()]).ok).toBe(true);
  });

  it("leaves the caller's tensors untouched", () => {
    const x0 = x();
    const before = x0.toArray();
    cr.gradcheck((a) => a.square(), [x0]);
    expect(x0.toArray()).toEqual(before);
    expect(x0.requiresGrad).toBe(false);
    expect(x0.grad).toBeNull();
  });

  it("refuses non-float64 inputs and outputs, overlapping inputs and bad options", () => {
    expect(() => cr.gradcheck((a) => a.sin(), [cr.randn([3])])).toThrow(/input 0 has dtype float32.*float64/);
    expect(() => cr.gradcheck((a) => a, [cr.randint(0, 3, [3])])).toThrow(/input 0 has dtype int32/);
    const wide = cr.randn([1, 4], { dtype: "float64" }).expand(3, 4);
    expect(() => cr.gradcheck((a) => a.sin(), [wide])).toThrow(/input 0 .*overlapping elements/);
    expect(() => cr.gradcheck((a) => a.to("float32"), [x()])).toThrow(/output 0 has dtype float32/);
    expect(() => cr.gradcheck(() => 3 as any, [x()])).toThrow(/must return a Tensor/);
    expect(() => cr.gradcheck((a) => a, [])).toThrow(/non-empty list of inputs/);
    expect(() => cr.gradcheck((a) => a, [x()], { eps: 0 })).toThrow(/eps > 0/);
  });
});

describe("gradgradcheck", () => {
  beforeEach(() => cr.manualSeed(11));
  const x = (...s: number[]) => cr.randn(s, { dtype: "float64" });

  it.each([
    ["sin·exp", (a: T) => a.sin().mul(a.exp())],
    ["tanh(a @ b)", (a: T, b: T) => a.matmul(b).tanh()],
    ["sigmoid(a)·b", (a: T, b: T) => a.sigmoid().mul(b)],
    ["logSoftmax", (a: T) => a.logSoftmax(1)],
    ["std over dim 1", (a: T) => a.std(1)],
    ["div and pow", (a: T, b: T) => a.div(b.square().add(1)).pow(2)],
    ["gather + cat", (a: T) => cr.cat([a.gather(1, int([0, 0, 2, 1, 1, 0], [3, 2])), a], 1).square()],
    ["relu(a)·a", (a: T) => a.relu().mul(a)],
  ] as [string, (...xs: T[]) => T][])("passes on %s", (_name, f) => {
    const inputs = f.length === 2 ? [x(3, 3), x(3, 3)] : [x(3, 3)];
    expect(cr.gradgradcheck(f, inputs).ok).toBe(true);
  });

  it("passes on tanh(linear(x, W, b)) with 2-D and 3-D x", () => {
    const f = (a: T, w: T, b: T) => cr.nn.functional.linear(a, w, b).tanh();
    expect(cr.gradgradcheck(f, [x(3, 4), x(5, 4), x(5)]).ok).toBe(true);
    expect(cr.gradgradcheck(f, [x(2, 3, 4), x(5, 4), x(5)]).ok).toBe(true);
  });

  it("accepts explicit gradOutputs and refuses mismatched ones", () => {
    const v = x(3, 3);
    expect(cr.gradgradcheck((a) => a.sin(), [x(3, 3)], { gradOutputs: [v] }).ok).toBe(true);
    expect(() => cr.gradgradcheck((a) => a.sin(), [x(3, 3)], { gradOutputs: [x(3)] })).toThrow(/gradOutputs/);
    expect(() => cr.gradgradcheck((a) => a.sin(), [cr.randn([3])])).toThrow(/input 0 has dtype float32/);
  });

  it("passes first order but fails second order when a backward rule is not itself differentiable", () => {
    expect(cr.gradcheck(sinOpaqueBackward, [x(4)]).ok).toBe(true);
    const r = cr.gradgradcheck(sinOpaqueBackward, [x(4)], { raiseException: false });
    expect(r.ok).toBe(false);
    // the recorded backward g·cos x is a constant: both -g·sin x (input 0) and cos x (cotangent, input 1) are lost
    expect(r.worst!.analytic).toBe(0);
    expect(Math.abs(r.worst!.numeric)).toBeGreaterThan(0.01);
  });
});

describe("gradgradcheck: every op (second order)", () => {
  beforeEach(() => cr.manualSeed(20240602));
  for (const [group, cases] of groups)
    for (const c of cases.filter((c) => !c.firstOrderOnly))
      it(`${group}: ${c.name}`, () => {
        expect(
          cr.gradgradcheck(
            c.f,
            c.inputs.map(([s, g = normal]) => g(s)),
          ).ok,
        ).toBe(true);
      });
});
