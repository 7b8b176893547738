// The native backend for Node: the C++ addon that `npm install` builds (build/Release/chainrule.node),
// wrapped in the Backend interface. Calls the addon does not cover (integer math, mixed types) or that
// are too small to repay a native call go to the cpu kernels, which stay the specification. No static
// Node import: the addon is reached through process.getBuiltinModule, so browser bundles carry no
// Node built-ins and `nativeBackend` is simply null there (and wherever the addon is missing).
import {
  BINARY_OPS,
  COMPARE_OPS,
  UNARY_OPS,
  type ArgReduceOp,
  type Backend,
  type BinaryOp,
  type CompareOp,
  type ReduceOp,
  type SgdStep,
  type AdamStep,
  type TypedArray,
  type UnaryOp,
  type View,
} from "../backend.js";
import { cpuBackend as cpu } from "../cpu/index.js";

interface Addon {
  init(desc: Float64Array): void;
  unary(op: number, x: TypedArray, out: TypedArray): void;
  binary(op: number, a: TypedArray, b: TypedArray, out: TypedArray): void;
  where(c: TypedArray, a: TypedArray, b: TypedArray, out: TypedArray): void;
  copy(x: TypedArray, out: TypedArray): void;
  reduce(op: number, x: TypedArray, out: TypedArray): void;
  argReduce(isMax: number, x: TypedArray, out: Int32Array): void;
  logSoftmax(x: TypedArray, out: TypedArray): void;
  gather(x: TypedArray, idx: Int32Array, out: TypedArray): void;
  scatterAdd(out: TypedArray, idx: Int32Array, src: TypedArray): void;
  matmul(
    a: TypedArray,
    b: TypedArray,
    out: TypedArray,
    bias: TypedArray | null,
    packed: Uint8Array | null,
  ): void;
  packB(b: TypedArray): Uint8Array;
  setNumThreads(n: number): void;
  numThreads(): number;
  isa(): string;
  setIsa(name: string): boolean;
  tuneMalloc(): boolean;
  sgdStep(p: Float32Array, g: Float32Array, buf: Float32Array | null): boolean;
  adamStep(
    p: Float32Array,
    g: Float32Array,
    m: Float32Array,
    v: Float32Array,
    x: Float32Array | null,
  ): boolean;
}

/**
 * Environment: CHAINRULE_NATIVE=0 disables the addon, CHAINRULE_NATIVE_PATH points at another build.
 * Loading it fixes glibc's mmap and trim thresholds (addon.cc, TuneMalloc) unless CHAINRULE_MALLOC=default
 * or the process already sets malloc tunables (GLIBC_TUNABLES, MALLOC_*_ variables).
 */
let mallocTuned = false;
const REQUIRED: (keyof Addon)[] = ["matmul", "packB", "logSoftmax", "tuneMalloc", "sgdStep", "adamStep"];
function loadAddon(): Addon | null {
  const proc = (globalThis as { process?: NodeJS.Process }).process;
  if (proc === undefined || typeof proc.getBuiltinModule !== "function") return null;
  const env = proc.env;
  if (env.CHAINRULE_NATIVE === "0") return null;
  try {
    const { createRequire } = proc.getBuiltinModule("node:module");
    const addon = createRequire(import.meta.url)(
      env.CHAINRULE_NATIVE_PATH ?? "../../../build/Release/chainrule.node",
    ) as Addon;
    // An addon built from older sources (a `git pull` without `npm install`) lacks kernels: not used.
    const missing = REQUIRED.filter((f) => typeof addon[f] !== "function");
    if (missing.length > 0) {
      console.warn(`chainrule: the native addon is out of date (no ${missing.join(", ")}); using the cpu backend. Rebuild it with \`npm run build:native\`.`); // prettier-ignore
      return null;
    }
    if (env.CHAINRULE_NATIVE_ISA) addon.setIsa(env.CHAINRULE_NATIVE_ISA);
    const ownTuning = /malloc/.test(env.GLIBC_TUNABLES ?? "") || Object.keys(env).some((k) => /^MALLOC_.*_$/.test(k)); // prettier-ignore
    mallocTuned = env.CHAINRULE_MALLOC !== "default" && !ownTuning && addon.tuneMalloc();
    const threads = Number(env.CHAINRULE_NUM_THREADS);
    if (threads >= 1) addon.setNumThreads(threads);
    return addon;
  } catch {
    return null;
  }
}

const addon = loadAddon();
const MAX_DIMS = 16;

/**
 * Below these sizes a call goes to the cpu kernels: a native call costs about 0.6 µs, which JavaScript
 * beats up to ~64 elements (measured on the bench machine; optimizer updates shorter than that stay in
 * src/optim/fused.ts's loops too). CHAINRULE_NATIVE_MIN=0, or tests setting both to 0, send every
 * supported call to the addon.
 */
