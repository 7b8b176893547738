// Shape arithmetic shared by the tensor, the ops and the backends: broadcasting, dims, strides.
import { ChainruleError, check, fmtShape } from "./errors.js";

export type Shape = readonly number[];

export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a contiguous tensor of `shape`. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** NumPy broadcasting of any number of shapes. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  let rank = 0;
  for (const s of shapes) if (s.length > rank) rank = s.length;
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i];
      if (d === out[o] || d === 1) continue;
      if (out[o] === 1) out[o] = d;
      else
        throw new ChainruleError(
          op,
          `shapes ${shapes.map(fmtShape).join(" and ")} cannot be broadcast together (dim ${o - rank}: ${out[o]} vs ${d})`,
        );
    }
  }
  return out;
}

/** Resolves a possibly negative `dim` against `rank`, or throws naming the op. */
export function normalizeDim(op: string, dim: number, rank: number): number {
  const r0 = rank > 1 ? rank : 1;
  if (dim >= -r0 && dim < r0 && Number.isInteger(dim)) return dim < 0 ? dim + r0 : dim;
  check(Number.isInteger(dim), op, () => `dim must be an integer, got ${dim}`);
  const r = Math.max(rank, 1);
  check(
    dim >= -r && dim < r,
    op,
    () => `dim ${dim} is out of range for a tensor of rank ${rank} (expected ${-r}..${r - 1})`,
  );
  return dim < 0 ? dim + r : dim;
}

/** Resolves `dim` (null = all, int, or list) to a sorted list of distinct non-negative dims. */
export function normalizeDims(
  op: string,
  dim: number | readonly number[] | null | undefined,
  rank: number,
): number[] {
  if (dim === null || dim === undefined) {
    const all = new Array<number>(rank);
    for (let i = 0; i < rank; i++) all[i] = i;
    return all;
  }
  if (typeof dim === "number") return [normalizeDim(op, dim, rank)];
  const dims = new Array<number>(dim.length);
  for (let i = 0; i < dim.length; i++) dims[i] = normalizeDim(op, dim[i], rank);
  dims.sort((a, b) => a - b);
  for (let i = 1; i < dims.length; i++)
    check(dims[i] !== dims[i - 1], op, () => `dim ${JSON.stringify(dim)} repeats a dimension`);
  return dims;
}

/** Validates a user-given shape (non-negative integers). */
export function checkShape(op: string, shape: Shape): void {
  for (const d of shape)
    check(
      Number.isInteger(d) && d >= 0,
      op,
      () => `shape ${fmtShape(shape)} must hold non-negative integers`,
    );
}
