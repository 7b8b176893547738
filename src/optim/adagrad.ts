// Adagrad (PyTorch 1.13's torch.optim.Adagrad, single-tensor algorithm): per-element step sizes
// shrinking with the accumulated squared gradients, plus a learning-rate decay over steps.
import type { Tensor } from "../tensor/tensor.js";
import { fullLike } from "../tensor/create.js";
import {
  Optimizer,
  addScaled,
  checkFlag,
  checkNonNegative,
  type ParamGroup,
  type ParamsArg,
} from "./optimizer.js";

/** Adagrad's hyper-parameters (all resolved in a parameter group). */
export interface AdagradHyper {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
}

/** Per-parameter state: step count and the running sum of squared gradients. */
export interface AdagradState {
  step: number;
  sum: Tensor;
}

/**
 * Adagrad (Duchi et al.). With `g = ∇p + weightDecay·p` and step count t:
 *
 *     clr = lr / (1 + (t−1)·lrDecay),   s = s + g²   (s starts at initialAccumulatorValue)
 *     p = p − clr · g / (√s + eps)
 *
 * @param params parameter tensors or groups.
 * @param opts `lr` = 1e-2, `lrDecay` = 0, `weightDecay` = 0, `initialAccumulatorValue` = 0,
 *   `eps` = 1e-10, `maximize` = false.
 */
export class Adagrad extends Optimizer<AdagradHyper, AdagradState> {
  constructor(params: ParamsArg<AdagradHyper>, opts: Partial<AdagradHyper> = {}) {
    super("Adagrad", params, {
      lr: opts.lr ?? 1e-2,
      lrDecay: opts.lrDecay ?? 0,
      weightDecay: opts.weightDecay ?? 0,
      initialAccumulatorValue: opts.initialAccumulatorValue ?? 0,
      eps: opts.eps ?? 1e-10,
      maximize: opts.maximize ?? false,
    });
  }

  protected validate(h: AdagradHyper): void {
    checkNonNegative("Adagrad", "learning rate lr", h.lr);
    checkNonNegative("Adagrad", "lrDecay", h.lrDecay);
    checkNonNegative("Adagrad", "weightDecay", h.weightDecay);
    checkNonNegative("Adagrad", "initialAccumulatorValue", h.initialAccumulatorValue);
    checkNonNegative("Adagrad", "eps", h.eps);
    checkFlag("Adagrad", "maximize", h.maximize);
  }

  protected initState(p: Tensor, h: ParamGroup<AdagradHyper>): AdagradState {
    return { step: 0, sum: fullLike(p, h.initialAccumulatorValue) };
  }

  protected update(p: Tensor, grad: Tensor, h: ParamGroup<AdagradHyper>, st: AdagradState): void {
    let g = h.maximize ? grad.neg() : grad;
    st.step += 1;
    if (h.weightDecay !== 0) g = addScaled(g, p, h.weightDecay);
    const clr = h.lr / (1 + (st.step - 1) * h.lrDecay);
    st.sum = st.sum.add(g.mul(g));
    const std = st.sum.sqrt().add(h.eps);
    p.copy_(p.add(g.mul(-clr).div(std)));
  }
}
