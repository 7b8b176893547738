// safetensors element types: their sizes, and decoding their little-endian bytes into chainrule's
// dtypes (widening where exact: F16/BF16/F8 → float32, small integers → int32; wide integers checked).
import type { TypedArray } from "../backend/backend.js";
import type { DType } from "../tensor/dtype.js";
import { ChainruleError } from "../util/errors.js";

/** The element types of the safetensors format and their sizes in bytes. */
export const ST_DTYPE_SIZES = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
} as const;

export type StDType = keyof typeof ST_DTYPE_SIZES;

/** The safetensors type each chainrule dtype is written as. */
export const WRITE_DTYPE: Record<DType, StDType> = {
  float32: "F32",
  float64: "F64",
  int32: "I32",
  bool: "BOOL",
};

export function isStDType(s: string): s is StDType {
  return Object.prototype.hasOwnProperty.call(ST_DTYPE_SIZES, s);
}

/** How 32/64-bit integers that int32 may not hold (U32, I64, U64) are read. */
export type WideInts = "int32" | "float64";

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reinterprets little-endian bytes as a typed array (copying them so that the result is aligned). */
export function view<A>(bytes: Uint8Array, make: (b: ArrayBuffer) => A): A {
  if (!LITTLE_ENDIAN) throw new ChainruleError("safetensors", "big-endian hosts are not supported");
  const copy = new Uint8Array(bytes.length); // not bytes.slice(): on a Node Buffer that is a view
  copy.set(bytes);
  return make(copy.buffer);
}

/** The float value of an IEEE-like minifloat with `e` exponent and `m` mantissa bits (no infinities if !inf). */
function minifloat(bits: number, e: number, m: number, inf: boolean): number {
  const sign = bits >> (e + m) ? -1 : 1;
  const exp = (bits >> m) & ((1 << e) - 1);
  const frac = bits & ((1 << m) - 1);
  const bias = (1 << (e - 1)) - 1;
  if (exp === 0) return sign * frac * 2 ** (1 - bias - m);
  if (inf && exp === (1 << e) - 1) return frac ? NaN : sign * Infinity;
  if (!inf && exp === (1 << e) - 1 && frac === (1 << m) - 1) return NaN; // E4M3FN: only S.1111.111 is NaN
  return sign * (1 + frac / (1 << m)) * 2 ** (exp - bias);
}

/** A plain loop: Float32Array.from with a map function is many times slower. */
function mapToF32(src: Uint8Array | Uint16Array, f: (v: number) => number): Float32Array {
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = f(src[i]);
  return out;
}

const F16_TABLE = Float32Array.from({ length: 65536 }, (_, b) => minifloat(b, 5, 10, true));

function wideToInt(
  name: string,
  values: ArrayLike<number | bigint>,
  mode: WideInts,
  st: StDType,
): TypedArray {
  const out = mode === "int32" ? new Int32Array(values.length) : new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const x = Number(v);
    const fits = mode === "int32" ? x >= -(2 ** 31) && x < 2 ** 31 : typeof v === "number" || BigInt(x) === v;
    if (!fits)
      throw new ChainruleError(
        "safetensors",
        `tensor '${name}' (${st}) holds ${v} at element ${i}, which ${mode} cannot represent exactly` +
          (mode === "int32" ? "; read it with { wideInts: 'float64' }" : ""),
      );
    out[i] = x;
  }
  return out;
}

/** Decodes the bytes of tensor `name` (validated length) into a chainrule dtype and typed array. */
export function decode(
  name: string,
  st: StDType,
  bytes: Uint8Array,
  wideInts: WideInts,
): { dtype: DType; data: TypedArray } {
  const int = (a: Uint8Array | Int8Array | Int16Array | Uint16Array): { dtype: DType; data: TypedArray } => ({
    dtype: "int32",
    data: new Int32Array(a),
  });
  const wide = (a: ArrayLike<number | bigint>): { dtype: DType; data: TypedArray } => ({
    dtype: wideInts,
    data: wideToInt(name, a, wideInts, st),
  });
  switch (st) {
    case "F32":
      return { dtype: "float32", data: view(bytes, (b) => new Float32Array(b)) };
    case "F64":
      return { dtype: "float64", data: view(bytes, (b) => new Float64Array(b)) };
    case "I32":
      return { dtype: "int32", data: view(bytes, (b) => new Int32Array(b)) };
    case "BOOL": {
      const bad = bytes.findIndex((v) => v > 1);
      if (bad >= 0)
        throw new ChainruleError(
          "safetensors",
          `tensor '${name}' (BOOL) holds byte ${bytes[bad]} at element ${bad}; expected 0 or 1`,
        );
      return { dtype: "bool", data: view(bytes, (b) => new Uint8Array(b)) };
    }
    case "U8":
      return int(bytes);
    case "I8":
      return int(view(bytes, (b) => new Int8Array(b)));
    case "I16":
      return int(view(bytes, (b) => new Int16Array(b)));
    case "U16":
      return int(view(bytes, (b) => new Uint16Array(b)));
    case "U32":
      return wide(view(bytes, (b) => new Uint32Array(b)));
    case "I64":
      return wide(view(bytes, (b) => new BigInt64Array(b)));
    case "U64":
      return wide(view(bytes, (b) => new BigUint64Array(b)));
    case "F16":
      return {
        dtype: "float32",
        data: mapToF32(
          view(bytes, (b) => new Uint16Array(b)),
          (h) => F16_TABLE[h],
        ),
      };
    case "BF16": {
      const halves = view(bytes, (b) => new Uint16Array(b));
      const bits = new Uint32Array(halves.length);
      for (let i = 0; i < halves.length; i++) bits[i] = halves[i] << 16;
      return { dtype: "float32", data: new Float32Array(bits.buffer) };
    }
    case "F8_E5M2":
      return { dtype: "float32", data: mapToF32(bytes, (v) => minifloat(v, 5, 2, true)) };
    case "F8_E4M3":
      return { dtype: "float32", data: mapToF32(bytes, (v) => minifloat(v, 4, 3, false)) };
    default:
      return st satisfies never;
  }
}
