// Adam and AdamW (PyTorch 1.13's torch.optim.Adam / AdamW, single-tensor algorithm): bias-corrected
// first and second moment estimates, optional AMSGrad; AdamW decays the weights decoupled from the gradient.
import type { Tensor } from "../tensor/tensor.js";
import { zerosLike } from "../tensor/create.js";
import { maximum } from "../ops/index.js";
import { adamFused, fusible } from "./fused.js";
import {
  Optimizer,
  addScaled,
  checkBetas,
  checkFlag,
  checkNonNegative,
  type ParamGroup,
  type ParamsArg,
} from "./optimizer.js";

/** Adam's and AdamW's hyper-parameters (all resolved in a parameter group). */
export interface AdamHyper {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

/** Per-parameter state: the step count and the moment estimates (`maxExpAvgSq` only with amsgrad). */
export interface AdamState {
  step: number;
  expAvg: Tensor;
  expAvgSq: Tensor;
  maxExpAvgSq?: Tensor;
}

function resolve(opts: Partial<AdamHyper>, weightDecay: number): AdamHyper {
  return {
    lr: opts.lr ?? 1e-3,
    betas: opts.betas ? [opts.betas[0], opts.betas[1]] : [0.9, 0.999],
    eps: opts.eps ?? 1e-8,
    weightDecay: opts.weightDecay ?? weightDecay,
    amsgrad: opts.amsgrad ?? false,
    maximize: opts.maximize ?? false,
  };
}

function validate(op: string, h: AdamHyper): void {
  checkNonNegative(op, "learning rate lr", h.lr);
  checkNonNegative(op, "eps", h.eps);
  checkBetas(op, h.betas);
  checkNonNegative(op, "weightDecay", h.weightDecay);
  checkFlag(op, "amsgrad", h.amsgrad);
  checkFlag(op, "maximize", h.maximize);
}

function initState(p: Tensor, h: AdamHyper): AdamState {
  const st: AdamState = { step: 0, expAvg: zerosLike(p), expAvgSq: zerosLike(p) };
  if (h.amsgrad) st.maxExpAvgSq = zerosLike(p);
  return st;
}

// One Adam step; `decoupled` gives AdamW (p ← p·(1 − lr·wd) instead of the L2 term in the gradient).
function adamUpdate(p: Tensor, grad: Tensor, h: AdamHyper, st: AdamState, decoupled: boolean): void {
  const [beta1, beta2] = h.betas;
  st.step += 1;
  if (fusible(p, grad, st.expAvg, st.expAvgSq, ...(h.amsgrad ? [st.maxExpAvgSq] : []))) {
    adamFused(p, grad, st.expAvg, st.expAvgSq, st.maxExpAvgSq, h, st.step, decoupled);
    return;
  }
  let g = h.maximize ? grad.neg() : grad;
  if (h.weightDecay !== 0) {
    if (decoupled) p.copy_(p.mul(1 - h.lr * h.weightDecay));
    else g = addScaled(g, p, h.weightDecay);
  }
  st.expAvg = addScaled(st.expAvg.mul(beta1), g, 1 - beta1);
  st.expAvgSq = st.expAvgSq.mul(beta2).add(g.mul(1 - beta2).mul(g));
  const stepSize = h.lr / (1 - beta1 ** st.step);
  const bc2Sqrt = Math.sqrt(1 - beta2 ** st.step);
  let vUse = st.expAvgSq;
  if (h.amsgrad) {
    st.maxExpAvgSq = maximum(st.maxExpAvgSq ?? st.expAvgSq, st.expAvgSq);
    vUse = st.maxExpAvgSq;
  }
  const denom = vUse.sqrt().div(bc2Sqrt).add(h.eps);
  p.copy_(p.add(st.expAvg.mul(-stepSize).div(denom)));
}

/**
 * Adam (Kingma & Ba). With `g = ∇p + weightDecay·p` and step count t:
 *
 *     m = β1·m + (1−β1)·g,   v = β2·v + (1−β2)·g²,   v̂ = amsgrad ? max(v̂, v) : v
 *     p = p − lr/(1−β1ᵗ) · m / (√v̂ / √(1−β2ᵗ) + eps)
 *
 * @param params parameter tensors or groups `{params, lr?, betas?, ...}`.
 * @param opts `lr` = 1e-3, `betas` = [0.9, 0.999] (each in [0, 1)), `eps` = 1e-8, `weightDecay` = 0 (L2),
 *   `amsgrad` = false, `maximize` = false.
 *
 * @example
 * const opt = new Adam(params, { lr: 0.05 });
 */
export class Adam extends Optimizer<AdamHyper, AdamState> {
  constructor(params: ParamsArg<AdamHyper>, opts: Partial<AdamHyper> = {}) {
    super("Adam", params, resolve(opts, 0));
  }
  protected validate(h: AdamHyper): void {
    validate("Adam", h);
  }
  protected initState(p: Tensor, h: ParamGroup<AdamHyper>): AdamState {
    return initState(p, h);
  }
  protected update(p: Tensor, grad: Tensor, h: ParamGroup<AdamHyper>, st: AdamState): void {
    adamUpdate(p, grad, h, st, false);
  }
}

/**
 * AdamW (Loshchilov & Hutter): Adam with decoupled weight decay. Each step first shrinks the weights,
 * `p = p·(1 − lr·weightDecay)`, then applies the Adam update with `g = ∇p` (no L2 term).
 *
 * @param params parameter tensors or groups.
 * @param opts as for Adam, but `weightDecay` defaults to 0.01.
 */
export class AdamW extends Optimizer<AdamHyper, AdamState> {
  constructor(params: ParamsArg<AdamHyper>, opts: Partial<AdamHyper> = {}) {
    super("AdamW", params, resolve(opts, 0.01));
  }
  protected validate(h: AdamHyper): void {
    validate("AdamW", h);
  }
  protected initState(p: Tensor, h: ParamGroup<AdamHyper>): AdamState {
    return initState(p, h);
  }
  protected update(p: Tensor, grad: Tensor, h: ParamGroup<AdamHyper>, st: AdamState): void {
    adamUpdate(p, grad, h, st, true);
  }
}
