// Normalization layers: LayerNorm (per sample) and BatchNorm1d/2d (per channel, with running statistics
// for eval mode).
import type { Tensor } from "../tensor/tensor.js";
import type { DType } from "../tensor/dtype.js";
import { ones, zeros } from "../tensor/create.js";
import { noGrad } from "../autograd/grad-mode.js";
import { check, fmtShape } from "../util/errors.js";
import { batchNorm, layerNorm } from "./functional/index.js";
import { Module, Parameter } from "./module.js";

/**
 * Layer normalization over the trailing `normalizedShape` dims of each sample:
 * `y = (x - E[x])/√(Var[x] + eps)·γ + β` with the biased variance.
 *
 * @param normalizedShape the last k dims of the input (a number for k = 1)
 * @param opts.eps added to the variance (default 1e-5)
 * @param opts.elementwiseAffine learn γ (`weight`, ones) and β (`bias`, zeros) of that shape (default true)
 * @param opts.bias learn β (default true; only with elementwiseAffine)
 * Shape: input `[*, ...normalizedShape]`, output the same.
 */
export class LayerNorm extends Module {
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  weight: Parameter | null = null;
  bias: Parameter | null = null;

  constructor(
    normalizedShape: number | readonly number[],
    opts: { eps?: number; elementwiseAffine?: boolean; bias?: boolean; dtype?: DType } = {},
  ) {
    super();
    this.normalizedShape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
    this.eps = opts.eps ?? 1e-5;
    const dtype = opts.dtype ?? "float32";
    if (opts.elementwiseAffine ?? true) {
      this.weight = new Parameter(ones(this.normalizedShape, { dtype }));
      if (opts.bias ?? true) this.bias = new Parameter(zeros(this.normalizedShape, { dtype }));
    }
  }
  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }
  override extraRepr(): string {
    return `[${this.normalizedShape.join(", ")}], eps=${this.eps}, elementwiseAffine=${this.weight !== null}`;
  }
}

export interface BatchNormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Weight of each new batch statistic in the running averages (default 0.1); null: a cumulative average. */
  momentum?: number | null;
  /** Learn a per-channel scale `weight` (ones) and shift `bias` (zeros) (default true). */
  affine?: boolean;
  /** Keep running mean/variance for eval mode (default true); without them eval uses batch statistics. */
  trackRunningStats?: boolean;
  dtype?: DType;
}

/** The shared body of BatchNorm1d/2d: per-channel statistics over every dim but 1. */
abstract class BatchNormBase extends Module {
  readonly eps: number;
  readonly momentum: number | null;
  weight: Parameter | null = null;
  bias: Parameter | null = null;
  runningMean: Tensor | null;
  runningVar: Tensor | null;
  numBatchesTracked: Tensor | null;
  protected abstract readonly ranks: readonly number[];

  constructor(
    readonly numFeatures: number,
    opts: BatchNormOptions = {},
  ) {
    super();
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    const dtype = opts.dtype ?? "float32";
    if (opts.affine ?? true) {
      this.weight = new Parameter(ones([numFeatures], { dtype }));
      this.bias = new Parameter(zeros([numFeatures], { dtype }));
    }
    const track = opts.trackRunningStats ?? true;
    this.runningMean = this.registerBuffer("runningMean", track ? zeros([numFeatures], { dtype }) : null);
    this.runningVar = this.registerBuffer("runningVar", track ? ones([numFeatures], { dtype }) : null);
    this.numBatchesTracked = this.registerBuffer(
      "numBatchesTracked",
      track ? zeros([], { dtype: "int32" }) : null,
    );
  }

  /** Restarts the running statistics (mean 0, variance 1, no batches seen). */
  resetRunningStats(): void {
    noGrad(() => {
      this.runningMean?.zero_();
      this.runningVar?.fill_(1);
      this.numBatchesTracked?.zero_();
    });
  }

  forward(x: Tensor): Tensor {
    const name = this.constructor.name;
    check(
      this.ranks.includes(x.ndim) && x.shape[1] === this.numFeatures,
      name,
      () =>
        `expected input of rank ${this.ranks.join(" or ")} with ${this.numFeatures} channels in dim 1, got shape ${fmtShape(x.shape)}`,
    );
    let factor = this.momentum ?? 0;
    if (this.training && this.numBatchesTracked) {
      const n = noGrad(() => this.numBatchesTracked!.add_(1)).item();
      if (this.momentum === null) factor = 1 / n;
    }
    // eval without running statistics normalizes with the batch's own
    const useBatch = this.training || this.runningMean === null;
    return batchNorm(x, this.runningMean, this.runningVar, {
      weight: this.weight,
      bias: this.bias,
      training: useBatch,
      momentum: factor,
      eps: this.eps,
    });
  }

  override extraRepr(): string {
    return (
      `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.weight !== null}, ` +
      `trackRunningStats=${this.runningMean !== null}`
    );
  }
}

/**
 * Batch normalization per feature over the batch: `y = (x - μ)/√(σ² + eps)·γ + β`. In training mode μ
 * and σ² are the batch's (biased σ²) and the running buffers move toward them
 * (`r ← (1-momentum)·r + momentum·stat`, unbiased variance); in eval mode the running buffers are used.
 *
 * @param numFeatures C
 * Shape: input `[N, C]` or `[N, C, L]`, output the same. Buffers: `runningMean [C]`, `runningVar [C]`,
 * `numBatchesTracked []` (int32).
 */
export class BatchNorm1d extends BatchNormBase {
  protected readonly ranks = [2, 3];
}

/** BatchNorm over the channels of images: input `[N, C, H, W]` (see BatchNorm1d). */
export class BatchNorm2d extends BatchNormBase {
  protected readonly ranks = [4];
}
