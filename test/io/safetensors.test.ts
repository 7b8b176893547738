// safetensors: round trips of every dtype, files written by other implementations (the reference
// samples, PyTorch), byte-identical output, and rejection of damaged or malicious files.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";

const { serialize, deserialize, saveFile, loadFile } = cr.io;
const fixtures = join(__dirname, "..", "fixtures");
const dir = mkdtempSync(join(tmpdir(), "chainrule-st-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A safetensors buffer from a header (object or raw JSON text) and a data section. */
function build(header: unknown, data: Uint8Array | number = 0, headerLength?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const body = typeof data === "number" ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + json.length + body.length);
  new DataView(out.buffer).setBigUint64(0, headerLength ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(body, 8 + json.length);
  return out;
}
const f32 = (n: number, begin = 0) => ({ dtype: "F32", shape: [n], data_offsets: [begin, begin + 4 * n] });
const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe("round trip", () => {
  it("keeps every dtype, shape and value, including 0-d, empty and non-contiguous tensors", () => {
    const tensors = {
      f: cr.tensor(Float32Array.from([1.5, -0, NaN, Infinity, -Infinity, 1e-45, 3.4028234663852886e38])),
      d: cr.tensor(Float64Array.from([Math.PI, -1e-300, 2 ** 53 + 2, Number.MIN_VALUE]), { shape: [2, 2] }),
      i: cr.tensor(Int32Array.from([-(2 ** 31), 2 ** 31 - 1, 0, 7, -7, 1]), { shape: [1, 2, 3] }),
      b: cr.tensor([[true, false], [false, true]]), // prettier-ignore
      scalar: cr.scalar(4.25, { dtype: "float64" }),
      empty: cr.zeros([0, 3], { dtype: "int32" }),
      transposed: cr.arange(6).reshape([2, 3]).t(),
      __proto__: cr.ones([1]),
      "ünïcødé.weight": cr.full([2], 3),
    };
    const meta = { note: "héllo ✓", empty: "", json: JSON.stringify({ a: [1, 2] }) };
    const back = deserialize(serialize(tensors, meta));
    expect(back.metadata).toEqual(meta);
    expect(Object.keys(back.tensors).sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, t] of Object.entries(tensors)) {
      const r = back.tensors[name];
      expect(r.dtype, name).toBe(t.dtype);
      expect(r.shape, name).toEqual(t.shape);
      expect(Object.is(r.toTypedArray()[1], t.toTypedArray()[1]), name).toBe(true);
      expect(r.toArray(), name).toEqual(t.toArray());
    }
    expect(back.tensors.transposed.toArray()).toEqual([[0, 3], [1, 4], [2, 5]]); // prettier-ignore
    expect(Object.getPrototypeOf(back.tensors)).toBe(Object.prototype);
  });

  it("writes the published layout: u64 LE header length, space-padded JSON, aligned tensors by size", () => {
    const bytes = serialize({
      a: cr.ones([3], { dtype: "int32" }),
      z: cr.ones([1], { dtype: "float64" }),
      m: cr.tensor([true]),
    });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header).toEqual({
      z: { dtype: "F64", shape: [1], data_offsets: [0, 8] },
      a: { dtype: "I32", shape: [3], data_offsets: [8, 20] },
      m: { dtype: "BOOL", shape: [1], data_offsets: [20, 21] },
    });
    expect(bytes.length).toBe(8 + n + 21);
    expect(bytes[8 + n + 20]).toBe(1);
  });

  it("matches the reference implementation's own serialization tests byte for byte", () => {
    const attn = cr.tensor([0, 1, 2, 3, 4, 5]).reshape([1, 2, 3]);
    // safetensors/src/tensor.rs, test_serialization
    const expected = [
      64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101,
      34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 50, 44, 51, 93, 44, 34,
      100, 97, 116, 97, 95, 111, 102, 102, 115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0,
      0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ];
    expect([...serialize({ "attn.0": attn })]).toEqual(expected);
    // test_empty, without and with metadata
    expect([...serialize({})]).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    const withMeta = serialize({}, { framework: "pt" });
    expect(new TextDecoder().decode(withMeta.subarray(8))).toBe('{"__metadata__":{"framework":"pt"}}     ');
    expect(withMeta[0]).toBe(40);
    // test_serialization_forced_alignement: header padded from 66 to 72 bytes with spaces
    const forced = serialize({ attn0: attn.reshape([1, 1, 2, 3]) });
    expect(forced[0]).toBe(72);
    expect([...forced.subarray(8 + 66, 8 + 72)]).toEqual([32, 32, 32, 32, 32, 32]);
  });

  it("saveFile/loadFile round trip through disk, replacing the old file and leaving no temporary file", () => {
    const path = join(dir, "weights.safetensors");
    saveFile(path, { w: cr.ones([2, 2]) }, { v: "1" });
    saveFile(path, { w: cr.full([3], 2) }, { v: "2" });
    const back = loadFile(path);
    expect(back.metadata).toEqual({ v: "2" });
    expect(back.tensors.w.toArray()).toEqual([2, 2, 2]);
    expect(readdirSync(dir).filter((f) => f.includes("weights"))).toEqual(["weights.safetensors"]);
    expect(() => saveFile(join(dir, "no-such-dir", "x.safetensors"), {})).toThrow(
      /saveFile: cannot write in/,
    );
    expect(() => loadFile(join(dir, "missing.safetensors"))).toThrow(
      /loadFile: cannot read .*missing\.safetensors/,
    );
  });

  it("byte-array functions need no Node built-ins (browsers); file functions say what they need", () => {
    const proc = process as unknown as { getBuiltinModule?: unknown };
    const saved = proc.getBuiltinModule;
    proc.getBuiltinModule = undefined;
    try {
      expect(deserialize(serialize({ a: cr.ones([2]) })).tensors.a.toArray()).toEqual([1, 1]);
      expect(() => loadFile("x.safetensors")).toThrow(
        /^loadFile: needs Node\.js ≥ 20\.16 to reach the file system/,
      );
      expect(() => saveFile(join(dir, "x.safetensors"), {})).toThrow(/^saveFile: needs Node\.js/);
      expect(() => cr.data.loadCsv("x.csv")).toThrow(/^loadCsv: needs Node\.js/);
    } finally {
      proc.getBuiltinModule = saved;
    }
  });

  it("refuses to write what the format cannot hold", () => {
    expect(() => serialize({ __metadata__: cr.ones([1]) })).toThrow(/'__metadata__' is reserved/);
    expect(() => serialize({}, { n: 3 as unknown as string })).toThrow(
      /metadata values must be strings; 'n' is number/,
    );
    expect(() => serialize({ x: [1, 2] as unknown as cr.Tensor })).toThrow(/'x' is not a Tensor/);
  });
});

