// Creating tensors: from nested arrays or typed arrays, constant fills, ranges, and seeded random draws.
import type { TypedArray } from "../backend/backend.js";
import { ChainruleError, check, fmtShape } from "../util/errors.js";
import { nextNormal, nextUint32, nextUniform } from "../util/random.js";
import { checkShape, numel } from "../util/shape.js";
import { DTYPES, allocate, dtypeOf, isFloat, type DType } from "./dtype.js";
import { Tensor } from "./tensor.js";

export interface CreateOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

type NestedInput = number | boolean | readonly NestedInput[];

function finish(
  op: string,
  data: TypedArray,
  shape: readonly number[],
  dtype: DType,
  opts: CreateOptions,
  shared = false,
): Tensor {
  const t = Tensor.fromData(data, shape, dtype, shared);
  if (opts.requiresGrad) {
    check(isFloat(dtype), op, () => `only floating-point tensors can require gradients, got dtype ${dtype}`);
    t.requiresGrad = true;
  }
  return t;
}

function dtypeArg(op: string, dtype: DType | undefined, fallback: DType): DType {
  if (dtype === undefined) return fallback;
  check(DTYPES.includes(dtype), op, () => `unknown dtype '${dtype}' (expected one of ${DTYPES.join(", ")})`);
  return dtype;
}

/**
 * A tensor from nested arrays (float32 unless `dtype` says otherwise; booleans give bool), a typed
 * array (its own dtype, no copy), or a number (a 0-d tensor).
 */
export function tensor(
  data: NestedInput | TypedArray,
  opts: CreateOptions & { shape?: readonly number[] } = {},
): Tensor {
  if (ArrayBuffer.isView(data)) {
    const arr = data as TypedArray;
    const src = dtypeOf(arr);
    const dtype = dtypeArg("tensor", opts.dtype, src);
    const shape = opts.shape ?? [arr.length];
    checkShape("tensor", shape);
    check(
      numel(shape) === arr.length,
      "tensor",
      () => `shape ${fmtShape(shape)} does not match ${arr.length} elements`,
    );
    const out = dtype === src ? arr : allocate(dtype, arr.length);
    if (out !== arr) for (let i = 0; i < arr.length; i++) out[i] = toDType(arr[i], dtype);
    return finish("tensor", out, shape, dtype, opts, out === arr);
  }
  const shape: number[] = [];
  let probe: NestedInput = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = (probe as readonly NestedInput[])[0];
  }
  const dtype = dtypeArg("tensor", opts.dtype, typeof probe === "boolean" ? "bool" : "float32");
  const out = allocate(dtype, numel(shape));
  let k = 0;
  const walk = (x: NestedInput, dim: number, path: number[]): void => {
    if (dim === shape.length) {
      if (typeof x !== "number" && typeof x !== "boolean")
        throw new ChainruleError("tensor", `expected a number at [${path}], got ${describe(x)}`);
      if (dtype === "int32" && !Number.isInteger(Number(x)))
        throw new ChainruleError("tensor", `int32 tensor got non-integer ${x} at [${path}]`);
      out[k++] = toDType(Number(x), dtype);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[dim])
      throw new ChainruleError(
        "tensor",
        `ragged nested array: expected length ${shape[dim]} at [${path}], got ${describe(x)}`,
      );
    x.forEach((v: NestedInput, i: number) => walk(v, dim + 1, [...path, i]));
  };
  walk(data, 0, []);
  return finish("tensor", out, shape, dtype, opts);
}

/** A bool stores 1 for any nonzero (or NaN) value, as PyTorch's bool(); other types store the value. */
function toDType(v: number, dtype: DType): number {
  return dtype === "bool" ? (v !== 0 ? 1 : 0) : v;
}

function describe(x: unknown): string {
  return Array.isArray(x) ? `an array of length ${x.length}` : (JSON.stringify(x) ?? String(x));
}

