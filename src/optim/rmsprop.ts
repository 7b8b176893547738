// RMSprop (PyTorch 1.13's torch.optim.RMSprop, single-tensor algorithm): divides the gradient by a
// running root-mean-square, optionally centered and with momentum.
import type { Tensor } from "../tensor/tensor.js";
import { zerosLike } from "../tensor/create.js";
import {
  Optimizer,
  addScaled,
  checkFlag,
  checkNonNegative,
  type ParamGroup,
  type ParamsArg,
} from "./optimizer.js";

/** RMSprop's hyper-parameters (all resolved in a parameter group). */
export interface RMSpropHyper {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

/** Per-parameter state: step count, running mean of g², and (when used) the momentum buffer and mean of g. */
export interface RMSpropState {
  step: number;
  squareAvg: Tensor;
  momentumBuffer?: Tensor;
  gradAvg?: Tensor;
}

/**
 * RMSprop (Hinton). With `g = ∇p + weightDecay·p`:
 *
 *     v = α·v + (1−α)·g²
 *     centered: ḡ = α·ḡ + (1−α)·g,  avg = √(v − ḡ²) + eps;   otherwise avg = √v + eps
 *     momentum > 0: buf = momentum·buf + g/avg,  p = p − lr·buf;   otherwise p = p − lr·g/avg
 *
 * @param params parameter tensors or groups.
 * @param opts `lr` = 1e-2, `alpha` = 0.99, `eps` = 1e-8, `weightDecay` = 0, `momentum` = 0,
 *   `centered` = false, `maximize` = false.
 */
export class RMSprop extends Optimizer<RMSpropHyper, RMSpropState> {
  constructor(params: ParamsArg<RMSpropHyper>, opts: Partial<RMSpropHyper> = {}) {
    super("RMSprop", params, {
      lr: opts.lr ?? 1e-2,
      alpha: opts.alpha ?? 0.99,
      eps: opts.eps ?? 1e-8,
      weightDecay: opts.weightDecay ?? 0,
      momentum: opts.momentum ?? 0,
      centered: opts.centered ?? false,
      maximize: opts.maximize ?? false,
    });
  }

  protected validate(h: RMSpropHyper): void {
    checkNonNegative("RMSprop", "learning rate lr", h.lr);
    checkNonNegative("RMSprop", "alpha", h.alpha);
    checkNonNegative("RMSprop", "eps", h.eps);
    checkNonNegative("RMSprop", "weightDecay", h.weightDecay);
    checkNonNegative("RMSprop", "momentum", h.momentum);
    checkFlag("RMSprop", "centered", h.centered);
    checkFlag("RMSprop", "maximize", h.maximize);
  }

  protected initState(p: Tensor, h: ParamGroup<RMSpropHyper>): RMSpropState {
    const st: RMSpropState = { step: 0, squareAvg: zerosLike(p) };
    if (h.momentum > 0) st.momentumBuffer = zerosLike(p);
    if (h.centered) st.gradAvg = zerosLike(p);
    return st;
  }

  protected update(p: Tensor, grad: Tensor, h: ParamGroup<RMSpropHyper>, st: RMSpropState): void {
    let g = h.maximize ? grad.neg() : grad;
    st.step += 1;
    if (h.weightDecay !== 0) g = addScaled(g, p, h.weightDecay);
    st.squareAvg = st.squareAvg.mul(h.alpha).add(g.mul(1 - h.alpha).mul(g));
    let avg: Tensor;
    if (h.centered) {
      const ga = addScaled((st.gradAvg ?? zerosLike(p)).mul(h.alpha), g, 1 - h.alpha);
      st.gradAvg = ga;
      avg = st.squareAvg.add(ga.mul(-1).mul(ga)).sqrt();
    } else avg = st.squareAvg.sqrt();
    avg = avg.add(h.eps);
    if (h.momentum > 0) {
      const buf = (st.momentumBuffer ?? zerosLike(p)).mul(h.momentum).add(g.div(avg));
      st.momentumBuffer = buf;
      p.copy_(addScaled(p, buf, -h.lr));
    } else p.copy_(p.add(g.mul(-h.lr).div(avg)));
  }
}
