// The native kernels that split work across the thread pool give the same bits on 1, 2 and 3 threads,
// at sizes on both sides of the thresholds where they start to split (a few thousand elements for
// transcendentals, ~40–70k for arithmetic, where and reductions), on contiguous, broadcast, strided and
// transposed views; and they still agree with the cpu backend there.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";
import { backend, type Backend, type TypedArray, type View } from "../../src/backend/backend.js";
import { cpuBackend as cpu } from "../../src/backend/cpu/index.js";
import { nativeLimits } from "../../src/backend/native/index.js";
import { alloc, contiguousView, expectClose, fill, numel, rng, type Kind } from "./support.js";

const hasNative = cr.listBackends().includes("native");
const THREADS = [1, 2, 3];
// rows × 512 columns: 1k … 300k elements.
const ROWS = [2, 10, 40, 80, 140, 600];

/** Runs `body` on the native backend at each thread count; every result must match the first bit for bit. */
function sameOnAllThreads(kind: Kind, n: number, what: string, body: (out: TypedArray) => void): TypedArray {
  let first: TypedArray | null = null;
  for (const t of THREADS) {
    cr.setNumThreads(t);
    const out = alloc(kind, n);
    body(out);
    if (first === null) first = out;
    else {
      const a = new Uint8Array(first.buffer);
      const b = new Uint8Array(out.buffer);
      let i = 0;
      while (i < a.length && a[i] === b[i]) i++;
      expect(i, `${what}: ${t} threads differ from 1 thread at byte ${i}`).toBe(a.length);
    }
  }
  return first!;
}

/** Views of a rows×cols operand: contiguous, row-broadcast, transposed storage and every other column. */
function views(rows: number, cols: number): { name: string; view: View; size: number }[] {
  return [
    { name: "contiguous", view: contiguousView([rows, cols]), size: rows * cols },
    { name: "broadcast row", view: { shape: [rows, cols], strides: [0, 1], offset: 0 }, size: cols },
    { name: "transposed", view: { shape: [rows, cols], strides: [1, rows], offset: 0 }, size: rows * cols },
    {
      name: "strided",
      view: { shape: [rows, cols], strides: [2 * cols, 2], offset: 1 },
      size: 2 * rows * cols + 1,
    },
  ];
}

describe.skipIf(!hasNative)("native kernels on 1, 2 and 3 threads", () => {
  let be: Backend;
  const saved = { ...nativeLimits };
  const threads = cr.getNumThreads();
  beforeAll(() => {
    cr.setBackend("native");
    be = backend();
    nativeLimits.minElements = nativeLimits.minMatmulMacs = 0;
  });
  afterAll(() => {
    Object.assign(nativeLimits, saved);
    cr.setNumThreads(threads);
  });

  it.each(["float32", "float64"] as const)("unary ops, %s", (kind) => {
    const r = rng(21);
    for (const rows of ROWS) {
      for (const x of views(rows, 512).filter((v) => v.name !== "broadcast row")) {
        const data = fill(r, kind, x.size);
        for (const op of ["neg", "exp", "sigmoid"] as const) {
          const what = `${op} ${kind} ${rows}×512 ${x.name}`;
          const mine = sameOnAllThreads(kind, rows * 512, what, (out) => be.unary(op, data, x.view, out));
          const ref = alloc(kind, rows * 512);
          cpu.unary(op, data, x.view, ref);
          expectClose(mine, ref, op === "neg" ? 0 : kind === "float32" ? 1e-6 : 1e-12, what);
        }
      }
    }
  });

  it.each(["float32", "float64"] as const)("binary ops and comparisons, %s", (kind) => {
    const r = rng(22);
    for (const rows of ROWS) {
      const vs = views(rows, 512);
      const a = vs[0];
      const da = fill(r, kind, a.size);
      for (const b of vs) {
        const db = fill(r, kind, b.size);
        for (const op of ["add", "div", "maximum", "le"] as const) {
          const outKind: Kind = op === "le" ? "bool" : kind;
          const what = `${op} ${kind} ${rows}×512 with ${b.name}`;
          const body = (bk: Backend) => (out: TypedArray) => bk.binary(op, da, a.view, db, b.view, out);
          const mine = sameOnAllThreads(outKind, rows * 512, what, body(be));
          const ref = alloc(outKind, rows * 512);
          body(cpu)(ref);
          expectClose(mine, ref, 0, what);
        }
      }
    }
  });

  it.each(["float32", "float64", "int32"] as const)(
    "where (relu's pattern and three full operands), %s",
    (kind) => {
      const r = rng(23);
      for (const rows of ROWS) {
        const n = rows * 512;
        const c = fill(r, "bool", n);
        const [x, y] = [fill(r, kind, n), fill(r, kind, n)];
        const zero = alloc(kind, 1);
        const full = contiguousView([rows, 512]);
        const scalar: View = { shape: [rows, 512], strides: [0, 0], offset: 0 };
        for (const [name, av] of [
          ["scalar", scalar],
          ["full", full],
        ] as const) {
          const a = name === "scalar" ? zero : x;
          const body = (bk: Backend) => (out: TypedArray) => bk.where(c, full, a, av, y, full, out);
          const mine = sameOnAllThreads(kind, n, `where ${kind} ${rows}×512 ${name}`, body(be));
          const ref = alloc(kind, n);
          body(cpu)(ref);
          expectClose(mine, ref, 0, `where ${kind} ${rows}×512 ${name}`);
        }
      }
    },
  );

  it.each(["float32", "float64"] as const)("sum, max and min over either dim and both, %s", (kind) => {
    const r = rng(24);
    for (const rows of ROWS) {
      for (const x of views(rows, 512).filter((v) => v.name !== "broadcast row")) {
        const data = fill(r, kind, x.size, false);
        for (const op of ["sum", "max", "min"] as const) {
          for (const axes of [[0], [1], [0, 1]]) {
            const n = axes.length === 2 ? 1 : axes[0] === 0 ? 512 : rows;
            const what = `${op} over ${axes} of ${kind} ${rows}×512 ${x.name}`;
            const mine = sameOnAllThreads(kind, n, what, (out) => be.reduce(op, data, x.view, axes, out));
            const ref = alloc(kind, n);
            cpu.reduce(op, data, x.view, axes, ref);
            const scale =
              op === "sum" ? Array.from({ length: n }, () => numel(x.view.shape) * 30) : undefined;
            expectClose(mine, ref, op === "sum" ? (kind === "float32" ? 1e-6 : 1e-12) : 0, what, scale);
          }
        }
      }
    }
  });

  it("argmax and argmin along either dim", () => {
    const r = rng(25);
    for (const rows of ROWS) {
      const x = views(rows, 512)[0];
      const data = fill(r, "float32", x.size, true, true);
      for (const op of ["argmax", "argmin"] as const) {
        for (const axis of [0, 1]) {
          const n = axis === 0 ? 512 : rows;
          const what = `${op} along ${axis} of ${rows}×512`;
          const mine = sameOnAllThreads("int32", n, what, (out) =>
            be.argReduce(op, data, x.view, axis, out as Int32Array),
          );
          const ref = new Int32Array(n);
          cpu.argReduce(op, data, x.view, axis, ref);
          expectClose(mine, ref, 0, what);
        }
      }
    }
  });
});
