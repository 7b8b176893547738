// Golden tests for chainrule.optim: every optimizers.json case (5 steps, hyper-parameters from attrs) and
// every training.json case (a 2-4-1 MLP trained for 200 full-batch steps), in float64 and float32.
import { describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";
import { TOL, expectClose, loadCases, toTensor, type GoldenCase, type Precision } from "./load.js";

type Make = (params: cr.Tensor[], opts: any) => cr.optim.Optimizer<any, any>;

// One constructor per golden op name; the options are the case's attrs in camelCase.
const optimizers: Record<string, Make> = {
  sgd: (p, o) => new cr.optim.SGD(p, o),
  adam: (p, o) => new cr.optim.Adam(p, o),
  adamw: (p, o) => new cr.optim.AdamW(p, o),
  rmsprop: (p, o) => new cr.optim.RMSprop(p, o),
  adagrad: (p, o) => new cr.optim.Adagrad(p, o),
};

const camel = (s: string): string => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const camelKeys = (attrs: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(attrs).map(([k, v]) => [camel(k), v]));

function makeOptimizer(
  op: string,
  params: cr.Tensor[],
  attrs: Record<string, unknown>,
): cr.optim.Optimizer<any, any> {
  const make = optimizers[op];
  if (!make) throw new Error(`no optimizer for golden op '${op}'`);
  return make(params, camelKeys(attrs));
}

const precisions: Precision[] = ["float64", "float32"];

describe("optimizers.json", () => {
  const cases = loadCases("optimizers");
  it("covers every optimizer", () => {
    expect(new Set(cases.map((c) => c.op))).toEqual(new Set(Object.keys(optimizers)));
  });
  for (const precision of precisions)
    for (const c of cases)
      it(`${c.id} (${precision})`, () => {
        const byName = Object.fromEntries(c.inputs.map((t) => [t.name!, t]));
        const p = toTensor(byName.param, precision, true);
        const grads = toTensor(byName.grads, precision);
        const opt = makeOptimizer(c.op, [p], c.attrs);
        const after: cr.Tensor[] = [];
        for (let k = 0; k < grads.shape[0]; k++) {
          p.grad = grads.select(0, k).clone();
          opt.step();
          after.push(p.detach().clone());
        }
        expectClose(cr.stack(after), c.output, TOL[precision].forward, c.id);
      });
});

// ---- training.json: h = tanh(x W1ᵀ + b1), p = σ(h W2ᵀ + b2), mean loss, 200 full-batch steps ----

const losses: Record<string, (p: cr.Tensor, y: cr.Tensor) => cr.Tensor> = {
  // PyTorch clamps each log term at -100
  binary_cross_entropy: (p, y) =>
    y
      .mul(p.log().clamp(-100))
      .add(cr.sub(1, y).mul(cr.sub(1, p).log().clamp(-100)))
      .neg()
      .mean(),
  mse_loss: (p, y) => p.sub(y).square().mean(),
};

const activations: Record<string, (x: cr.Tensor) => cr.Tensor> = {
  tanh: (x) => x.tanh(),
  sigmoid: (x) => x.sigmoid(),
};

function train(c: GoldenCase, precision: Precision): { curve: number[]; params: Record<string, cr.Tensor> } {
  const a = c.attrs;
  const t = Object.fromEntries(c.inputs.map((g) => [g.name!, g]));
  const x = toTensor(t.x, precision);
  const y = toTensor(t.y, precision);
  const [w1, b1, w2, b2] = ["weight1", "bias1", "weight2", "bias2"].map((n) =>
    toTensor(t[n], precision, true),
  );
  const hidden = activations[a.hidden_activation];
  const output = activations[a.output_activation];
  const lossFn = losses[a.loss];
  expect(a.loss_reduction).toBe("mean");
  expect(a.full_batch).toBe(true);
  const forward = (): cr.Tensor => lossFn(output(hidden(x.matmul(w1.T).add(b1)).matmul(w2.T).add(b2)), y);
  const opt = makeOptimizer(a.optimizer, [w1, b1, w2, b2], a.optimizer_attrs);
  const curve = [cr.noGrad(forward).item()];
  for (let s = 0; s < a.steps; s++) {
    opt.zeroGrad();
    forward().backward();
    opt.step();
    curve.push(cr.noGrad(forward).item());
  }
  return { curve, params: { weight1: w1, bias1: b1, weight2: w2, bias2: b2 } };
}

describe("training.json", () => {
  const cases = loadCases("training");
  for (const precision of precisions)
    for (const c of cases)
      it(`${c.id} (${precision})`, () => {
        const tol = TOL[precision].training;
        const { curve, params } = train(c, precision);
        const asTensor = (v: number[]): cr.Tensor => cr.tensor(Float64Array.from(v));
        const recorded = (c.attrs.record_steps as number[]).map((k) => curve[k]);
        expectClose(asTensor(recorded), c.output, tol, `${c.id} losses`);
        const extra = c.extra_outputs!;
        expectClose(asTensor(curve), extra.loss_curve, tol, `${c.id} loss_curve`);
        for (const name of Object.keys(params))
          expectClose(params[name], extra[`final_${name}`], tol, `${c.id} final_${name}`);
        // the model learned XOR: the final loss is well below the initial one
        expect(curve[curve.length - 1]).toBeLessThan(curve[0] * 0.5);
      });
});
