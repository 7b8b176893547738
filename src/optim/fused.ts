// Fused float32 updates for SGD and Adam/AdamW: one pass over the parameter's storage doing exactly the
// arithmetic of the tensor-op updates in sgd.ts and adam.ts (same order, every intermediate rounded to
// float32 as each op would round it), so both paths give identical bits. Those tensor-op updates stay the
// specification, and the path taken for float64 or non-contiguous tensors.
import type { Tensor } from "../tensor/tensor.js";

const f = Math.fround;

/** Whether every tensor is a contiguous float32 run with its own storage (in-place updates are then safe). */
export function fusible(p: Tensor, grad: Tensor, ...state: (Tensor | undefined)[]): boolean {
  if (p.dtype !== "float32" || !p.isContiguous()) return false;
  for (const t of [grad, ...state])
    if (t === undefined || t.dtype !== "float32" || !t.isContiguous() || t.storage === p.storage)
      return false;
  return true;
}

export interface SgdArgs {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

/** SGD on `p` in place; `buf` (when momentum ≠ 0) is updated in place, or set to d on the first step. */
export function sgdFused(p: Tensor, grad: Tensor, buf: Tensor | undefined, h: SgdArgs, first: boolean): void {
  const [pd, gd, bd] = [run(p), run(grad), buf ? run(buf) : null];
  const [wd, mom, keep, lr] = [f(h.weightDecay), f(h.momentum), f(1 - h.dampening), f(-h.lr)];
  const sign = h.maximize ? -1 : 1; // -g, exactly
  const [decays, nesterov] = [h.weightDecay !== 0, h.nesterov];
  for (let i = 0; i < pd.length; i++) {
    let d = gd[i] * sign;
    if (decays) d = f(d + f(pd[i] * wd));
    if (bd !== null) {
      const b = first ? d : f(f(bd[i] * mom) + f(d * keep));
      bd[i] = b;
      d = nesterov ? f(d + f(b * mom)) : b;
    }
    pd[i] = f(pd[i] + f(d * lr));
  }
  p.storage.version++;
  if (buf) buf.storage.version++;
}

export interface AdamArgs {
  lr: number;
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

/** Adam (or AdamW when `decoupled`) at step count `step` (already incremented), all tensors in place. */
// prettier-ignore
export function adamFused(
  p: Tensor, grad: Tensor, m: Tensor, v: Tensor, vMax: Tensor | undefined, h: AdamArgs, step: number,
  decoupled: boolean,
): void {
  const [b1, b2] = h.betas;
  const [pd, gd, md, vd] = [run(p), run(grad), run(m), run(v)];
  const xd = h.amsgrad && vMax ? run(vMax) : null;
  const wd = h.weightDecay;
  const [wdS, shrink] = [f(wd), f(1 - h.lr * wd)];
  const [beta1, keep1, beta2, keep2] = [f(b1), f(1 - b1), f(b2), f(1 - b2)];
  const stepSize = f(-(h.lr / (1 - b1 ** step)));
  const bc2Sqrt = f(Math.sqrt(1 - b2 ** step));
  const eps = f(h.eps);
  const sign = h.maximize ? -1 : 1; // -g, exactly
  const [shrinks, l2] = [wd !== 0 && decoupled, wd !== 0 && !decoupled];
  for (let i = 0; i < pd.length; i++) {
    let g = gd[i] * sign;
    let pi = pd[i];
    if (shrinks) pi = f(pi * shrink);
    if (l2) g = f(g + f(pi * wdS));
    const mi = f(f(md[i] * beta1) + f(g * keep1));
    let vi = f(f(vd[i] * beta2) + f(f(g * keep2) * g));
    md[i] = mi;
    vd[i] = vi;
    if (xd !== null) vi = xd[i] = Math.max(xd[i], vi);
    const denom = f(f(f(Math.sqrt(vi)) / bc2Sqrt) + eps);
    pd[i] = f(pi + f(f(mi * stepSize) / denom));
  }
  for (const t of [p, m, v]) t.storage.version++;
  if (vMax) vMax.storage.version++;
}

/** The elements of a contiguous float32 tensor, as a view of its storage. */
function run(t: Tensor): Float32Array {
  const data = t.data as Float32Array;
  return t.offset === 0 && data.length === t.numel ? data : data.subarray(t.offset, t.offset + t.numel);
}