describe("files written by other implementations", () => {
  const values = readFileSync(join(fixtures, "safetensors", "values.txt"), "utf8")
    .trim()
    .split("\n")
    .map((line) => {
      const [name, dtype, shape, ...rest] = line.split(" ");
      return {
        name,
        dtype,
        shape: JSON.parse(shape) as number[],
        values: JSON.parse(rest.join(" ")) as number[],
      };
    });

  it("reads every reference sample file with the right values and metadata", () => {
    const files = readdirSync(join(fixtures, "safetensors")).filter((f) => f.endsWith(".safetensors"));
    expect(files.length).toBe(10);
    for (const file of files) {
      const { tensors, metadata } = loadFile(join(fixtures, "safetensors", file), { wideInts: "float64" });
      expect(metadata).toEqual({ test: "a" });
      const expected =
        file === "overall.safetensors" ? values : values.filter((v) => `${v.name}.safetensors` === file);
      expect(Object.keys(tensors).sort(), file).toEqual(expected.map((v) => v.name).sort());
      for (const v of expected) {
        const t = tensors[v.name];
        expect(t.shape, `${file}:${v.name}`).toEqual(v.shape);
        expect(t.toArray(), `${file}:${v.name}`).toEqual(v.values);
        const want = v.dtype.startsWith("F")
          ? v.dtype === "F64"
            ? "float64"
            : "float32"
          : v.dtype === "U32"
            ? "float64"
            : "int32";
        expect(t.dtype, `${file}:${v.name}`).toBe(want);
      }
    }
  });

  it("refuses U32 values above int32 unless asked to read wide integers as float64", () => {
    const path = join(fixtures, "safetensors", "I.safetensors");
    expect(() => loadFile(path)).toThrow(
      /I\.safetensors: tensor 'I' \(U32\) holds 4294967293 at element 0, which int32 cannot represent exactly; read it with \{ wideInts: 'float64' \}/,
    );
    expect(loadFile(path, { wideInts: "float64" }).tensors.I.toArray()).toEqual([
      4294967293, 4294967294, 4294967295, 0, 1, 2,
    ]);
  });

  it("reads a file written from PyTorch (scripts/make-torch-safetensors-fixture.py)", () => {
    const base = join(fixtures, "safetensors-torch", "torch-sample");
    const expected = JSON.parse(readFileSync(`${base}.json`, "utf8")) as {
      metadata: Record<string, string>;
      tensors: Record<string, { dtype: string; shape: number[]; values: (string | boolean)[] }>;
    };
    const { tensors, metadata } = loadFile(`${base}.safetensors`);
    expect(metadata).toEqual(expected.metadata);
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(expected.tensors).sort());
    const ours: Record<string, string> = { F64: "float64", F32: "float32", F16: "float32", BF16: "float32" };
    const num = (s: string) => (s === "inf" ? Infinity : s === "-inf" ? -Infinity : Number(s));
    for (const [name, e] of Object.entries(expected.tensors)) {
      const t = tensors[name];
      expect(t.shape, name).toEqual(e.shape);
      expect(t.dtype, name).toBe(e.dtype === "BOOL" ? "bool" : (ours[e.dtype] ?? "int32"));
      const got = [...t.toTypedArray()];
      const want = e.values.map((v) => (typeof v === "boolean" ? Number(v) : num(v)));
      got.forEach((g, i) => expect(Object.is(g, want[i]), `${name}[${i}]: ${g} vs ${want[i]}`).toBe(true));
      expect(got.length).toBe(want.length);
    }
  });
});

