// Linear, the affine layer y = x·Wᵀ + b (PyTorch's weight layout, out × in), and its default init.
import type { Tensor } from "../tensor/tensor.js";
import type { DType } from "../tensor/dtype.js";
import { zeros } from "../tensor/create.js";
import { check } from "../util/errors.js";
import { linear } from "./functional/index.js";
import { kaimingUniform_, uniform_ } from "./init.js";
import { Module, Parameter } from "./module.js";

/**
 * Fully connected layer: `y = x·Wᵀ + b`.
 *
 * @param inFeatures size of each input sample
 * @param outFeatures size of each output sample
 * @param opts.bias learn an additive bias (default true)
 * @param opts.dtype parameter dtype (default float32)
 *
 * Shape: input `[*, inFeatures]`, output `[*, outFeatures]`.
 *
 * Initialization (PyTorch's): `weight [out, in]` by kaimingUniform_ with a = √5, which is
 * U(-1/√in, 1/√in); `bias [out]` from the same U(-1/√in, 1/√in).
 *
 * @example
 * const fc = new nn.Linear(784, 512); // 401,920 parameters
 * const y = fc.forward(cr.randn([32, 784])); // [32, 512]
 */
export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: { bias?: boolean; dtype?: DType } = {},
  ) {
    super();
    for (const [name, n] of [
      ["inFeatures", inFeatures],
      ["outFeatures", outFeatures],
    ] as const)
      check(
        Number.isInteger(n) && n >= 0,
        "Linear",
        () => `${name} must be a non-negative integer, got ${n}`,
      );
    const dtype = opts.dtype ?? "float32";
    this.weight = new Parameter(zeros([outFeatures, inFeatures], { dtype }));
    this.bias = (opts.bias ?? true) ? new Parameter(zeros([outFeatures], { dtype })) : null;
    this.resetParameters();
  }

  /** Draws fresh weights with PyTorch's default initialization (see the class docs). */
  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const bound = this.inFeatures > 0 ? 1 / Math.sqrt(this.inFeatures) : 0;
      uniform_(this.bias, { a: -bound, b: bound });
    }
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}
