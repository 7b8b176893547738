// Embedding: a trainable lookup table from integer ids to vectors.
import type { Tensor } from "../tensor/tensor.js";
import type { DType } from "../tensor/dtype.js";
import { zeros } from "../tensor/create.js";
import { noGrad } from "../autograd/grad-mode.js";
import { check, fmtShape } from "../util/errors.js";
import { embedding } from "./functional/index.js";
import { normal_ } from "./init.js";
import { Module, Parameter } from "./module.js";

export interface EmbeddingOptions {
  /** A row that is looked up but never trained (its vector starts at zeros); negative counts from the end. */
  paddingIdx?: number | null;
  dtype?: DType;
}

/**
 * A lookup table: `out[…, :] = weight[indices[…], :]`.
 *
 * @param numEmbeddings V, the number of ids
 * @param embeddingDim D, the size of each vector
 * Shape: input int32 of any shape, output `[...input.shape, D]`.
 * Initialization: `weight [V, D]` ~ N(0, 1), the padding row zero.
 */
export class Embedding extends Module {
  weight: Parameter;
  readonly paddingIdx: number | null;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    opts: EmbeddingOptions = {},
  ) {
    super();
    const v = numEmbeddings;
    const p = opts.paddingIdx ?? null;
    check(
      p === null || (Number.isInteger(p) && p >= -v && p < v),
      "Embedding",
      () => `paddingIdx must be an integer in [${-v}, ${v}), got ${p}`,
    );
    this.paddingIdx = p === null || p >= 0 ? p : p + v;
    this.weight = new Parameter(zeros([numEmbeddings, embeddingDim], { dtype: opts.dtype ?? "float32" }));
    this.resetParameters();
  }

  /** An embedding over the given `[V, D]` vectors, frozen (no gradient) unless `freeze: false`. */
  static fromPretrained(
    weights: Tensor,
    opts: { freeze?: boolean; paddingIdx?: number | null } = {},
  ): Embedding {
    check(
      weights.ndim === 2,
      "Embedding.fromPretrained",
      () => `expects [V, D], got ${fmtShape(weights.shape)}`,
    );
    const e = new Embedding(weights.shape[0], weights.shape[1], { ...opts, dtype: weights.dtype });
    e.weight = new Parameter(weights.detach().clone(), !(opts.freeze ?? true));
    return e;
  }

  resetParameters(): void {
    normal_(this.weight);
    if (this.paddingIdx !== null) noGrad(() => this.weight.select(0, this.paddingIdx!).zero_());
  }

  forward(indices: Tensor): Tensor {
    return embedding(indices, this.weight, { paddingIdx: this.paddingIdx });
  }

  override extraRepr(): string {
    const pad = this.paddingIdx === null ? "" : `, paddingIdx=${this.paddingIdx}`;
    return `${this.numEmbeddings}, ${this.embeddingDim}${pad}`;
  }
}