describe("decoding of types chainrule does not store", () => {
  const one = (dtype: string, data: number[] | ArrayBufferView, shape = [-1]) => {
    const bytes = ArrayBuffer.isView(data) ? bytesOf(data) : Uint8Array.from(data);
    const n = shape[0] === -1 ? bytes.length / cr.io.ST_DTYPE_SIZES[dtype as cr.io.StDType] : shape[0];
    return (opts = {}) =>
      deserialize(build({ t: { dtype, shape: [n], data_offsets: [0, bytes.length] } }, bytes), opts).tensors
        .t;
  };

  it("F16 and BF16: exact float32 values, with infinities, NaN and subnormals", () => {
    const half = one("F16", Uint16Array.from([0x3c00, 0xc000, 0x7c00, 0xfc00, 0x0001, 0x7bff, 0x8000]))();
    expect(half.dtype).toBe("float32");
    expect([...half.toTypedArray()]).toEqual([1, -2, Infinity, -Infinity, 2 ** -24, 65504, -0]);
    expect(Number.isNaN(one("F16", Uint16Array.from([0x7e00]))().item())).toBe(true);
    const bf = one("BF16", Uint16Array.from([0x3f80, 0xc0a0, 0x7f80, 0x0001]))();
    expect([...bf.toTypedArray()]).toEqual([1, -5, Infinity, 2 ** -133]);
  });

  it("F8 E4M3 (fn: no infinities, 448 max) and E5M2", () => {
    const e4 = one("F8_E4M3", [0x38, 0x7e, 0xfe, 0x01, 0x08])();
    expect([...e4.toTypedArray()]).toEqual([1, 448, -448, 2 ** -9, 2 ** -6]);
    expect(Number.isNaN(one("F8_E4M3", [0x7f])().item())).toBe(true);
    const e5 = one("F8_E5M2", [0x3c, 0x7b, 0x7c, 0xfc, 0x01])();
    expect([...e5.toTypedArray()]).toEqual([1, 57344, Infinity, -Infinity, 2 ** -16]);
  });

  it("I64 and U64: int32 when they fit, else an error or float64 when exact", () => {
    const small = one("I64", BigInt64Array.from([-5n, 2147483647n, -2147483648n]))();
    expect(small.dtype).toBe("int32");
    expect(small.toArray()).toEqual([-5, 2147483647, -2147483648]);
    const big = one("I64", BigInt64Array.from([1n, 2n ** 40n]));
    expect(() => big()).toThrow(
      /tensor 't' \(I64\) holds 1099511627776 at element 1, which int32 cannot represent/,
    );
    expect(big({ wideInts: "float64" }).toArray()).toEqual([1, 2 ** 40]);
    const huge = one("U64", BigUint64Array.from([2n ** 53n + 1n]));
    expect(() => huge({ wideInts: "float64" })).toThrow(
      /holds 9007199254740993 at element 0, which float64 cannot represent exactly/,
    );
  });

  it("BOOL bytes must be 0 or 1", () => {
    expect(one("BOOL", [1, 0, 1])().toArray()).toEqual([true, false, true]);
    expect(() => one("BOOL", [1, 2])()).toThrow(
      /tensor 't' \(BOOL\) holds byte 2 at element 1; expected 0 or 1/,
    );
  });
});

