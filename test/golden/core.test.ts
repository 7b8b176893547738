// The core ops against PyTorch's golden vectors: every case of elementwise.json, reduction.json and
// linalg_shape.json, forward values, extra outputs and every input's gradient, in float64 and float32.
import { describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";
import {
  expectClose,
  inputsByName,
  loadCases,
  toTensor,
  TOL,
  vjp,
  type GoldenCase,
  type GoldenTensor,
  type Precision,
} from "./load.js";

type Tensor = cr.Tensor;
type Inputs = Record<string, Tensor>;
type Result = Tensor | { out: Tensor; extras: Record<string, Tensor> };
type OpFn = (inp: Inputs, attrs: Record<string, any>) => Result;

/** The numbered inputs x0, x1, … of concat/stack, in order. */
const pieces = (inp: Inputs): Tensor[] =>
  Object.keys(inp)
    .filter((k) => /^x\d+$/.test(k))
    .sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)))
    .map((k) => inp[k]);

const keep = (a: Record<string, any>) => ({ keepdim: a.keepdim as boolean });
const withIndices = (r: { values: Tensor; indices: Tensor }): Result => ({
  out: r.values,
  extras: { indices: r.indices },
});

/** First derivative with a differentiable graph, so that its vjp is a second derivative. */
const firstGrad = (y: Tensor, x: Tensor): Tensor =>
  cr.gradients([y], [x], undefined, { createGraph: true })[0];

// Golden op name → our call. Attrs arrive in the files' snake_case.
const OPS: Record<string, OpFn> = {
  add: ({ a, b }) => cr.add(a, b),
  sub: ({ a, b }) => cr.sub(a, b),
  mul: ({ a, b }) => cr.mul(a, b),
  div: ({ a, b }) => cr.div(a, b),
  maximum: ({ a, b }) => cr.maximum(a, b),
  minimum: ({ a, b }) => cr.minimum(a, b),
  pow: ({ a, b }) => cr.pow(a, b),
  neg: ({ x }) => cr.neg(x),
  exp: ({ x }) => cr.exp(x),
  log: ({ x }) => cr.log(x),
  sqrt: ({ x }) => cr.sqrt(x),
  abs: ({ x }) => cr.abs(x),
  pow_scalar: ({ x }, a) => x.pow(a.exponent),
  clamp: ({ x }, a) => cr.clamp(x, a.min, a.max),
  where: ({ cond, a, b }) => cr.where(cond, a, b),
  grad_sum_tanh_cubed: ({ x }) => firstGrad(cr.sum(cr.pow(cr.tanh(x), 3)), x),
  grad_weighted_log_softmax: ({ x, w }, a) => firstGrad(cr.sum(cr.mul(w, cr.logSoftmax(x, a.dim))), x),

  sum: ({ x }, a) => cr.sum(x, a.dim, keep(a)),
  mean: ({ x }, a) => cr.mean(x, a.dim, keep(a)),
  logsumexp: ({ x }, a) => cr.logsumexp(x, a.dim, keep(a)),
  max: ({ x }) => cr.max(x),
  min: ({ x }) => cr.min(x),
  max_dim: ({ x }, a) => withIndices(cr.max(x, a.dim, keep(a))),
  min_dim: ({ x }, a) => withIndices(cr.min(x, a.dim, keep(a))),
  amax: ({ x }, a) => cr.amax(x, a.dim, keep(a)),
  amin: ({ x }, a) => cr.amin(x, a.dim, keep(a)),
  var: ({ x }, a) => cr.variance(x, a.dim, { keepdim: a.keepdim, unbiased: a.unbiased }),
  std: ({ x }, a) => cr.std(x, a.dim, { keepdim: a.keepdim, unbiased: a.unbiased }),
  argmax: ({ x }, a) => cr.argmax(x, a.dim, keep(a)),
  argmin: ({ x }, a) => cr.argmin(x, a.dim, keep(a)),

  matmul: ({ a, b }) => cr.matmul(a, b),
  concat: (inp, a) => cr.cat(pieces(inp), a.dim),
  stack: (inp, a) => cr.stack(pieces(inp), a.dim),
  transpose: ({ x }, a) => cr.transpose(x, a.dim0, a.dim1),
  permute: ({ x }, a) => cr.permute(x, a.dims),
  reshape: ({ x }, a) => cr.reshape(x, a.shape),
  slice: ({ x }, a) => cr.slice(x, a.dim, a.start, a.end, a.step),
  select: ({ x }, a) => cr.select(x, a.dim, a.index),
  gather: ({ x, index }, a) => cr.gather(x, a.dim, index),
  index_select: ({ x, index }, a) => cr.indexSelect(x, a.dim, index),
  expand: ({ x }, a) => cr.expand(x, a.shape),
  squeeze: ({ x }, a) => cr.squeeze(x, a.dim),
  unsqueeze: ({ x }, a) => cr.unsqueeze(x, a.dim),
};

