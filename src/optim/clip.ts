// Gradient clipping (PyTorch's torch.nn.utils.clip_grad_norm_ / clip_grad_value_): rescales or clamps
// the `.grad` of parameters in place, before an optimizer step. Parameters without a grad are skipped.
import { noGrad } from "../autograd/grad-mode.js";
import { Tensor } from "../tensor/tensor.js";
import { ChainruleError, check } from "../util/errors.js";

function gradsOf(op: string, params: Iterable<Tensor> | Tensor): Tensor[] {
  const list = params instanceof Tensor ? [params] : Array.from(params);
  list.forEach((p, i) => check(p instanceof Tensor, op, () => `parameter ${i} is not a Tensor`));
  return list.flatMap((p) => (p.grad === null ? [] : [p.grad]));
}

// ‖g‖_p of one gradient, in the gradient's precision (PyTorch reduces each tensor in its own dtype).
function normOf(g: Tensor, normType: number): number {
  if (g.numel === 0) return 0;
  if (normType === Infinity) return g.abs().amax().item();
  if (normType === 2) return g.mul(g).sum().sqrt().item();
  if (normType === 1) return g.abs().sum().item();
  return g
    .abs()
    .pow(normType)
    .sum()
    .pow(1 / normType)
    .item();
}

/**
 * Rescales the gradients so that their joint norm is at most `maxNorm`, and returns that joint norm
 * (measured before clipping): `total = ‖(‖g₁‖, ‖g₂‖, …)‖_p`; when `total > maxNorm` every gradient is
 * multiplied by `maxNorm / (total + 1e-6)`.
 *
 * @param params tensors whose `.grad` to clip (those with a null grad are skipped).
 * @param maxNorm the largest allowed norm (>= 0).
 * @param opts `normType` = 2 (any p > 0, or Infinity for the largest absolute value);
 *   `errorIfNonfinite` = false: throw if the total norm is NaN or infinite.
 * @returns the total norm of the gradients before clipping.
 */
export function clipGradNorm(
  params: Iterable<Tensor> | Tensor,
  maxNorm: number,
  opts: { normType?: number; errorIfNonfinite?: boolean } = {},
): number {
  const normType = opts.normType ?? 2;
  check(maxNorm >= 0, "clipGradNorm", () => `maxNorm must be >= 0, got ${maxNorm}`);
  check(normType > 0, "clipGradNorm", () => `normType must be > 0 or Infinity, got ${normType}`);
  const grads = gradsOf("clipGradNorm", params);
  if (grads.length === 0) return 0;
  const norms = grads.map((g) => normOf(g, normType));
  const total =
    normType === Infinity
      ? Math.max(...norms)
      : normType === 2
        ? Math.sqrt(norms.reduce((s, n) => s + n * n, 0))
        : norms.reduce((s, n) => s + n ** normType, 0) ** (1 / normType);
  if (opts.errorIfNonfinite && !Number.isFinite(total))
    throw new ChainruleError(
      "clipGradNorm",
      `the total norm of order ${normType} of the gradients is ${total}, so they cannot be clipped; ` +
        "pass errorIfNonfinite: false to clip anyway",
    );
  const coef = maxNorm / (total + 1e-6);
  // written so that a NaN norm turns the gradients into NaN, as in PyTorch
  if (!(coef >= 1)) noGrad(() => grads.forEach((g) => g.mul_(coef)));
  return total;
}

/**
 * Clamps every gradient element into `[-clipValue, clipValue]`, in place.
 *
 * @param params tensors whose `.grad` to clip (those with a null grad are skipped).
 * @param clipValue the largest allowed magnitude (>= 0).
 */
export function clipGradValue(params: Iterable<Tensor> | Tensor, clipValue: number): void {
  check(clipValue >= 0, "clipGradValue", () => `clipValue must be >= 0, got ${clipValue}`);
  const grads = gradsOf("clipGradValue", params);
  noGrad(() => grads.forEach((g) => g.clamp_(-clipValue, clipValue)));
}
