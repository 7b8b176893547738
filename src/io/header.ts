// The safetensors header: parsing and validating the JSON that describes each tensor, treating the
// file as hostile (sizes, UTF-8, duplicate keys, dtypes, shapes, offsets, coverage of the data section).
import { ChainruleError } from "../util/errors.js";
import { ST_DTYPE_SIZES, isStDType, type StDType } from "./dtypes.js";

/** The largest header accepted (the reference implementation's limit). */
export const MAX_HEADER_BYTES = 100_000_000;

/** One tensor's entry in the header, offsets relative to the data section. */
export interface HeaderEntry {
  name: string;
  dtype: StDType;
  shape: number[];
  begin: number;
  end: number;
}

export interface Header {
  metadata: Record<string, string>;
  entries: HeaderEntry[];
}

export function fail(message: string): never {
  throw new ChainruleError("safetensors", message);
}

/** The first key repeated within one JSON object (anywhere in `json`, which is valid JSON), or null. */
function duplicateKey(json: string): string | null {
  const stack: (Set<string> | null)[] = [];
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === "{") stack.push(new Set());
    else if (c === "[") stack.push(null);
    else if (c === "}" || c === "]") stack.pop();
    else if (c === '"') {
      let j = i + 1;
      while (json[j] !== '"') j += json[j] === "\\" ? 2 : 1;
      const text = JSON.parse(json.slice(i, j + 1)) as string;
      i = j;
      let k = j + 1;
      while (json[k] === " " || json[k] === "\t" || json[k] === "\n" || json[k] === "\r") k++;
      const keys = stack[stack.length - 1];
      if (json[k] === ":" && keys) {
        if (keys.has(text)) return text;
        keys.add(text);
      }
    }
  }
  return null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isIndex(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

/** Validates one tensor entry; the byte count must equal numel × element size, without overflow. */
function entry(name: string, v: unknown, dataLength: number): HeaderEntry {
  const where = `tensor '${name}'`;
  if (!isObject(v)) fail(`${where}: expected an object with dtype, shape and data_offsets`);
  const { dtype, shape, data_offsets: offsets } = v;
  if (typeof dtype !== "string" || !isStDType(dtype))
    fail(
      `${where}: unknown dtype ${JSON.stringify(dtype)} (expected one of ${Object.keys(ST_DTYPE_SIZES).join(", ")})`,
    );
  if (!Array.isArray(shape) || !shape.every(isIndex))
    fail(`${where}: shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex) || offsets[0] > offsets[1])
    fail(
      `${where}: data_offsets must be [begin, end], integers with 0 ≤ begin ≤ end < 2^53, got ${JSON.stringify(offsets)}`,
    );
  const [begin, end] = offsets as [number, number];
  if (end > dataLength)
    fail(
      `${where}: data_offsets [${begin}, ${end}] run past the data section of ${dataLength} bytes (truncated file?)`,
    );
  const span = end - begin;
  let bytes = shape.includes(0) ? 0 : ST_DTYPE_SIZES[dtype];
  for (const d of bytes === 0 ? [] : shape) if ((bytes *= d) > Number.MAX_SAFE_INTEGER) break; // stays exact
  if (bytes !== span)
    fail(
      `${where}: shape [${shape.join(",")}] of ${dtype} needs ` +
        `${bytes > Number.MAX_SAFE_INTEGER ? "more than 2^53" : bytes} bytes but data_offsets span ${span}`,
    );
  return { name, dtype, shape, begin, end };
}

/** The entries sorted by offset must tile the data section exactly: no gap, no overlap, no trailing bytes. */
function checkTiling(entries: HeaderEntry[], dataLength: number): void {
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let last = "the start of the data section";
  for (const e of entries) {
    if (e.begin < at)
      fail(`tensor '${e.name}' overlaps ${last}: it begins at byte ${e.begin}, before byte ${at}`);
    if (e.begin > at)
      fail(`bytes ${at}..${e.begin} of the data section belong to no tensor (before '${e.name}')`);
    at = e.end;
    last = `tensor '${e.name}'`;
  }
  if (at !== dataLength)
    fail(
      `the data section has ${dataLength} bytes but the tensors cover ${at}: ${dataLength - at} trailing bytes`,
    );
}

/** Parses and validates the header bytes against the size of the data section that follows them. */
export function parseHeader(bytes: Uint8Array, dataLength: number): Header {
  let json: string;
  try {
    json = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    fail("the header is not valid UTF-8");
  }
  if (json[0] !== "{")
    fail(`the header must be a JSON object starting with '{', got ${JSON.stringify(json.slice(0, 20))}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (e) {
    fail(`the header is not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(parsed)) fail("the header must be a JSON object");
  const dup = duplicateKey(json);
  if (dup !== null) fail(`the header repeats the key ${JSON.stringify(dup)}`);
  const entries: HeaderEntry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, v] of Object.entries(parsed)) {
    if (name !== "__metadata__") {
      entries.push(entry(name, v, dataLength));
      continue;
    }
    if (!isObject(v) || !Object.values(v).every((s) => typeof s === "string"))
      fail("__metadata__ must map strings to strings");
    metadata = Object.fromEntries(Object.entries(v)) as Record<string, string>;
  }
  checkTiling(entries, dataLength);
  return { metadata, entries };
}