export const nativeLimits = { minElements: 64, minMatmulMacs: 512 };
const envMin = Number(globalThis.process?.env?.CHAINRULE_NATIVE_MIN ?? NaN);
if (envMin >= 0) nativeLimits.minElements = nativeLimits.minMatmulMacs = envMin;

const UNARY_CODE = Object.fromEntries(UNARY_OPS.map((o, i) => [o, i])) as Record<UnaryOp, number>;
const BINARY_CODE = Object.fromEntries([...BINARY_OPS, ...COMPARE_OPS].map((o, i) => [o, i])) as Record<
  BinaryOp | CompareOp,
  number
>;
const REDUCE_CODE: Record<ReduceOp, number> = { sum: 0, max: 1, min: 2 };

// Views travel to the addon in one reused descriptor: [nd, shape, per operand strides and offset, extras].
const desc = new Float64Array(1024);
addon?.init(desc);
let at = 0;

function header(shape: readonly number[]): void {
  desc[0] = shape.length;
  for (let i = 0; i < shape.length; i++) desc[1 + i] = shape[i];
  at = 1 + shape.length;
}

function operand(strides: readonly number[], offset: number): void {
  for (let i = 0; i < strides.length; i++) desc[at + i] = strides[i];
  desc[at + strides.length] = offset;
  at += strides.length + 1;
}

function extra(v: number): void {
  desc[at++] = v;
}

function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

const isFloat = (x: TypedArray): boolean => x instanceof Float32Array || x instanceof Float64Array;
const sameType = (a: TypedArray, b: TypedArray): boolean => a.constructor === b.constructor;
function small(shape: readonly number[]): boolean {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n < nativeLimits.minElements || shape.length > MAX_DIMS;
}

function contiguous(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  for (let i = shape.length - 1, acc = 1; i >= 0; acc *= shape[i], i--) s[i] = acc;
  return s;
}

