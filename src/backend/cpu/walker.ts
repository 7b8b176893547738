// Strided iteration for the cpu kernels: visits an N-d index space row by row, keeping one storage offset
// per operand; kernels run a tight loop over each row (no per-element closures). Also the layout tests
// (dense, constant) that let kernels skip the walk for the common contiguous cases.
import type { View } from "../backend.js";

export class Walker {
  /** Number of rows; each row has `n` elements. */
  readonly rows: number;
  readonly n: number;
  /** Per operand: the stride inside a row, and the offset where the current row starts. */
  readonly inner: number[];
  readonly pos: number[];
  private readonly shape: number[] = [];
  private readonly strides: number[][];
  private readonly counter: number[];

  constructor(shape: readonly number[], strides: readonly (readonly number[])[], offsets: readonly number[]) {
    // Merge adjacent dims that are contiguous for every operand and drop size-1 dims.
    const ops = strides.length;
    const dims = this.shape;
    const st: number[][] = [];
    for (let k = 0; k < ops; k++) st.push([]);
    let total = 1;
    for (let d = 0; d < shape.length; d++) {
      const size = shape[d];
      total *= size;
      if (size === 1) continue;
      const last = dims.length - 1;
      let merge = last >= 0;
      for (let k = 0; k < ops && merge; k++) merge = st[k][last] === strides[k][d] * size;
      if (merge) {
        dims[last] *= size;
        for (let k = 0; k < ops; k++) st[k][last] = strides[k][d];
      } else {
        dims.push(size);
        for (let k = 0; k < ops; k++) st[k].push(strides[k][d]);
      }
    }
    this.n = dims.length > 0 ? dims.pop()! : 1;
    this.rows = total === 0 ? 0 : total / this.n;
    this.inner = [];
    for (let k = 0; k < ops; k++) this.inner.push(dims.length < st[k].length ? st[k].pop()! : 0);
    this.strides = st;
    this.counter = new Array<number>(dims.length).fill(0);
    this.pos = offsets.slice();
  }

  /** Restarts at row 0 with new base offsets (for nested walks). */
  reset(offsets: readonly number[]): void {
    this.counter.fill(0);
    for (let k = 0; k < this.pos.length; k++) this.pos[k] = offsets[k];
  }

  /** Advances `pos` to the next row. */
  next(): void {
    const { shape, strides, counter, pos } = this;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++counter[d] < shape[d]) {
        for (let k = 0; k < pos.length; k++) pos[k] += strides[k][d];
        return;
      }
      counter[d] = 0;
      for (let k = 0; k < pos.length; k++) pos[k] -= strides[k][d] * (shape[d] - 1);
    }
  }
}

export function contiguous(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** Whether the view's elements are one row-major run starting at its offset. */
export function isDense(v: View): boolean {
  let s = 1;
  for (let d = v.shape.length - 1; d >= 0; d--) {
    const n = v.shape[d];
    if (n !== 1 && v.strides[d] !== s) return false;
    s *= n;
  }
  return true;
}

/** Whether every element of the view is the one at its offset (a broadcast scalar). */
export function isConstant(v: View): boolean {
  for (let d = 0; d < v.shape.length; d++) if (v.shape[d] !== 1 && v.strides[d] !== 0) return false;
  return true;
}

/** 1 for a dense view, 0 for a broadcast scalar, -1 for anything else: the flat-loop stride, if any. */
export function flatStep(v: View): number {
  return isDense(v) ? 1 : isConstant(v) ? 0 : -1;
}

/**
 * The row length L when the view repeats one dense run of L elements (a bias broadcast over leading
 * dims: those have stride 0, the trailing ones are row-major), else -1.
 */
export function rowLength(v: View): number {
  let len = 1;
  let d = v.shape.length - 1;
  for (; d >= 0 && v.strides[d] !== 0; d--) {
    if (v.shape[d] !== 1 && v.strides[d] !== len) return -1;
    len *= v.shape[d];
  }
  for (; d >= 0; d--) if (v.shape[d] !== 1 && v.strides[d] !== 0) return -1;
  return len;
}
