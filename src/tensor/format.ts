// Read-out of tensors: nested arrays and PyTorch-style printing (4 decimals, aligned, summarized when large).
import type { TypedArray } from "../backend/backend.js";
import type { DType } from "./dtype.js";
import type { Tensor } from "./tensor.js";

export type Nested = number | boolean | Nested[];

export function toNested(data: TypedArray, shape: readonly number[], dtype: DType): Nested {
  const conv = dtype === "bool" ? (v: number) => v !== 0 : (v: number) => v;
  if (shape.length === 0) return conv(data[0]);
  const build = (dim: number, off: number, stride: number): Nested[] => {
    const n = shape[dim];
    const inner = stride / Math.max(n, 1);
    const out: Nested[] = [];
    for (let i = 0; i < n; i++)
      out.push(dim === shape.length - 1 ? conv(data[off + i]) : build(dim + 1, off + i * inner, inner));
    return out;
  };
  const total = shape.reduce((a, b) => a * b, 1);
  return build(0, 0, total === 0 ? 0 : total);
}

const EDGE = 3;
const THRESHOLD = 1000;

export function formatTensor(t: Tensor): string {
  const data = t.toTypedArray();
  const summarize = data.length > THRESHOLD;
  const fmt = numberFormat(data, t.dtype);
  const cells = Array.from(data, fmt);
  const width = Math.max(0, ...cells.map((c) => c.length));
  const pad = (s: string) => s.padStart(width);
  const indent = "tensor(".length;
  const render = (dim: number, off: number, stride: number): string => {
    if (t.ndim === 0) return cells[0];
    const n = t.shape[dim];
    const inner = n === 0 ? 0 : stride / n;
    const idx = summarize && n > 2 * EDGE ? [...range(0, EDGE), -1, ...range(n - EDGE, n)] : range(0, n);
    if (dim === t.ndim - 1)
      return "[" + idx.map((i) => (i < 0 ? "..." : pad(cells[off + i]))).join(", ") + "]";
    const sep = "," + "\n".repeat(t.ndim - 1 - dim) + " ".repeat(indent + dim + 1);
    return "[" + idx.map((i) => (i < 0 ? "..." : render(dim + 1, off + i * inner, inner))).join(sep) + "]";
  };
  const extras: string[] = [];
  if (t.dtype !== "float32" && t.dtype !== "bool") extras.push(`dtype=${t.dtype}`);
  if (t.numel === 0) extras.push(`size=[${t.shape}]`);
  if (t.gradFn) extras.push(`gradFn=<${t.gradFn.op}>`);
  else if (t.requiresGrad) extras.push("requiresGrad=true");
  return `tensor(${render(0, 0, data.length)}${extras.map((e) => ", " + e).join("")})`;
}

function range(a: number, b: number): number[] {
  return Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i);
}

function numberFormat(data: TypedArray, dtype: DType): (v: number) => string {
  if (dtype === "bool") return (v) => (v ? "true" : "false");
  if (dtype === "int32") return (v) => String(v);
  let maxAbs = 0;
  let minAbs = Infinity;
  for (const v of data) {
    const a = Math.abs(v);
    if (!Number.isFinite(a) || a === 0) continue;
    maxAbs = Math.max(maxAbs, a);
    minAbs = Math.min(minAbs, a);
  }
  const sci = maxAbs >= 1e8 || (minAbs < 1e-4 && minAbs !== Infinity) || maxAbs / minAbs > 1e3 * 1e5;
  return (v) => {
    if (Number.isNaN(v)) return "nan";
    if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
    return sci ? v.toExponential(4) : v.toFixed(4);
  };
}
