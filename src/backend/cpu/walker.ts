// Allocation-free strided iteration for the cpu kernels: visits an N-d index space row by row, keeping
// one storage offset per operand; kernels run a tight loop over each row (no per-element closures).

export class Walker {
  /** Number of rows; each row has `n` elements. */
  readonly rows: number;
  readonly n: number;
  /** Per operand: the stride inside a row, and the offset where the current row starts. */
  readonly inner: number[];
  readonly pos: number[];
  private readonly shape: number[];
  private readonly strides: number[][];
  private readonly counter: number[];

  constructor(shape: readonly number[], strides: readonly (readonly number[])[], offsets: readonly number[]) {
    // Merge adjacent dims that are contiguous for every operand and drop size-1 dims.
    const dims: number[] = [];
    const st: number[][] = strides.map(() => []);
    for (let d = 0; d < shape.length; d++) {
      if (shape[d] === 1) continue;
      const last = dims.length - 1;
      if (last >= 0 && strides.every((s, k) => st[k][last] === s[d] * shape[d])) {
        dims[last] *= shape[d];
        strides.forEach((s, k) => (st[k][last] = s[d]));
      } else {
        dims.push(shape[d]);
        strides.forEach((s, k) => st[k].push(s[d]));
      }
    }
    let total = 1;
    for (const d of shape) total *= d;
    this.n = dims.length > 0 ? dims[dims.length - 1] : 1;
    this.rows = total === 0 ? 0 : total / this.n;
    this.inner = st.map((s) => (s.length > 0 ? s[s.length - 1] : 0));
    this.shape = dims.slice(0, -1);
    this.strides = st.map((s) => s.slice(0, -1));
    this.counter = new Array<number>(this.shape.length).fill(0);
    this.pos = [...offsets];
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
