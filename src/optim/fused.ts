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
  const pd = run(p);
  const gd = run(grad);
  const bd = buf ? run(buf) : null;
  const sign = h.maximize ? -1 : 1; // -g, exactly
  const [mom, keep, lr] = [f(h.momentum), f(1 - h.dampening), f(-h.lr)];
  // The common case (momentum after the first step, no decay, no Nesterov) gets a loop without branches:
  // ~2.1 ms instead of ~3.7 ms per 401k-element update on the 2-core bench VM (bench/README.md).
  if (bd !== null && !first && h.weightDecay === 0 && !h.nesterov)
    momentumLoop(pd, gd, bd, sign, mom, keep, lr);
  else sgdLoop(pd, gd, bd, h, first);
  p.storage.version++;
  if (buf) buf.storage.version++;
}

// prettier-ignore
function momentumLoop(
  pd: Float32Array, gd: Float32Array, bd: Float32Array, sign: number, mom: number, keep: number, lr: number,
): void {
  const n = pd.length;
  for (let i = 0; i < n; i++) {
    const b = f(f(bd[i] * mom) + f(gd[i] * sign * keep));
    bd[i] = b;
    pd[i] = f(pd[i] + f(b * lr));
  }
}

function sgdLoop(pd: Float32Array, gd: Float32Array, bd: Float32Array | null, h: SgdArgs, first: boolean) {
  const wd = f(h.weightDecay);
  const mom = f(h.momentum);
  const keep = f(1 - h.dampening);
  const lr = f(-h.lr);
  const sign = h.maximize ? -1 : 1; // -g, exactly
  const decays = h.weightDecay !== 0;
  const nesterov = h.nesterov;
  const n = pd.length;
  for (let i = 0; i < n; i++) {
    let d = gd[i] * sign;
    if (decays) d = f(d + f(pd[i] * wd));
    if (bd !== null) {
      const b = first ? d : f(f(bd[i] * mom) + f(d * keep));
      bd[i] = b;
      d = nesterov ? f(d + f(b * mom)) : b;
    }
    pd[i] = f(pd[i] + f(d * lr));
  }
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
  const wd = h.weightDecay;
  const k: AdamConsts = {
    sign: h.maximize ? -1 : 1, // -g, exactly
    beta1: f(b1), keep1: f(1 - b1), beta2: f(b2), keep2: f(1 - b2),
    stepSize: f(-(h.lr / (1 - b1 ** step))), bc2Sqrt: f(Math.sqrt(1 - b2 ** step)), eps: f(h.eps),
    wdS: f(wd), shrink: f(1 - h.lr * wd), shrinks: wd !== 0 && decoupled, l2: wd !== 0 && !decoupled,
  };
  const xd = h.amsgrad && vMax ? run(vMax) : null;
  // Without decay or amsgrad, a loop without branches: ~6.2 ms instead of ~11.8 ms per 401k elements.
  if (!k.shrinks && !k.l2 && xd === null) adamPlainLoop(run(p), run(grad), run(m), run(v), k);
  else adamLoop(run(p), run(grad), run(m), run(v), xd, k);
  for (const t of [p, m, v]) t.storage.version++;
  if (vMax) vMax.storage.version++;
}

interface AdamConsts {
  sign: number;
  beta1: number;
  keep1: number;
  beta2: number;
  keep2: number;
  stepSize: number;
  bc2Sqrt: number;
  eps: number;
  wdS: number;
  shrink: number;
  shrinks: boolean;
  l2: boolean;
}

function adamPlainLoop(
  pd: Float32Array,
  gd: Float32Array,
  md: Float32Array,
  vd: Float32Array,
  k: AdamConsts,
) {
  const { sign, beta1, keep1, beta2, keep2, stepSize, bc2Sqrt, eps } = k;
  const n = pd.length;
  for (let i = 0; i < n; i++) {
    const g = gd[i] * sign;
    const mi = f(f(md[i] * beta1) + f(g * keep1));
    const vi = f(f(vd[i] * beta2) + f(f(g * keep2) * g));
    md[i] = mi;
    vd[i] = vi;
    const denom = f(f(f(Math.sqrt(vi)) / bc2Sqrt) + eps);
    pd[i] = f(pd[i] + f(f(mi * stepSize) / denom));
  }
}

// prettier-ignore
function adamLoop(
  pd: Float32Array, gd: Float32Array, md: Float32Array, vd: Float32Array, xd: Float32Array | null, k: AdamConsts,
): void {
  const { sign, beta1, keep1, beta2, keep2, stepSize, bc2Sqrt, eps, wdS, shrink, shrinks, l2 } = k;
  const n = pd.length;
  for (let i = 0; i < n; i++) {
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
}

/** The elements of a contiguous float32 tensor, as a view of its storage. */
function run(t: Tensor): Float32Array {
  const data = t.data as Float32Array;
  return t.offset === 0 && data.length === t.numel ? data : data.subarray(t.offset, t.offset + t.numel);
}
