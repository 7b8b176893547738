// Read-out of tensors: nested arrays, and printing in PyTorch's layout (4 decimals or scientific, aligned
// columns, rows wrapped at 80 characters, summarized with "..." beyond 1000 elements).
import type { TypedArray } from "../backend/backend.js";
import { fmtShape } from "../util/errors.js";
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

// PyTorch's print options: edgeitems, threshold, linewidth, precision.
const EDGE = 3;
const THRESHOLD = 1000;
const LINEWIDTH = 80;
const PRECISION = 4;
const INDENT = "tensor(".length;

/**
 * `tensor([[1.0000, 2.0000],\n        [3.0000, 4.0000]], requiresGrad=true)`: PyTorch's layout, with the
 * dtype shown unless float32 (or int32/bool, whose values show their type), then gradFn or requiresGrad.
 */
export function formatTensor(t: Tensor): string {
  const extras: string[] = [];
  let body = "[]";
  if (t.numel === 0) {
    if (t.ndim !== 1) extras.push(`size=${fmtShape(t.shape)}`);
    if (t.dtype !== "float32") extras.push(`dtype=${t.dtype}`);
  } else {
    if (t.dtype === "float64") extras.push("dtype=float64");
    body = render(t.toTypedArray(), t.shape, t.dtype);
  }
  if (t.gradFn) extras.push(`gradFn=<${t.gradFn.op}>`);
  else if (t.requiresGrad) extras.push("requiresGrad=true");
  return `tensor(${body}${extras.map((e) => ", " + e).join("")})`;
}

function render(data: TypedArray, shape: readonly number[], dtype: DType): string {
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((p, d) => p * d, 1));
  const summarize = data.length > THRESHOLD;
  // the indices shown along a dim; -1 marks the "..." in their middle
  const shown = (n: number) =>
    summarize && n > 2 * EDGE ? [...range(0, EDGE), -1, ...range(n - EDGE, n)] : range(0, n);
  const visible: number[] = [];
  const collect = (dim: number, off: number): void => {
    if (dim === shape.length) visible.push(data[off]);
    else for (const i of shown(shape[dim])) if (i >= 0) collect(dim + 1, off + i * strides[dim]);
  };
  collect(0, 0);
  const fmt = formatter(visible, dtype);
  const width = Math.max(...visible.map((v) => fmt(v).length));
  const cell = (v: number) => fmt(v).padStart(width);
  const rec = (dim: number, off: number): string => {
    if (dim === shape.length) return cell(data[off]);
    const idx = shown(shape[dim]);
    if (dim === shape.length - 1)
      return vector(
        idx.map((i) => (i < 0 ? " ..." : cell(data[off + i * strides[dim]]))),
        INDENT + dim,
        width,
      );
    const sep = "," + "\n".repeat(shape.length - 1 - dim) + " ".repeat(INDENT + dim + 1);
    return "[" + idx.map((i) => (i < 0 ? "..." : rec(dim + 1, off + i * strides[dim]))).join(sep) + "]";
  };
  return rec(0, 0);
}

/** One innermost row, wrapped so that no line passes LINEWIDTH. */
function vector(cells: string[], indent: number, width: number): string {
  const perLine = Math.max(1, Math.floor((LINEWIDTH - indent) / (width + 2)));
  const lines: string[] = [];
  for (let i = 0; i < cells.length; i += perLine) lines.push(cells.slice(i, i + perLine).join(", "));
  return "[" + lines.join(",\n" + " ".repeat(indent + 1)) + "]";
}

function range(a: number, b: number): number[] {
  return Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i);
}

/** PyTorch's rule: scientific when the nonzero finite magnitudes span > 1000×, exceed 1e8 or go below 1e-4. */
function formatter(values: readonly number[], dtype: DType): (v: number) => string {
  if (dtype === "bool") return (v) => (v ? "true" : "false");
  if (dtype === "int32") return (v) => String(v);
  let maxAbs = 0;
  let minAbs = Infinity;
  let integral = true;
  for (const v of values) {
    const a = Math.abs(v);
    if (!Number.isFinite(a) || a === 0) continue;
    maxAbs = Math.max(maxAbs, a);
    minAbs = Math.min(minAbs, a);
    integral &&= Number.isInteger(v);
  }
  const sci = maxAbs > 0 && (maxAbs / minAbs > 1000 || maxAbs > 1e8 || (!integral && minAbs < 1e-4));
  return (v) => {
    if (Number.isNaN(v)) return "nan";
    if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
    if (!sci) return v.toFixed(PRECISION);
    // Python writes at least two exponent digits: 1.0000e-05
    return v.toExponential(PRECISION).replace(/e([+-])(\d)$/, "e$10$2");
  };
}