export function full(shape: readonly number[], value: number, opts: CreateOptions = {}): Tensor {
  checkShape("full", shape);
  const dtype = dtypeArg("full", opts.dtype, "float32");
  return finish("full", allocate(dtype, numel(shape)).fill(toDType(value, dtype)), shape, dtype, opts);
}
export const zeros = (shape: readonly number[], opts: CreateOptions = {}): Tensor => full(shape, 0, opts);
export const ones = (shape: readonly number[], opts: CreateOptions = {}): Tensor => full(shape, 1, opts);
export const scalar = (value: number, opts: CreateOptions = {}): Tensor => full([], value, opts);

/** Values start, start+step, … below end (`arange(n)` counts 0..n-1). */
export function arange(start: number, end?: number, step = 1, opts: CreateOptions = {}): Tensor {
  if (end === undefined) [start, end] = [0, start];
  check(
    step !== 0 && Number.isFinite(step),
    "arange",
    () => `step must be a non-zero finite number, got ${step}`,
  );
  const n = Math.max(0, Math.ceil((end - start) / step));
  const dtype = dtypeArg("arange", opts.dtype, "float32");
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return finish("arange", data, [n], dtype, opts);
}

export function linspace(start: number, end: number, steps: number, opts: CreateOptions = {}): Tensor {
  check(
    Number.isInteger(steps) && steps >= 0,
    "linspace",
    () => `steps must be a non-negative integer, got ${steps}`,
  );
  const dtype = dtypeArg("linspace", opts.dtype, "float32");
  const data = allocate(dtype, steps);
  for (let i = 0; i < steps; i++) data[i] = steps === 1 ? start : start + ((end - start) * i) / (steps - 1);
  return finish("linspace", data, [steps], dtype, opts);
}

export function eye(n: number, m = n, opts: CreateOptions = {}): Tensor {
  checkShape("eye", [n, m]);
  const dtype = dtypeArg("eye", opts.dtype, "float32");
  const data = allocate(dtype, n * m);
  for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = 1;
  return finish("eye", data, [n, m], dtype, opts);
}

function random(op: string, shape: readonly number[], opts: CreateOptions, draw: () => number): Tensor {
  checkShape(op, shape);
  const dtype = dtypeArg(op, opts.dtype, "float32");
  const data = allocate(dtype, numel(shape));
  for (let i = 0; i < data.length; i++) data[i] = draw();
  return finish(op, data, shape, dtype, opts);
}

/** Uniform on [0, 1), from the seeded stream (see manualSeed). */
export const rand = (shape: readonly number[], opts: CreateOptions = {}): Tensor =>
  random("rand", shape, opts, nextUniform);
/** Standard normal, from the seeded stream. */
export const randn = (shape: readonly number[], opts: CreateOptions = {}): Tensor =>
  random("randn", shape, opts, nextNormal);

/** Integers uniform in [low, high) (int32 unless `dtype` says otherwise). */
export function randint(
  low: number,
  high: number,
  shape: readonly number[],
  opts: CreateOptions = {},
): Tensor {
  check(
    Number.isInteger(low) && Number.isInteger(high) && high > low,
    "randint",
    () => `expected integers low < high, got low=${low}, high=${high}`,
  );
  const span = high - low;
  return random("randint", shape, { dtype: "int32", ...opts }, () => low + (nextUint32() % span));
}

/** A random permutation of 0..n-1 (int32). */
export function randperm(n: number): Tensor {
  checkShape("randperm", [n]);
  const data = new Int32Array(n);
  for (let i = 0; i < n; i++) data[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = nextUint32() % (i + 1);
    [data[i], data[j]] = [data[j], data[i]];
  }
  return Tensor.fromData(data, [n], "int32");
}

const like = (t: Tensor, opts: CreateOptions): CreateOptions => ({ dtype: t.dtype, ...opts });
export const zerosLike = (t: Tensor, opts: CreateOptions = {}): Tensor => zeros(t.shape, like(t, opts));
export const onesLike = (t: Tensor, opts: CreateOptions = {}): Tensor => ones(t.shape, like(t, opts));
export const fullLike = (t: Tensor, v: number, opts: CreateOptions = {}): Tensor =>
  full(t.shape, v, like(t, opts));
export const randLike = (t: Tensor, opts: CreateOptions = {}): Tensor => rand(t.shape, like(t, opts));
export const randnLike = (t: Tensor, opts: CreateOptions = {}): Tensor => randn(t.shape, like(t, opts));
