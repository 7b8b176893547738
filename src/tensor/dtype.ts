// Data types and their storage arrays: float32 (default), float64, int32 (indices, labels), bool.
import type { TypedArray } from "../backend/backend.js";

export type DType = "float32" | "float64" | "int32" | "bool";

export const DTYPES: readonly DType[] = ["float32", "float64", "int32", "bool"];

export function allocate(dtype: DType, n: number): TypedArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(n);
    case "float64":
      return new Float64Array(n);
    case "int32":
      return new Int32Array(n);
    case "bool":
      return new Uint8Array(n);
    default:
      return dtype satisfies never;
  }
}

// Op outputs of 2 elements to 512 B are views into shared 4 KiB chunks: V8 gives every typed array over
// 64 bytes its own off-heap store (≈0.5 µs to make and again to collect), an on-heap one costs ≈60 ns,
// a view ≈25 ns. Chunks start zero-filled and are never reused; one lives until no tensor views it, so
// a small tensor kept for long holds at most 4 KiB (≥ 8 views per chunk keep the saving; 64 KiB chunks
// measured the same). Single elements (a loss, a metric: what callers keep) get arrays of their own.
const CHUNK = 1 << 12;
let chunk: ArrayBuffer | null = null;
let used = CHUNK;

/** A zero-filled array for an op's output (pooled when small, see above). */
export function allocateOutput(dtype: DType, n: number): TypedArray {
  const bytes = dtype === "float64" ? 8 * n : dtype === "bool" ? n : 4 * n;
  if (n <= 1 || bytes > 512) return allocate(dtype, n);
  if (used + bytes > CHUNK) [chunk, used] = [new ArrayBuffer(CHUNK), 0];
  const at = used;
  used += (bytes + 15) & ~15; // 16-byte aligned views
  const buf = chunk as ArrayBuffer;
  if (dtype === "float32") return new Float32Array(buf, at, n);
  if (dtype === "float64") return new Float64Array(buf, at, n);
  return dtype === "int32" ? new Int32Array(buf, at, n) : new Uint8Array(buf, at, n);
}

// Node's Buffer.allocUnsafeSlow: malloc'd memory, no zero fill (calloc's fill of a 512 KiB matmul output
// took ~40 µs, 2% of a batch-256 MLP forward). Absent in browsers, where outputs stay zero-filled.
const unfilled = (globalThis as { Buffer?: { allocUnsafeSlow(size: number): Uint8Array } }).Buffer;

/**
 * For an output whose kernel writes every element (products, elementwise ops, casts): from 16 KiB up
 * (in Node), not zero-filled.
 */
export function allocateUnfilled(dtype: DType, n: number): TypedArray {
  const bytes = dtype === "float64" ? 8 * n : 4 * n;
  if (unfilled === undefined || bytes < 1 << 14 || !isFloat(dtype)) return allocateOutput(dtype, n);
  const i = spare.findIndex((b) => b.byteLength === bytes);
  const buf = i >= 0 ? spare.splice(i, 1)[0] : unfilled.allocUnsafeSlow(bytes).buffer;
  return dtype === "float32" ? new Float32Array(buf, 0, n) : new Float64Array(buf, 0, n);
}

// Stores of outputs that their maker knows to be dead (the intermediate results of nn.Sequential's
// inference chain of Linear layers), reused by the next unfilled output of the same size while they are
// still in cache: a fresh 512 KiB output is written through to cold memory (W4 batch 256: 2-4%).
const spare: ArrayBuffer[] = [];

/** Hands back an unfilled output's store that nothing references any more (the last 4 are kept). */
export function recycle(data: TypedArray): void {
  const buf = data.buffer as ArrayBuffer;
  if (unfilled === undefined || data.byteOffset !== 0 || data.byteLength !== buf.byteLength) return;
  if (buf.byteLength >= 1 << 14 && spare.push(buf) > 4) spare.shift();
}

export function dtypeOf(data: TypedArray): DType {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Float64Array) return "float64";
  if (data instanceof Int32Array) return "int32";
  return "bool";
}

export function isFloat(dtype: DType): boolean {
  return dtype === "float32" || dtype === "float64";
}

/** The result type of a binary op (PyTorch's promotion, restricted to our four types). */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  if (a === "float64" || b === "float64") return "float64";
  if (a === "float32" || b === "float32") return "float32";
  return "int32";
}
