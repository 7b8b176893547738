// Dropout: random zeroing of activations in training mode, the identity in eval mode.
import type { Tensor } from "../tensor/tensor.js";
import { check } from "../util/errors.js";
import { dropout } from "./functional/index.js";
import { Module } from "./module.js";

/**
 * Inverted dropout: while `training`, each element is zeroed with probability `p` (seeded by
 * manualSeed) and the survivors are scaled by 1/(1-p), so that E[output] = input; after `eval()` it
 * returns its input unchanged.
 *
 * @param opts.p probability of zeroing an element (default 0.5)
 * Shape: any; the output has the input's shape.
 */
export class Dropout extends Module {
  readonly p: number;
  constructor(opts: { p?: number } = {}) {
    super();
    this.p = opts.p ?? 0.5;
    check(this.p >= 0 && this.p <= 1, "Dropout", () => `p must lie in [0, 1], got ${this.p}`);
  }
  forward(x: Tensor): Tensor {
    return dropout(x, { p: this.p, training: this.training });
  }
  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
