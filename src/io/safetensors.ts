// The safetensors format on byte arrays (browsers and Node alike): serialize tensors and string
// metadata into one Uint8Array, and deserialize one after validating every field of its header.
import { Tensor } from "../tensor/tensor.js";
import { ChainruleError } from "../util/errors.js";
import { decode, ST_DTYPE_SIZES, WRITE_DTYPE, type WideInts } from "./dtypes.js";
import { fail, MAX_HEADER_BYTES, parseHeader } from "./header.js";

/** Tensors by name with the file's `__metadata__` (string → string). */
export interface SafetensorsContent {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

/** Options for reading. */
export interface ReadOptions {
  /**
   * How U32/I64/U64 tensors are read: "int32" (default; a value outside int32 is an error) or
   * "float64" (exact up to 2^53; larger values that float64 cannot hold exactly are an error).
   */
  wideInts?: WideInts;
}

function checkWrite(tensors: Record<string, Tensor>, metadata: Record<string, string>): void {
  for (const [name, t] of Object.entries(tensors)) {
    if (name === "__metadata__")
      throw new ChainruleError("serialize", "'__metadata__' is reserved and cannot name a tensor");
    if (!(t instanceof Tensor)) throw new ChainruleError("serialize", `'${name}' is not a Tensor`);
  }
  for (const [k, v] of Object.entries(metadata))
    if (typeof v !== "string")
      throw new ChainruleError(
        "serialize",
        `metadata values must be strings; '${k}' is ${typeof v} (JSON.stringify it)`,
      );
}

/**
 * Encodes tensors (float32 → F32, float64 → F64, int32 → I32, bool → BOOL) and optional string
 * metadata in the safetensors format: an 8-byte little-endian header length, a JSON header padded
 * with spaces to a multiple of 8 bytes, then each tensor's row-major little-endian bytes, ordered
 * by element size (largest first) and name, as the reference implementation writes them.
 */
export function serialize(
  tensors: Record<string, Tensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  checkWrite(tensors, metadata);
  const items = Object.entries(tensors)
    .map(([name, t]) => ({ name, st: WRITE_DTYPE[t.dtype], shape: [...t.shape], data: t.toTypedArray() }))
    .sort(
      (a, b) =>
        ST_DTYPE_SIZES[b.st] - ST_DTYPE_SIZES[a.st] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    );
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const it of items) {
    const n = it.data.byteLength;
    Object.defineProperty(header, it.name, {
      value: { dtype: it.st, shape: it.shape, data_offsets: [offset, offset + n] },
      enumerable: true,
    });
    offset += n;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const withPad = new Uint8Array(padded).fill(0x20);
    withPad.set(json);
    json = withPad;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const it of items) {
    out.set(new Uint8Array(it.data.buffer, it.data.byteOffset, it.data.byteLength), at);
    at += it.data.byteLength;
  }
  return out;
}

/** Reads and checks the 8-byte header length against the limit and the file size. */
export function headerLength(prefix: Uint8Array, fileSize: number): number {
  if (fileSize < 8) fail(`the file has ${fileSize} bytes, fewer than the 8-byte header length (truncated?)`);
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES))
    fail(`the header length ${n} exceeds the limit of ${MAX_HEADER_BYTES} bytes`);
  if (n < 2n) fail(`the header length ${n} is too small to hold a JSON object`);
  if (8n + n > BigInt(fileSize))
    fail(`the header length ${n} runs past the end of the file (${fileSize} bytes; truncated?)`);
  return Number(n);
}

/**
 * Decodes a safetensors buffer after validating it: header length within 100 MB and the buffer,
 * UTF-8 JSON object without repeated keys, string-to-string `__metadata__`, known dtypes,
 * non-negative integer shapes, byte counts equal to numel × element size, and offsets that tile
 * the data section exactly (no overlap, gap or trailing bytes). F16/BF16/F8 become float32,
 * 8/16-bit integers int32, U32/I64/U64 int32 or float64 (see ReadOptions), BOOL bool.
 */
export function deserialize(buffer: Uint8Array, opts: ReadOptions = {}): SafetensorsContent {
  const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength); // a Buffer's slice() shares
  const n = headerLength(bytes, bytes.length);
  const data = bytes.subarray(8 + n);
  const { metadata, entries } = parseHeader(bytes.subarray(8, 8 + n), data.length);
  const tensors = Object.fromEntries(
    entries.map((e) => {
      const { dtype, data: values } = decode(
        e.name,
        e.dtype,
        data.subarray(e.begin, e.end),
        opts.wideInts ?? "int32",
      );
      return [e.name, Tensor.fromData(values, e.shape, dtype)];
    }),
  );
  return { tensors, metadata };
}
