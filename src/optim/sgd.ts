// Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight decay
// (PyTorch 1.13's torch.optim.SGD, single-tensor algorithm).
import type { Tensor } from "../tensor/tensor.js";
import { zerosLike } from "../tensor/create.js";
import { check } from "../util/errors.js";
import { fusible, sgdFused } from "./fused.js";
import {
  Optimizer,
  addScaled,
  checkFlag,
  checkNonNegative,
  type ParamGroup,
  type ParamsArg,
} from "./optimizer.js";

/** SGD's hyper-parameters (all resolved in a parameter group). */
export interface SGDHyper {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

/** SGD's per-parameter state: the momentum buffer, created on the first step when momentum ≠ 0. */
export interface SGDState {
  momentumBuffer?: Tensor;
}

/**
 * Stochastic gradient descent. With `g = ∇p + weightDecay·p` (negated first when `maximize`):
 *
 *     buf = g (first step),  buf = momentum·buf + (1 − dampening)·g (later steps)
 *     g = nesterov ? g + momentum·buf : buf          (only when momentum ≠ 0)
 *     p = p − lr·g
 *
 * @param params parameter tensors or groups `{params, lr?, momentum?, ...}`.
 * @param opts `lr` (required, here or in every group), `momentum` = 0, `dampening` = 0,
 *   `weightDecay` = 0, `nesterov` = false (needs momentum > 0 and dampening = 0), `maximize` = false.
 *
 * @example
 * const opt = new SGD([w, b], { lr: 0.1, momentum: 0.9 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 */
export class SGD extends Optimizer<SGDHyper, SGDState> {
  constructor(params: ParamsArg<SGDHyper>, opts: Partial<SGDHyper> = {}) {
    super("SGD", params, {
      lr: opts.lr,
      momentum: opts.momentum ?? 0,
      dampening: opts.dampening ?? 0,
      weightDecay: opts.weightDecay ?? 0,
      nesterov: opts.nesterov ?? false,
      maximize: opts.maximize ?? false,
    });
  }

  protected validate(h: SGDHyper): void {
    checkNonNegative("SGD", "learning rate lr", h.lr);
    checkNonNegative("SGD", "momentum", h.momentum);
    checkNonNegative("SGD", "weightDecay", h.weightDecay);
    check(
      typeof h.dampening === "number" && Number.isFinite(h.dampening),
      "SGD",
      () => `invalid dampening: ${h.dampening}`,
    );
    checkFlag("SGD", "nesterov", h.nesterov);
    checkFlag("SGD", "maximize", h.maximize);
    check(
      !h.nesterov || (h.momentum > 0 && h.dampening === 0),
      "SGD",
      () =>
        `nesterov momentum requires momentum > 0 and dampening = 0, got momentum ${h.momentum}, dampening ${h.dampening}`,
    );
  }

  protected initState(): SGDState {
    return {};
  }

  protected update(p: Tensor, grad: Tensor, h: ParamGroup<SGDHyper>, st: SGDState): void {
    const buf = st.momentumBuffer;
    if (h.momentum === 0 || buf === undefined ? fusible(p, grad) : fusible(p, grad, buf)) {
      if (h.momentum !== 0) st.momentumBuffer = buf ?? zerosLike(p);
      sgdFused(p, grad, h.momentum !== 0 ? st.momentumBuffer : undefined, h, buf === undefined);
      return;
    }
    let d = h.maximize ? grad.neg() : grad;
    if (h.weightDecay !== 0) d = addScaled(d, p, h.weightDecay);
    if (h.momentum !== 0) {
      const next = buf === undefined ? d.clone() : addScaled(buf.mul(h.momentum), d, 1 - h.dampening);
      st.momentumBuffer = next;
      d = h.nesterov ? addScaled(d, next, h.momentum) : next;
    }
    p.copy_(addScaled(p, d, -h.lr));
  }
}
