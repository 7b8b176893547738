// Every registered backend against the cpu backend (the executable spec), kernel by kernel, on random
// strided, permuted, broadcast, offset and empty views with NaN, ±∞ and ±0 among the values: identical
// results where the arithmetic is the same, 1e-12 (float64) / 1e-6 (float32) where math libraries or
// summation order differ. Size limits are lifted so that every call reaches the backend's own kernels.
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";
import {
  BINARY_OPS,
  COMPARE_OPS,
  UNARY_OPS,
  backend,
  type Backend,
  type TypedArray,
} from "../../src/backend/backend.js";
import { cpuBackend as cpu } from "../../src/backend/cpu/index.js";
import { nativeLimits } from "../../src/backend/native/index.js";
import {
  FLOATS,
  KINDS,
  alloc,
  expectClose,
  fill,
  int,
  numel,
  randomShape,
  randomView,
  rng,
  type Kind,
} from "./support.js";

const others = cr.listBackends().filter((n) => n !== "cpu");
const EXACT_UNARY = new Set(["neg", "abs", "sign", "sqrt"]);
const rtolFor = (kind: Kind): number => (kind === "float64" ? 1e-12 : 1e-6);

it("registers the native backend as the default when the addon was built", () => {
  const built = existsSync(new URL("../../build/Release/chainrule.node", import.meta.url));
  const wanted = built && process.env.CHAINRULE_NATIVE !== "0";
  expect(cr.listBackends().includes("native")).toBe(wanted);
  expect(cr.getBackend()).toBe(wanted ? "native" : "cpu");
});

// Runs `body` on the backend under test and on the cpu backend with fresh outputs of the same kind.
function both(be: Backend, kind: Kind, n: number, body: (b: Backend, out: TypedArray) => void) {
  const mine = alloc(kind, n);
  const ref = alloc(kind, n);
  body(be, mine);
  body(cpu, ref);
  return { mine, ref };
}

for (const name of others) {
  describe(`backend ${name}`, () => {
    let be: Backend;
    const saved = { ...nativeLimits };
    const defaultThreads = cr.getNumThreads();
    beforeAll(() => {
      cr.setBackend(name);
      be = backend();
      nativeLimits.minElements = nativeLimits.minMatmulMacs = 0;
    });
    afterAll(() => Object.assign(nativeLimits, saved));

    for (const threads of [1, Math.max(2, cr.getNumThreads())]) {
      describe(`${threads} thread(s)`, () => {
        beforeAll(() => cr.setNumThreads(threads));
        afterAll(() => cr.setNumThreads(defaultThreads));
        elementwise(() => be);
        reductions(() => be);
        logSoftmax(() => be);
        indexing(() => be);
      });
    }
  });
}

