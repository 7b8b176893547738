// The core ops against PyTorch's golden vectors: every case of elementwise.json, reduction.json and
// linalg_shape.json, forward values, extra outputs and every input's gradient, in float64 and float32.
import { describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";
import { toTensor, describeFamilies, type GoldenOp, type GoldenResult } from "./load.js";

type Tensor = cr.Tensor;
type Inputs = Record<string, Tensor>;
type Result = GoldenResult;
type OpFn = GoldenOp;

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

describeFamilies(["elementwise", "reduction", "linalg_shape"], OPS);

describe("golden helpers", () => {
  it("round float32 inputs into Float32Array storage", () => {
    const t = toTensor({ dtype: "float64", shape: [2], data: [0.1, 1 / 3] }, "float32");
    expect(t.dtype).toBe("float32");
    expect(t.data).toBeInstanceOf(Float32Array);
    expect(t.toArray()).toEqual([Math.fround(0.1), Math.fround(1 / 3)]);
  });
});