function makeBackend(native: Addon): Backend {
  return {
    name: "native",
    unary(op, x, xv, out) {
      if (small(xv.shape) || !isFloat(x) || !sameType(x, out)) return cpu.unary(op, x, xv, out);
      header(xv.shape);
      operand(xv.strides, xv.offset);
      native.unary(UNARY_CODE[op], x, out);
    },
    binary(op, a, av, b, bv, out) {
      if (small(av.shape)) return cpu.binary(op, a, av, b, bv, out);
      const cmp = (COMPARE_OPS as readonly string[]).includes(op);
      const typed = isFloat(a) && sameType(a, b) && (cmp ? out instanceof Uint8Array : sameType(a, out));
      if (!typed) return cpu.binary(op, a, av, b, bv, out);
      header(av.shape);
      operand(av.strides, av.offset);
      operand(bv.strides, bv.offset);
      native.binary(BINARY_CODE[op], a, b, out);
    },
    where(c, cv, a, av, b, bv, out) {
      const typed = c instanceof Uint8Array && sameType(a, b) && sameType(a, out);
      if (small(cv.shape) || !typed) return cpu.where(c, cv, a, av, b, bv, out);
      header(cv.shape);
      operand(cv.strides, cv.offset);
      operand(av.strides, av.offset);
      operand(bv.strides, bv.offset);
      native.where(c, a, b, out);
    },
    reduce(op, x, xv, axes, out) {
      if (small(xv.shape) || !isFloat(x) || !sameType(x, out)) return cpu.reduce(op, x, xv, axes, out);
      header(xv.shape);
      operand(xv.strides, xv.offset);
      for (let d = 0; d < xv.shape.length; d++) extra(axes.includes(d) ? 1 : 0);
      native.reduce(REDUCE_CODE[op], x, out);
    },
    argReduce(op: ArgReduceOp, x, xv, axis, out) {
      if (small(xv.shape) || !isFloat(x)) return cpu.argReduce(op, x, xv, axis, out);
      header(xv.shape);
      operand(xv.strides, xv.offset);
      extra(axis);
      native.argReduce(op === "argmax" ? 1 : 0, x, out);
    },
    logSoftmax(x, xv, axis, out) {
      if (small(xv.shape) || !sameType(x, out)) return cpu.logSoftmax(x, xv, axis, out);
      header(xv.shape);
      operand(xv.strides, xv.offset);
      extra(axis);
      native.logSoftmax(x, out);
    },
    matmul(a, av, b, bv, out, bias?, biasOffset = 0, relu = false, packed?) {
      const r = av.shape.length;
      const n = bv.shape[r - 1];
      // size first: the tiny products of small networks leave with two multiplications
      const small = r > MAX_DIMS || numel(av.shape) * n < nativeLimits.minMatmulMacs;
      if (small || !isFloat(a) || !sameType(a, b) || !sameType(a, out) || (bias && !sameType(a, bias)))
        return cpu.matmul(a, av, b, bv, out, bias, biasOffset, relu);
      const [m, k] = [av.shape[r - 2], av.shape[r - 1]];
      desc[0] = r;
      [desc[1], desc[2], desc[3]] = [m, k, n];
      for (let i = 0; i < r - 2; i++) desc[4 + i] = av.shape[i];
      at = 2 + r;
      operand(av.strides, av.offset);
      operand(bv.strides, bv.offset);
      extra(biasOffset);
      extra(relu ? 1 : 0);
      native.matmul(a, b, out, bias ?? null, packed instanceof Uint8Array ? packed : null);
    },
    packMatmulB(b, bv, m) {
      // Products that the kernels run as matrix-vector ones (m ≤ 2) or leave to the cpu pack nothing.
      const [k, n] = bv.shape;
      if (m <= 2 || m * k * n < nativeLimits.minMatmulMacs || !isFloat(b) || bv.shape.length !== 2)
        return null;
      [desc[0], desc[1], desc[2], desc[3], desc[4]] = [k, n, bv.strides[0], bv.strides[1], bv.offset];
      return native.packB(b);
    },
    copy(x, xv, out, ov?: View) {
      // Same-type contiguous copies are one TypedArray.set in the cpu backend already.
      if (small(xv.shape) || (sameType(x, out) && isContiguous(xv) && (!ov || isContiguous(ov))))
        return cpu.copy(x, xv, out, ov);
      header(xv.shape);
      operand(xv.strides, xv.offset);
      if (ov) operand(ov.strides, ov.offset);
      else operand(contiguous(xv.shape), 0);
      native.copy(x, out);
    },
    gather(x, xv, idx, iv, dim, out) {
      if (small(iv.shape) || !sameType(x, out)) return cpu.gather(x, xv, idx, iv, dim, out);
      header(iv.shape);
      operand(iv.strides, iv.offset);
      operand(
        xv.strides.map((s, d) => (d === dim ? 0 : s)),
        xv.offset,
      );
      extra(xv.strides[dim]);
      extra(xv.shape[dim]);
      native.gather(x, idx, out);
    },
    scatterAdd(out, outShape, idx, iv, src, sv, dim) {
      if (small(iv.shape) || !sameType(out, src)) return cpu.scatterAdd(out, outShape, idx, iv, src, sv, dim);
      const cs = contiguous(outShape);
      header(iv.shape);
      operand(iv.strides, iv.offset);
      operand(sv.strides, sv.offset);
      operand(
        cs.map((s, d) => (d === dim ? 0 : s)),
        0,
      );
      extra(cs[dim]);
      extra(outShape[dim]);
      native.scatterAdd(out, idx, src);
    },
    sgdStep(p, g, buf, k: SgdStep) {
      if (p.length < nativeLimits.minElements) return false;
      const flags = (k.decays ? 1 : 0) | (k.nesterov ? 2 : 0) | (k.first ? 4 : 0);
      desc.set([flags, k.sign, k.momentum, k.keep, k.lr, k.weightDecay]);
      return native.sgdStep(p, g, buf);
    },
    adamStep(p, g, m, v, vMax, k: AdamStep) {
      if (p.length < nativeLimits.minElements) return false;
      const flags = (k.shrinks ? 1 : 0) | (k.l2 ? 2 : 0);
      // prettier-ignore
      desc.set([flags, k.sign, k.beta1, k.keep1, k.beta2, k.keep2, k.stepSize, k.bc2Sqrt, k.eps, k.wdS, k.shrink]);
      return native.adamStep(p, g, m, v, vMax);
    },
  };
}

function isContiguous(v: View): boolean {
  for (let i = v.shape.length - 1, acc = 1; i >= 0; acc *= v.shape[i], i--)
    if (v.shape[i] !== 1 && v.strides[i] !== acc) return false;
  return true;
}

/** The native backend, or null where the addon is not available (browsers, failed builds, CHAINRULE_NATIVE=0). */
export const nativeBackend: Backend | null = addon ? makeBackend(addon) : null;

/**
 * Sets the number of threads the native backend's kernels may use (PyTorch's `torch.set_num_threads`);
 * defaults to the machine's cores. No effect without the native backend.
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`setNumThreads: expected an integer ≥ 1, got ${n}`);
  addon?.setNumThreads(n);
}

/** The number of threads the native backend's kernels may use (1 without the native backend). */
export function getNumThreads(): number {
  return addon ? addon.numThreads() : 1;
}

/** Switches the native GEMM kernels ("avx512" | "avx2" | "generic" | "auto"); false if this CPU lacks them. */
export function selectKernels(name: string): boolean {
  return addon ? addon.setIsa(name) : false;
}

/** Which GEMM kernels the native backend runs ("avx512" | "avx2" | "generic"), or null without it. */
export function nativeKernels(): string | null {
  return addon ? addon.isa() : null;
}

/** Whether loading the addon fixed glibc's malloc thresholds (see loadAddon). */
export function nativeMallocTuned(): boolean {
  return mallocTuned;
}