function elementwise(get: () => Backend): void {
  it.each([...KINDS])("unary ops on %s views", (kind) => {
    const r = rng(11);
    for (const op of UNARY_OPS) {
      for (let c = 0; c < 6; c++) {
        const shape = c === 5 ? [300, 110] : randomShape(r, 0, 4, 7, true);
        const x = randomView(r, shape);
        const data = fill(r, kind, x.size);
        const outKind = kind === "float32" || kind === "float64" ? kind : op === "neg" || op === "abs" || op === "sign" ? (kind === "bool" ? "int32" : kind) : "float32"; // prettier-ignore
        const { mine, ref } = both(get(), outKind, numel(shape), (b, out) => b.unary(op, data, x.view, out));
        const exact = EXACT_UNARY.has(op) || outKind === "int32";
        expectClose(mine, ref, exact ? 0 : rtolFor(outKind), `${op} ${kind} ${JSON.stringify(x.view)}`);
      }
    }
  });

  it.each([...KINDS])("binary ops and comparisons with broadcasting on %s", (kind) => {
    const r = rng(12);
    for (const op of [...BINARY_OPS, ...COMPARE_OPS]) {
      for (let c = 0; c < 6; c++) {
        const shape = c === 5 ? [120, 200] : randomShape(r, 0, 4, 6, true);
        const [a, b] = [randomView(r, shape, true), randomView(r, shape, true)];
        const [da, db] = [fill(r, kind, a.size), fill(r, kind, b.size)];
        const cmp = (COMPARE_OPS as readonly string[]).includes(op);
        const outKind: Kind = cmp ? "bool" : kind === "bool" ? "int32" : kind;
        const body = (be: Backend, out: TypedArray) => be.binary(op, da, a.view, db, b.view, out);
        const { mine, ref } = both(get(), outKind, numel(shape), body);
        const rtol = op === "pow" && (kind === "float32" || kind === "float64") ? rtolFor(kind) : 0;
        expectClose(mine, ref, rtol, `${op} ${kind} ${JSON.stringify([a.view, b.view])}`);
      }
    }
  });

  it.each([...KINDS])("where with broadcast condition on %s", (kind) => {
    const r = rng(13);
    for (let c = 0; c < 20; c++) {
      const shape = c === 19 ? [256, 130] : randomShape(r, 0, 4, 6, true);
      const [q, a, b] = [randomView(r, shape, true), randomView(r, shape, true), randomView(r, shape, true)];
      const [dq, da, db] = [fill(r, "bool", q.size), fill(r, kind, a.size), fill(r, kind, b.size)];
      const body = (be: Backend, out: TypedArray) => be.where(dq, q.view, da, a.view, db, b.view, out);
      const { mine, ref } = both(get(), kind, numel(shape), body);
      expectClose(mine, ref, 0, `where ${kind}`);
    }
  });

  it.each([...KINDS])("copy from %s to every type, into contiguous and strided outputs", (from) => {
    const r = rng(14);
    for (const to of KINDS) {
      for (let c = 0; c < 8; c++) {
        const shape = c === 7 ? [64, 70] : randomShape(r, 0, 4, 6, true);
        const x = randomView(r, shape, true);
        const data = fill(r, from, x.size);
        const o = c % 2 === 0 ? null : randomView(r, shape);
        const init = fill(r, to, o ? o.size : numel(shape));
        const mine = init.slice();
        const ref = init.slice();
        get().copy(data, x.view, mine, o?.view);
        cpu.copy(data, x.view, ref, o?.view);
        expectClose(mine, ref, 0, `copy ${from}→${to} ${JSON.stringify([x.view, o?.view])}`);
      }
    }
  });

  it.each([...KINDS])("copy of transposed %s views (tiled in the native backend)", (kind) => {
    const r = rng(15);
    const views = [
      { shape: [70, 90], strides: [1, 70], offset: 3 },
      { shape: [3, 40, 50], strides: [2000, 1, 40], offset: 0 },
      { shape: [33, 2, 65], strides: [1, 33 * 65, 33], offset: 5 },
    ];
    for (const view of views) {
      const data = fill(r, kind, 8000);
      for (const to of KINDS) {
        const { mine, ref } = both(get(), to, numel(view.shape), (b, out) => b.copy(data, view, out));
        expectClose(mine, ref, 0, `copy ${kind}→${to} ${JSON.stringify(view)}`);
      }
    }
  });
}