/** Our dtype for a golden tensor computed at `precision`. */
const dtypeFor = (t: GoldenTensor, precision: Precision) =>
  t.dtype === "int64" ? "int32" : t.dtype === "bool" ? "bool" : precision;

function runCase(c: GoldenCase, precision: Precision): void {
  const op = OPS[c.op];
  expect(op, `no dispatch entry for op '${c.op}'`).toBeDefined();
  const inp = inputsByName(c, precision, true);
  const result = op(inp, c.attrs);
  const { out, extras } = result instanceof cr.Tensor ? { out: result, extras: {} } : result;
  const tol = TOL[precision];

  expect(out.dtype, "output dtype").toBe(dtypeFor(c.output, precision));
  expectClose(out, c.output, tol.forward, "output");
  for (const [name, want] of Object.entries(c.extra_outputs ?? {})) {
    const got = (extras as Record<string, Tensor>)[name];
    expect(got, `extra output '${name}'`).toBeDefined();
    expect(got.dtype, `extra output '${name}' dtype`).toBe(dtypeFor(want, precision));
    expectClose(got, want, tol.forward, `extra output '${name}'`);
  }

  if (c.grad_output === null || c.grads === null) return;
  const names = c.inputs.map((t) => t.name!);
  const wanted = names.filter((_, i) => c.grads![i] !== null);
  const grads = vjp(
    out,
    c.grad_output,
    wanted.map((n) => inp[n]),
    precision,
  );
  wanted.forEach((name, k) => {
    const expected = c.grads![names.indexOf(name)]!;
    expect(grads[k]?.dtype, `grad of '${name}' dtype`).toBe(precision);
    expectClose(grads[k], expected, tol.grad, `grad of '${name}'`);
  });
}

const FAMILIES = ["elementwise", "reduction", "linalg_shape"] as const;
const PRECISIONS: Precision[] = ["float64", "float32"];

for (const family of FAMILIES) {
  const cases = loadCases(family);
  describe(`golden ${family}`, () => {
    it("holds cases, every op in the dispatch table", () => {
      expect(cases.length).toBeGreaterThan(0);
      expect(cases.filter((c) => !(c.op in OPS)).map((c) => c.op)).toEqual([]);
    });
    for (const c of cases) {
      for (const precision of PRECISIONS) {
        it(`${c.id} [${precision}]`, () => runCase(c, precision));
      }
    }
  });
}

describe("golden helpers", () => {
  it("round float32 inputs into Float32Array storage", () => {
    const t = toTensor({ dtype: "float64", shape: [2], data: [0.1, 1 / 3] }, "float32");
    expect(t.dtype).toBe("float32");
    expect(t.data).toBeInstanceOf(Float32Array);
    expect(t.toArray()).toEqual([Math.fround(0.1), Math.fround(1 / 3)]);
  });
});