describe("rejection of damaged and malicious files", () => {
  const good = serialize({ a: cr.ones([4]), b: cr.ones([2], { dtype: "int32" }) });
  const reject = (bytes: Uint8Array, message: RegExp) => expect(() => deserialize(bytes)).toThrow(message);

  it("truncated files: at every cut the reader refuses with a clear error", () => {
    reject(good.subarray(0, 5), /the file has 5 bytes, fewer than the 8-byte header length/);
    reject(
      good.subarray(0, 20),
      /the header length \d+ runs past the end of the file \(20 bytes; truncated\?\)/,
    );
    reject(good.subarray(0, good.length - 1), /run past the data section of 23 bytes \(truncated file\?\)/);
    for (let cut = 0; cut < good.length; cut++)
      expect(() => deserialize(good.subarray(0, cut))).toThrow(/safetensors: /);
    expect(deserialize(good).tensors.a.toArray()).toEqual([1, 1, 1, 1]);
  });

  it("a huge header length is refused before anything is allocated", () => {
    const before = process.memoryUsage().arrayBuffers;
    reject(
      build({}, 0, 2n ** 63n),
      /the header length 9223372036854775808 exceeds the limit of 100000000 bytes/,
    );
    reject(build({}, 0, 99_999_999n), /the header length 99999999 runs past the end of the file/);
    // a header that promises an enormous tensor in a tiny file
    reject(
      build({ t: { dtype: "F64", shape: [1e7, 1e8], data_offsets: [0, 8e15] } }, 8),
      /data_offsets \[0, 8000000000000000\] run past the data section of 8 bytes/,
    );
    reject(
      build({ t: { dtype: "F64", shape: [1e9, 1e9], data_offsets: [0, 8e18] } }, 8),
      /integers with 0 ≤ begin ≤ end < 2\^53/,
    );
    reject(
      build({ t: { dtype: "F64", shape: [1e15, 1e15, 1e15], data_offsets: [0, 8] } }, 8),
      /shape \[1000000000000000,1000000000000000,1000000000000000\] of F64 needs more than 2\^53 bytes but data_offsets span 8/,
    );
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
  });

  it("corrupted headers: not UTF-8, not JSON, not an object, repeated keys, bad metadata", () => {
    const h = build("{}  ");
    h[9] = 0xff;
    reject(h, /the header is not valid UTF-8/);
    reject(build('{"a": {"dtype": "F32", "shape": [1], '), /the header is not valid JSON/);
    reject(build('  {"a": 1}'), /the header must be a JSON object starting with '\{'/);
    reject(build("[1, 2]"), /starting with '\{'/);
    reject(
      build('{"a": ' + JSON.stringify(f32(1)) + ', "a": ' + JSON.stringify(f32(1)) + "}", 4),
      /repeats the key "a"/,
    );
    reject(
      build('{"a": {"dtype": "F32", "dtype": "I32", "shape": [1], "data_offsets": [0, 4]}}', 4),
      /repeats the key "dtype"/,
    );
    reject(
      build('{"\\u0061": ' + JSON.stringify(f32(1)) + ', "a": ' + JSON.stringify(f32(1)) + "}", 4),
      /repeats the key "a"/,
    );
    reject(build({ __metadata__: { a: 1 } }), /__metadata__ must map strings to strings/);
    reject(build({ __metadata__: "x" }), /__metadata__ must map strings to strings/);
    reject(build({ a: 5 }), /tensor 'a': expected an object with dtype, shape and data_offsets/);
  });

  it("bad dtypes and shapes", () => {
    reject(
      build({ a: { ...f32(1), dtype: "F128" } }, 4),
      /tensor 'a': unknown dtype "F128" \(expected one of BOOL, U8/,
    );
    reject(build({ a: { shape: [1], data_offsets: [0, 4] } }, 4), /unknown dtype undefined/);
    reject(
      build({ a: { ...f32(1), shape: [-1] } }, 4),
      /shape must be a list of non-negative integers, got \[-1\]/,
    );
    reject(build({ a: { ...f32(1), shape: [1.5] } }, 4), /shape must be a list of non-negative integers/);
    reject(build({ a: { ...f32(1), shape: "1" } }, 4), /shape must be a list/);
    reject(
      build({ a: { ...f32(2), shape: [3] } }, 8),
      /shape \[3\] of F32 needs 12 bytes but data_offsets span 8/,
    );
  });

  it("bad offsets: malformed, out of bounds, overlapping, with holes or trailing bytes", () => {
    reject(
      build({ a: { ...f32(1), data_offsets: [4, 0] } }, 4),
      /data_offsets must be \[begin, end\], integers with 0 ≤ begin ≤ end < 2\^53, got \[4,0\]/,
    );
    reject(build({ a: { ...f32(1), data_offsets: [0] } }, 4), /data_offsets must be \[begin, end\]/);
    reject(build({ a: { ...f32(1), data_offsets: [-4, 0] } }, 4), /data_offsets must be/);
    reject(
      build({ a: f32(2, 4) }, 8),
      /tensor 'a': data_offsets \[4, 12\] run past the data section of 8 bytes/,
    );
    reject(
      build({ a: f32(2, 0), b: f32(2, 4) }, 12),
      /tensor 'b' overlaps tensor 'a': it begins at byte 4, before byte 8/,
    );
    reject(build({ a: f32(1, 0), b: f32(1, 0) }, 8), /overlaps tensor 'a'/);
    reject(
      build({ a: f32(1, 0), b: f32(1, 8) }, 12),
      /bytes 4\.\.8 of the data section belong to no tensor \(before 'b'\)/,
    );
    reject(build({ a: f32(1, 4) }, 8), /bytes 0\.\.4 of the data section belong to no tensor/);
    reject(
      build({ a: f32(1, 0) }, 9),
      /the data section has 9 bytes but the tensors cover 4: 5 trailing bytes/,
    );
    // empty tensors take no bytes and may sit anywhere in the tiling
    const ok = build({ a: f32(1, 0), e: { dtype: "I32", shape: [0, 5], data_offsets: [4, 4] } }, 4);
    expect(deserialize(ok).tensors.e.shape).toEqual([0, 5]);
  });

  it("loadFile names the file in its errors", () => {
    const path = join(dir, "broken.safetensors");
    writeFileSync(path, good.subarray(0, good.length - 3));
    expect(() => loadFile(path)).toThrow(`loadFile: ${path}: tensor`);
  });
});