function reductions(get: () => Backend): void {
  it.each([...FLOATS])("sum/max/min over every subset of dims on %s", (kind) => {
    const r = rng(21);
    for (let c = 0; c < 40; c++) {
      const shape = c === 39 ? [40, 50, 30] : randomShape(r, 0, 4, 6, true);
      const x = randomView(r, shape, true);
      const data = fill(r, kind, x.size, c % 3 === 0);
      const axes = shape.map((_, i) => i).filter(() => r() < 0.5);
      const kept = shape.filter((_, i) => !axes.includes(i));
      for (const op of ["sum", "max", "min"] as const) {
        if (op !== "sum" && axes.some((d) => shape[d] === 0)) continue; // refused by the op layer
        const { mine, ref } = both(get(), kind, numel(kept), (b, out) =>
          b.reduce(op, data, x.view, axes, out),
        );
        let scale: Float64Array | undefined;
        if (op === "sum") {
          const abs = new Float64Array(data.length).map((_, i) => Math.abs(data[i]));
          scale = new Float64Array(numel(kept));
          cpu.reduce("sum", abs, x.view, axes, scale);
        }
        const what = `${op} ${kind} axes ${axes} of ${JSON.stringify(x.view)}`;
        expectClose(mine, ref, op === "sum" ? rtolFor(kind) : 0, what, scale);
      }
    }
  });

  it.each([...FLOATS])("argmax/argmin pick the first extremum, NaN first of all, on %s", (kind) => {
    const r = rng(22);
    for (let c = 0; c < 40; c++) {
      const shape = c === 39 ? [128, 64] : randomShape(r, 1, 4, 6).map((d) => Math.max(d, 1));
      const x = randomView(r, shape, true);
      const data = fill(r, kind, x.size, c % 2 === 0, true);
      const axis = int(r, 0, shape.length - 1);
      for (const op of ["argmax", "argmin"] as const) {
        const n = numel(shape) / shape[axis];
        const { mine, ref } = both(get(), "int32", n, (b, out) =>
          b.argReduce(op, data, x.view, axis, out as Int32Array),
        );
        expectClose(mine, ref, 0, `${op} ${kind} axis ${axis} of ${JSON.stringify(x.view)}`);
      }
    }
  });
}

function logSoftmax(get: () => Backend): void {
  it.each([...FLOATS])("logSoftmax along each dim of strided views, ±∞ and NaN rows, on %s", (kind) => {
    const r = rng(23);
    for (let c = 0; c < 40; c++) {
      const shape = c === 39 ? [128, 10] : randomShape(r, 1, 4, 7).map((d) => Math.max(d, 1));
      const x = randomView(r, shape, true);
      const data = fill(r, kind, x.size, c % 2 === 0);
      const axis = int(r, 0, shape.length - 1);
      const { mine, ref } = both(get(), kind, numel(shape), (b, out) =>
        b.logSoftmax(data, x.view, axis, out),
      );
      // exp and log may differ in the last bit between JavaScript and C++; the sums carry that
      const scale = new Float64Array(ref.length).map((_, i) => 1 + Math.abs(ref[i]));
      const what = `logSoftmax ${kind} axis ${axis} of ${JSON.stringify(x.view)}`;
      expectClose(mine, ref, kind === "float64" ? 1e-13 : 2e-7, what, scale);
    }
  });
}

function indexing(get: () => Backend): void {
  it.each([...KINDS])("gather and scatterAdd along each dim on %s", (kind) => {
    const r = rng(31);
    for (let c = 0; c < 30; c++) {
      const shape = c === 29 ? [100, 40] : randomShape(r, 1, 4, 6).map((d) => Math.max(d, 1));
      const dim = int(r, 0, shape.length - 1);
      const x = randomView(r, shape, true);
      const data = fill(r, kind, x.size);
      const ishape = shape.map((d, i) => (i === dim ? int(r, 0, 8) : int(r, 1, d)));
      const iv = randomView(r, ishape, true);
      const idx = new Int32Array(iv.size).map(() => int(r, 0, shape[dim] - 1));
      const g = both(get(), kind, numel(ishape), (b, out) => b.gather(data, x.view, idx, iv.view, dim, out));
      expectClose(g.mine, g.ref, 0, `gather ${kind} dim ${dim}`);

      const sv = randomView(r, ishape, true);
      const src = fill(r, kind, sv.size, false);
      const init = fill(r, kind, numel(shape), false);
      const [mine, ref] = [init.slice(), init.slice()];
      get().scatterAdd(mine, shape, idx, iv.view, src, sv.view, dim);
      cpu.scatterAdd(ref, shape, idx, iv.view, src, sv.view, dim);
      expectClose(mine, ref, 0, `scatterAdd ${kind} dim ${dim}`);
    }
  });
}
