// Every lecture experiment runs in fast mode (figures to a temp folder) and the numbers it measures
// must support its claim; its figures must be well-formed SVG.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EXPERIMENTS } from "../../experiments/index.js";
import type { ExperimentResult } from "../../experiments/lib/common.js";
import { countPieces, sawtoothNet } from "../../experiments/universal-approximation.js";
import * as cr from "../../src/index.js";
import { countTag, parseXml } from "../viz/xml.js";

const outDir = mkdtempSync(join(tmpdir(), "chainrule-experiments-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

async function runFast(name: string): Promise<ExperimentResult> {
  const r = await EXPERIMENTS[name].run({ fast: true, outDir });
  expect(r.figures.length).toBeGreaterThan(0);
  for (const f of r.figures) {
    expect(f.startsWith(outDir)).toBe(true);
    const root = parseXml(readFileSync(f, "utf8"));
    expect(root.name, basename(f)).toBe("svg");
    expect(countTag(root, "text"), basename(f)).toBeGreaterThan(3);
  }
  for (const [k, v] of Object.entries(r.numbers)) expect(Number.isFinite(v), k).toBe(true);
  return r;
}

describe("lecture experiments (fast mode)", () => {
  it("xor: linear fails, MLP fits, hidden layer is linearly separable", async () => {
    const n = (await runFast("xor")).numbers;
    expect(n.linear_accuracy).toBeLessThanOrEqual(0.75);
    expect(n.mlp_accuracy).toBe(1);
    expect(n.hidden_linear_probe_accuracy).toBe(1);
    expect(n.width8_fit_rate).toBe(1);
    expect(n.width8_fit_rate).toBeGreaterThanOrEqual(n.width2_fit_rate);
  });

  it("linear-collapse: product of weights reproduces the deep linear net; it has one layer's capacity", async () => {
    const n = (await runFast("linear-collapse")).numbers;
    expect(n.collapse_rel_diff).toBeLessThan(1e-5);
    for (const data of ["xor", "circles"]) {
      expect(n[`${data}_deep_linear_accuracy`]).toBeLessThanOrEqual(0.75);
      expect(Math.abs(n[`${data}_deep_linear_accuracy`] - n[`${data}_single_layer_accuracy`])).toBeLessThan(
        0.1,
      );
      expect(n[`${data}_deep_relu_accuracy`]).toBeGreaterThanOrEqual(0.97);
    }
  });

  it("activations: more dead ReLUs at a large learning rate than at a small one", async () => {
    const n = (await runFast("activations")).numbers;
    expect(n.dead_sgd_lr_3).toBeGreaterThan(n["dead_sgd_lr_0.01"]);
    expect(n.dead_adam_lr_3).toBeGreaterThan(n["dead_adam_lr_0.01"]);
    expect(n.dead_adam_lr_3).toBeGreaterThan(n.dead_at_init);
  });

  it("saturation: CE's gradient dwarfs MSE's on badly wrong outputs, and CE recovers first", async () => {
    const n = (await runFast("saturation")).numbers;
    expect(n.grad_ratio_ce_over_mse).toBeGreaterThan(100);
    // analytically 1 / (2σ(−10)(1 − σ(−10))) ≈ 11013
    expect(n.grad_ratio_ce_over_mse).toBeCloseTo(
      1 / (2 * (1 / (1 + Math.exp(10))) * (1 - 1 / (1 + Math.exp(10)))),
      0,
    );
    expect(n.steps_to_95pct_ce).toBeLessThan(n.steps_to_95pct_mse);
    expect(n.final_accuracy_ce).toBeGreaterThanOrEqual(0.95);
  });

  it("outliers: robust losses' slope error is much smaller than MSE's", async () => {
    const n = (await runFast("outliers")).numbers;
    expect(n.slope_error_Huber).toBeLessThan(n.slope_error_MSE / 5);
    expect(n.slope_error_L1).toBeLessThan(n.slope_error_MSE / 5);
    expect(Math.abs(n.slope_MSE - n.slope_least_squares_closed_form)).toBeLessThan(0.1);
  });

  it("kl-vs-ce: KL − CE = −H(t), identical gradients; blended terms reported", async () => {
    const n = (await runFast("kl-vs-ce")).numbers;
    expect(n.identity_error).toBeLessThan(1e-6);
    expect(n.kl_minus_ce).toBeCloseTo(n.minus_target_entropy, 6);
    expect(n.max_grad_difference).toBeLessThan(1e-12);
    expect(n.train_max_ce_minus_kl_minus_h).toBeLessThan(1e-5);
    expect(n.blend_final_kl).toBeLessThan(n.blend_initial_kl);
    expect(n.blend_final_mse).toBeLessThan(n.blend_initial_mse);
  });

  it("universal-approximation: error falls with width; depth gives 2^k pieces", async () => {
    const n = (await runFast("universal-approximation")).numbers;
    expect(n.mse_width_4).toBeLessThan(n.mse_width_1);
    expect(n.mse_width_16).toBeLessThan(n.mse_width_4);
    expect(n.sawtooth_deep_linear_pieces).toBe(2 ** n.sawtooth_depth);
    expect(n.sawtooth_deep_params).toBe(6 * n.sawtooth_depth + 1);
    expect(n.sawtooth_shallow_max_pieces).toBeLessThan(n.sawtooth_deep_linear_pieces);
  });

  it("reverse-vs-forward: one reverse pass against n forward passes; elementwise Jacobian is diagonal", async () => {
    const n = (await runFast("reverse-vs-forward")).numbers;
    expect(n.f_calls_reverse).toBe(1);
    expect(n.f_calls_forward).toBe(n.n);
    expect(n.f_calls_numerical).toBe(2 * n.n);
    expect(n.max_diff_forward_vs_reverse).toBeLessThan(1e-10);
    expect(n.max_diff_numerical_vs_reverse).toBeLessThan(1e-5);
    expect(n.tanh_jacobian_offdiag_nonzeros).toBe(0);
    expect(n.tanh_jacobian_diag_error).toBeLessThan(1e-12);
    expect(n.softmax_jacobian_offdiag_nonzeros).toBe(56);
  });

  it("recurrent: the unrolled loop equals nn.RNN, and BPTT beats any memoryless model", async () => {
    const n = (await runFast("recurrent")).numbers;
    expect(n.unrolled_vs_nn_rnn_max_diff).toBeLessThan(1e-5);
    expect(n.unrolled_graph_tanh_nodes).toBe(3);
    expect(n.final_train_mse).toBeLessThan(n.memoryless_baseline_mse / 10);
    expect(n.test_mse).toBeLessThan(n.memoryless_baseline_mse / 10);
  });
});

describe("experiment helpers", () => {
  it("the tent-map net computes the sawtooth exactly", () => {
    const net = sawtoothNet(3).double();
    const xs = [0, 1 / 16, 1 / 8, 3 / 16, 1 / 4, 0.5, 1];
    const got = Array.from(
      cr.noGrad(() => net.forward(cr.tensor(xs, { dtype: "float64" }).reshape(-1, 1))).toTypedArray(),
    );
    // tent³ has 8 pieces: peaks at odd multiples of 1/8, zeros at multiples of 1/4
    expect(got.map((v) => Math.round(v * 1e9) / 1e9)).toEqual([0, 0.5, 1, 0.5, 0, 0, 0]);
  });

  it("countPieces counts linear pieces", () => {
    expect(countPieces([0, 1, 2, 3])).toBe(1);
    expect(countPieces([0, 1, 2, 1, 0])).toBe(2);
    expect(countPieces([0, 1, 0, 1, 0])).toBe(4);
  });
});
