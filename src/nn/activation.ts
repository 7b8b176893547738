// Activation modules: thin Module wrappers over chainrule.nn.functional's activations (PReLU is the one
// with a parameter). Identity lives in basic.ts.
import type { Tensor } from "../tensor/tensor.js";
import type { DType } from "../tensor/dtype.js";
import { full } from "../tensor/create.js";
import { check } from "../util/errors.js";
import * as F from "./functional/index.js";
import { Module, Parameter } from "./module.js";

/** ReLU: `max(0, x)` (gradient 0 at 0). */
export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return F.relu(x);
  }
}

/** LeakyReLU: `x` for x > 0, else `negativeSlope·x` (default slope 0.01). */
export class LeakyReLU extends Module {
  readonly negativeSlope: number;
  constructor(opts: { negativeSlope?: number } = {}) {
    super();
    this.negativeSlope = opts.negativeSlope ?? 0.01;
  }
  forward(x: Tensor): Tensor {
    return F.leakyRelu(x, { negativeSlope: this.negativeSlope });
  }
  override extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
}

/**
 * PReLU: `x` for x > 0, else `a·x` with a learned slope `a` — one shared (numParameters = 1, the
 * default) or one per channel of dim 1 (numParameters = C). Initialization: every slope = `init` (0.25).
 */
export class PReLU extends Module {
  weight: Parameter;
  constructor(opts: { numParameters?: number; init?: number; dtype?: DType } = {}) {
    super();
    const n = opts.numParameters ?? 1;
    check(Number.isInteger(n) && n >= 1, "PReLU", () => `numParameters must be a positive integer, got ${n}`);
    this.weight = new Parameter(full([n], opts.init ?? 0.25, { dtype: opts.dtype ?? "float32" }));
  }
  forward(x: Tensor): Tensor {
    return F.prelu(x, this.weight);
  }
  override extraRepr(): string {
    return `numParameters=${this.weight.numel}`;
  }
}

/** ELU: `x` for x > 0, else `alpha·(eˣ - 1)` (default alpha 1). */
export class ELU extends Module {
  readonly alpha: number;
  constructor(opts: { alpha?: number } = {}) {
    super();
    this.alpha = opts.alpha ?? 1;
  }
  forward(x: Tensor): Tensor {
    return F.elu(x, { alpha: this.alpha });
  }
  override extraRepr(): string {
    return `alpha=${this.alpha}`;
  }
}

/** GELU: `x·Φ(x)` with the exact erf form, or `approximate: 'tanh'`. */
export class GELU extends Module {
  readonly approximate: "none" | "tanh";
  constructor(opts: { approximate?: "none" | "tanh" } = {}) {
    super();
    this.approximate = opts.approximate ?? "none";
  }
  forward(x: Tensor): Tensor {
    return F.gelu(x, { approximate: this.approximate });
  }
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** Sigmoid: `1/(1 + e⁻ˣ)`. */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return F.sigmoid(x);
  }
}

/** Tanh: `(eˣ - e⁻ˣ)/(eˣ + e⁻ˣ)`. */
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return F.tanh(x);
  }
}

/** SiLU (swish): `x·σ(x)`. */
export class SiLU extends Module {
  forward(x: Tensor): Tensor {
    return F.silu(x);
  }
}

/** Mish: `x·tanh(softplus(x))`. */
export class Mish extends Module {
  forward(x: Tensor): Tensor {
    return F.mish(x);
  }
}

/** LogSigmoid: `log σ(x)`, stable for any x. */
export class LogSigmoid extends Module {
  forward(x: Tensor): Tensor {
    return F.logsigmoid(x);
  }
}

/** Softplus: `log(1 + e^(βx))/β`, exactly x above `threshold` (defaults β = 1, threshold 20). */
export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;
  constructor(opts: { beta?: number; threshold?: number } = {}) {
    super();
    this.beta = opts.beta ?? 1;
    this.threshold = opts.threshold ?? 20;
  }
  forward(x: Tensor): Tensor {
    return F.softplus(x, { beta: this.beta, threshold: this.threshold });
  }
  override extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

/** Hardtanh: `clamp(x, minVal, maxVal)` (defaults -1, 1; gradient 0 at the bounds). */
export class Hardtanh extends Module {
  readonly minVal: number;
  readonly maxVal: number;
  constructor(opts: { minVal?: number; maxVal?: number } = {}) {
    super();
    this.minVal = opts.minVal ?? -1;
    this.maxVal = opts.maxVal ?? 1;
    check(
      this.minVal <= this.maxVal,
      "Hardtanh",
      () => `minVal ${this.minVal} exceeds maxVal ${this.maxVal}`,
    );
  }
  forward(x: Tensor): Tensor {
    return F.hardtanh(x, { minVal: this.minVal, maxVal: this.maxVal });
  }
  override extraRepr(): string {
    return `minVal=${this.minVal}, maxVal=${this.maxVal}`;
  }
}

/** Softmax along `dim`: `exp(x - max)/Σ exp(x - max)`, each slice summing to 1. */
export class Softmax extends Module {
  constructor(readonly dim: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.softmax(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** LogSoftmax along `dim`: `x - logsumexp(x)`, finite for any logits. */
export class LogSoftmax extends Module {
  constructor(readonly dim: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.logSoftmax(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
