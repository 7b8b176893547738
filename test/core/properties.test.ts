// Property tests of the core against naive references written here on flat arrays with explicit index
// math: broadcasting binary ops and their un-broadcast gradients, view ops (values, gradients and storage
// sharing, alone and composed), and reductions over random dims.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";
import { rng } from "../backend/support.js";

type Shape = number[];
type FloatType = "float32" | "float64";

// ---------------------------------------------------------------- naive index math

const numel = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);

function unravel(k: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    idx[i] = k % shape[i];
    k = Math.floor(k / shape[i]);
  }
  return idx;
}

function ravel(idx: readonly number[], shape: readonly number[]): number {
  let k = 0;
  for (let i = 0; i < shape.length; i++) k = k * shape[i] + idx[i];
  return k;
}

/** Every multi-index of `shape` in row-major order. */
function indices(shape: readonly number[]): number[][] {
  return Array.from({ length: numel(shape) }, (_, k) => unravel(k, shape));
}

function naiveBroadcast(a: readonly number[], b: readonly number[]): Shape | null {
  const r = Math.max(a.length, b.length);
  const out: Shape = [];
  for (let i = 0; i < r; i++) {
    const da = a[a.length - r + i] ?? 1;
    const db = b[b.length - r + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** The flat index into `shape` that broadcasting reads for output index `idx`. */
function project(idx: readonly number[], shape: readonly number[]): number {
  const tail = idx.slice(idx.length - shape.length);
  return ravel(
    tail.map((v, i) => (shape[i] === 1 ? 0 : v)),
    shape,
  );
}

// ---------------------------------------------------------------- data and comparison

const randInt = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

/** Small integers, so that ties happen and float32 and float64 are both exact. */
const smallInts = (r: () => number, n: number): number[] =>
  Array.from({ length: n }, () => randInt(r, -4, 4));

const leaf = (data: number[], shape: readonly number[], dtype: FloatType): cr.Tensor =>
  cr.tensor(dtype === "float64" ? Float64Array.from(data) : Float32Array.from(data), {
    shape,
    requiresGrad: true,
  });

const values = (t: cr.Tensor): number[] => Array.from(t.toTypedArray(), (v) => v + 0); // -0 → 0

function expectClose(actual: cr.Tensor | null, expected: readonly number[], tol = 0, desc = ""): void {
  expect(actual, desc).not.toBeNull();
  const got = values(actual as cr.Tensor);
  expect(got.length, desc).toBe(expected.length);
  got.forEach((v, i) => {
    const e = expected[i];
    if (Number.isNaN(e) || !Number.isFinite(e) || tol === 0) expect(v, `${desc} [${i}]`).toBe(e + 0);
    else expect(Math.abs(v - e), `${desc} [${i}]`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e)));
  });
}

// ---------------------------------------------------------------- arbitraries

const dimSize = fc.oneof({ arbitrary: fc.constant(0), weight: 1 }, { arbitrary: fc.integer({ min: 1, max: 3 }), weight: 7 }); // prettier-ignore
const shapeArb = (maxRank = 4): fc.Arbitrary<Shape> => fc.array(dimSize, { maxLength: maxRank });
const nonEmptyShape = (minRank: number, maxRank = 4): fc.Arbitrary<Shape> =>
  fc.array(fc.integer({ min: 1, max: 3 }), { minLength: minRank, maxLength: maxRank });
const seedArb = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const dtypeArb = fc.constantFrom<FloatType>("float32", "float64");

/** A shape that broadcasts to `out`: some leading dims dropped, some others set to 1. */
const broadcastableTo = (out: Shape): fc.Arbitrary<Shape> =>
  fc
    .tuple(
      fc.integer({ min: 0, max: out.length }),
      fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
    )
    .map(([drop, ones]) => out.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));

const pairArb = shapeArb().chain((out) => fc.tuple(broadcastableTo(out), broadcastableTo(out)));

// ---------------------------------------------------------------- (a) broadcasting binary ops

type BinName = "add" | "sub" | "mul" | "maximum";
const BINARY: Record<BinName, { f: (a: number, b: number) => number; da: (a: number, b: number) => number; db: (a: number, b: number) => number }> = {
  add: { f: (a, b) => a + b, da: () => 1, db: () => 1 },
  sub: { f: (a, b) => a - b, da: () => 1, db: () => -1 },
  mul: { f: (a, b) => a * b, da: (_a, b) => b, db: (a) => a },
  maximum: {
    f: (a, b) => Math.max(a, b),
    da: (a, b) => (a > b ? 1 : a === b ? 0.5 : 0),
    db: (a, b) => (b > a ? 1 : a === b ? 0.5 : 0),
  },
}; // prettier-ignore

describe("broadcasting binary ops against a naive reference", () => {
  for (const name of Object.keys(BINARY) as BinName[]) {
    it(`${name}: values and un-broadcast gradients`, () => {
      fc.assert(
        fc.property(pairArb, seedArb, dtypeArb, ([sa, sb], seed, dtype) => {
          const r = rng(seed);
          const [da, db] = [smallInts(r, numel(sa)), smallInts(r, numel(sb))];
          const out = naiveBroadcast(sa, sb) as Shape;
          const g = smallInts(r, numel(out));
          const { f, da: dfa, db: dfb } = BINARY[name];
          const want: number[] = [];
          const ga = new Array<number>(da.length).fill(0);
          const gb = new Array<number>(db.length).fill(0);
          indices(out).forEach((idx, k) => {
            const [i, j] = [project(idx, sa), project(idx, sb)];
            want.push(f(da[i], db[j]));
            ga[i] += g[k] * dfa(da[i], db[j]);
            gb[j] += g[k] * dfb(da[i], db[j]);
          });
          const a = leaf(da, sa, dtype);
          const b = leaf(db, sb, dtype);
          const y = cr[name](a, b);
          expect(y.shape).toEqual(out);
          expect(y.dtype).toBe(dtype);
          expectClose(y, want);
          y.backward(cr.tensor(Float64Array.from(g), { shape: out, dtype }));
          expect(a.grad?.shape).toEqual(sa);
          expect(b.grad?.shape).toEqual(sb);
          expectClose(a.grad, ga);
          expectClose(b.grad, gb);
        }),
        { numRuns: 150 },
      );
    });
  }

  it("operands that do not broadcast are refused", () => {
    fc.assert(
      fc.property(shapeArb(), shapeArb(), (sa, sb) => {
        const ok = naiveBroadcast(sa, sb) !== null;
        const call = () => cr.add(cr.zeros(sa), cr.zeros(sb));
        if (ok) expect(call).not.toThrow();
        else expect(call).toThrow(/add: shapes .* cannot be broadcast together/);
      }),
      { numRuns: 200 },
    );
  });
});

// ---------------------------------------------------------------- (b) view ops

/**
 * A naive tensor: its shape and, for every element in row-major order, the flat index of the base
 * tensor's element it reads. Applying a view op to it composes the maps.
 */
interface NaiveView {
  shape: Shape;
  src: number[];
}

interface ViewOp {
  desc: string;
  /** Whether the op must return a view of the same storage (given a contiguous input for reshape). */
  shares: boolean;
  apply: (t: cr.Tensor) => cr.Tensor;
  naive: (v: NaiveView) => NaiveView;
}

const normDim = (d: number, rank: number): number => (d < 0 ? d + rank : d);

/** Maps each output index to the index of the input it reads via `from(idx)`. */
function gatherView(v: NaiveView, shape: Shape, from: (idx: number[]) => number[]): NaiveView {
  return { shape, src: indices(shape).map((idx) => v.src[ravel(from(idx), v.shape)]) };
}

/** Python's x[start:end:step] positions for a dim of size n. */
function pySlice(n: number, start: number | null, end: number | null, step: number): number[] {
  const clampIdx = (i: number) => Math.min(Math.max(i < 0 ? i + n : i, 0), n);
  const s = start === null ? 0 : clampIdx(start);
  const e = end === null ? n : clampIdx(end);
  const out: number[] = [];
  for (let i = s; i < e; i += step) out.push(i);
  return out;
}

function shuffle<T>(r: () => number, xs: T[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = randInt(r, 0, i);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

const randDim = (r: () => number, rank: number): number => randInt(r, -rank, rank - 1);

function reshapeOp(r: () => number, shape: Shape): ViewOp {
  // regroup the (shuffled) dims into consecutive products, sprinkle 1s, maybe infer one dim with -1
  const dims = shuffle(r, shape);
  const target: Shape = [];
  for (let i = 0; i < dims.length;) {
    const take = randInt(r, 1, 2);
    target.push(numel(dims.slice(i, i + take)));
    i += take;
    if (r() < 0.2) target.push(1);
  }
  const arg = [...target];
  if (numel(shape) > 0 && target.length > 0 && r() < 0.5) arg[randInt(r, 0, arg.length - 1)] = -1;
  return {
    desc: `reshape(${JSON.stringify(arg)})`,
    shares: true,
    apply: (t) => t.reshape(arg),
    naive: (v) => ({ shape: target, src: [...v.src] }),
  };
}

function permuteOp(r: () => number, shape: Shape): ViewOp {
  const perm = shuffle(
    r,
    shape.map((_, i) => i),
  ).map((d) => (r() < 0.3 ? d - shape.length : d));
  const p = perm.map((d) => normDim(d, shape.length));
  return {
    desc: `permute(${JSON.stringify(perm)})`,
    shares: true,
    apply: (t) => t.permute(perm),
    naive: (v) =>
      gatherView(
        v,
        p.map((d) => v.shape[d]),
        (idx) => p.map((_, i) => idx[p.indexOf(i)]),
      ),
  };
}

function transposeOp(r: () => number, shape: Shape): ViewOp {
  const [d0, d1] = [randDim(r, shape.length), randDim(r, shape.length)];
  const [a, b] = [normDim(d0, shape.length), normDim(d1, shape.length)];
  const swap = (xs: number[]) => xs.map((x, i) => (i === a ? xs[b] : i === b ? xs[a] : x));
  return {
    desc: `transpose(${d0}, ${d1})`,
    shares: true,
    apply: (t) => t.transpose(d0, d1),
    naive: (v) => gatherView(v, swap(v.shape), swap),
  };
}

function expandOp(r: () => number, shape: Shape): ViewOp {
  const lead = Array.from({ length: randInt(r, 0, 4 - Math.min(shape.length, 4)) }, () => randInt(r, 0, 3));
  const grown = shape.map((d) => (d === 1 ? randInt(r, 0, 3) : d));
  const target = [...lead, ...grown];
  const arg = target.map((d, i) => (i >= lead.length && d === shape[i - lead.length] && r() < 0.3 ? -1 : d));
  return {
    desc: `expand(${JSON.stringify(arg)})`,
    shares: true,
    apply: (t) => t.expand(arg),
    naive: (v) => gatherView(v, target, (idx) => unravel(project(idx, v.shape), v.shape)),
  };
}

function sliceOp(r: () => number, shape: Shape): ViewOp {
  const dim = randDim(r, shape.length);
  const d = normDim(dim, shape.length);
  const bound = () => (r() < 0.2 ? null : randInt(r, -5, 5));
  const [start, end, step] = [bound(), bound(), randInt(r, 1, 3)];
  const pos = pySlice(shape[d], start, end, step);
  return {
    desc: `slice(${dim}, ${start}, ${end}, ${step})`,
    shares: true,
    apply: (t) => t.slice(dim, start, end, step),
    naive: (v) =>
      gatherView(
        v,
        v.shape.map((n, i) => (i === d ? pos.length : n)),
        (idx) => idx.map((x, i) => (i === d ? pos[x] : x)),
      ),
  };
}

function selectOp(r: () => number, shape: Shape, d: number): ViewOp {
  const dim = r() < 0.5 ? d : d - shape.length;
  const index = randInt(r, -shape[d], shape[d] - 1);
  const i = index < 0 ? index + shape[d] : index;
  return {
    desc: `select(${dim}, ${index})`,
    shares: true,
    apply: (t) => t.select(dim, index),
    naive: (v) =>
      gatherView(
        v,
        v.shape.filter((_, k) => k !== d),
        (idx) => [...idx.slice(0, d), i, ...idx.slice(d)],
      ),
  };
}

function squeezeOp(r: () => number, shape: Shape): ViewOp {
  const dim = shape.length > 0 && r() < 0.7 ? randDim(r, shape.length) : null;
  const keep = (n: number, k: number) =>
    dim === null ? n !== 1 : k !== normDim(dim, shape.length) || n !== 1;
  const target = shape.filter(keep);
  return {
    desc: `squeeze(${dim})`,
    shares: true,
    apply: (t) => t.squeeze(dim),
    naive: (v) => ({ shape: target, src: [...v.src] }),
  };
}

function unsqueezeOp(r: () => number, shape: Shape): ViewOp {
  const dim = randInt(r, -shape.length - 1, shape.length);
  const d = normDim(dim, shape.length + 1);
  return {
    desc: `unsqueeze(${dim})`,
    shares: true,
    apply: (t) => t.unsqueeze(dim),
    naive: (v) => ({ shape: [...v.shape.slice(0, d), 1, ...v.shape.slice(d)], src: [...v.src] }),
  };
}

const VIEW_KINDS = ["reshape", "permute", "transpose", "expand", "slice", "select", "squeeze", "unsqueeze"] as const; // prettier-ignore
type ViewKind = (typeof VIEW_KINDS)[number];

/** A random op of `kind` valid for `shape`, or null when the kind does not apply (e.g. slice of a 0-d). */
function viewOp(kind: ViewKind, r: () => number, shape: Shape): ViewOp | null {
  const rank = shape.length;
  switch (kind) {
    case "reshape": return reshapeOp(r, shape); // prettier-ignore
    case "permute": return permuteOp(r, shape); // prettier-ignore
    case "transpose": return rank > 0 ? transposeOp(r, shape) : null; // prettier-ignore
    case "expand": return rank <= 4 ? expandOp(r, shape) : null; // prettier-ignore
    case "slice": return rank > 0 ? sliceOp(r, shape) : null; // prettier-ignore
    case "select": {
      const ok = shape.map((n, i) => (n > 0 ? i : -1)).filter((i) => i >= 0);
      return ok.length > 0 ? selectOp(r, shape, ok[randInt(r, 0, ok.length - 1)]) : null;
    }
    case "squeeze": return squeezeOp(r, shape); // prettier-ignore
    case "unsqueeze": return rank < 6 ? unsqueezeOp(r, shape) : null; // prettier-ignore
    default:
      return kind satisfies never;
  }
}

/** Checks y's shape and values against the naive view of base data `data`. */
function checkView(y: cr.Tensor, v: NaiveView, data: readonly number[], desc: string): void {
  expect(y.shape, desc).toEqual(v.shape);
  expect(values(y), desc).toEqual(v.src.map((i) => data[i]));
}

/** The gradient of Σ g·view(x) w.r.t. x: g scattered back through the map. */
function naiveViewGrad(v: NaiveView, g: readonly number[], n: number): number[] {
  const out = new Array<number>(n).fill(0);
  v.src.forEach((i, k) => (out[i] += g[k]));
  return out;
}

const distinct = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

describe("view ops against a naive reference", () => {
  for (const kind of VIEW_KINDS) {
    it(`${kind}: values, gradient and shared storage`, () => {
      fc.assert(
        fc.property(shapeArb(), seedArb, dtypeArb, (shape, seed, dtype) => {
          const r = rng(seed);
          const op = viewOp(kind, r, shape);
          if (op === null) return;
          const data = distinct(numel(shape));
          const x = leaf(data, shape, dtype);
          const y = op.apply(x);
          const v = op.naive({ shape, src: data.map((_, i) => i) });
          const desc = `${op.desc} of ${JSON.stringify(shape)}`;
          checkView(y, v, data, desc);
          if (op.shares) expect(y.storage === x.storage, `${desc} copied its input`).toBe(true);
          const g = smallInts(r, numel(v.shape));
          y.backward(cr.tensor(Float64Array.from(g), { shape: v.shape, dtype }));
          expect(values(x.grad as cr.Tensor), desc).toEqual(naiveViewGrad(v, g, data.length));
        }),
        { numRuns: 150 },
      );
    });
  }

  it("chains of views, then a binary op and a sum, match the composed naive maps", () => {
    fc.assert(
      fc.property(
        shapeArb(),
        fc.array(fc.constantFrom(...VIEW_KINDS), { minLength: 1, maxLength: 4 }),
        seedArb,
        dtypeArb,
        (shape, kinds, seed, dtype) => {
          const r = rng(seed);
          const data = smallInts(r, numel(shape));
          const x = leaf(data, shape, dtype);
          let y = x;
          let v: NaiveView = { shape, src: data.map((_, i) => i) };
          const descs: string[] = [];
          for (const kind of kinds) {
            const op = viewOp(kind, r, v.shape);
            if (op === null) continue;
            y = op.apply(y);
            v = op.naive(v);
            descs.push(op.desc);
          }
          const desc = `${JSON.stringify(shape)}.${descs.join(".")}`;
          checkView(y, v, data, desc);
          if (!kinds.includes("reshape")) expect(y.storage === x.storage, desc).toBe(true);
          // y * w + y, summed: gradient w + 1 scattered through the map; w broadcasts from the last dim
          const wShape = v.shape.slice(-1);
          const w = smallInts(r, numel(wShape));
          const wt = cr.tensor(Float64Array.from(w), { shape: wShape, dtype });
          const loss = y.mul(wt).add(y).sum();
          const perElem = indices(v.shape).map((idx) => (wShape.length ? w[idx[idx.length - 1]] : w[0]) + 1);
          expect(loss.item(), desc).toBe(v.src.reduce((p, i, k) => p + data[i] * perElem[k], 0));
          loss.backward();
          expect(values(x.grad as cr.Tensor), desc).toEqual(naiveViewGrad(v, perElem, data.length));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("reshape of non-contiguous data copies and keeps row-major order", () => {
    const x = cr.arange(6).reshape(2, 3);
    const y = x.T.reshape(6);
    expect(y.toArray()).toEqual([0, 3, 1, 4, 2, 5]);
    expect(y.storage === x.storage).toBe(false);
    expect(() => x.T.view(6)).toThrow(/view: .* use reshape\(\)/);
    // a view stays possible whenever the strides allow it (PyTorch's rule), e.g. merging untouched dims
    const base = cr.arange(24).reshape(2, 3, 4);
    expect(base.permute(2, 0, 1).reshape(4, 6).storage === base.storage).toBe(true);
    expect(base.permute(2, 0, 1).reshape(4, 6).toArray()).toEqual(
      [0, 1, 2, 3].map((k) => [0, 4, 8, 12, 16, 20].map((j) => j + k)),
    );
  });
});

// ---------------------------------------------------------------- cat / stack / split / chunk

describe("joining and splitting against a naive reference", () => {
  it("cat: values and each piece's gradient", () => {
    fc.assert(
      fc.property(
        nonEmptyShape(1),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }),
        seedArb,
        (shape, sizes, seed) => {
          const r = rng(seed);
          const dim = randDim(r, shape.length);
          const d = normDim(dim, shape.length);
          const parts = sizes.map((n) => {
            const s = shape.map((m, i) => (i === d ? n : m));
            return { s, data: smallInts(r, numel(s)) };
          });
          const xs = parts.map((p) => leaf(p.data, p.s, "float64"));
          const y = cr.cat(xs, dim);
          const outShape = shape.map((m, i) => (i === d ? sizes.reduce((a, b) => a + b, 0) : m));
          const offsets = sizes.map((_, k) => sizes.slice(0, k).reduce((a, b) => a + b, 0));
          const which = (idx: number[]) => {
            let k = 0;
            while (idx[d] >= offsets[k] + sizes[k]) k++;
            return {
              k,
              at: ravel(
                idx.map((x, i) => (i === d ? x - offsets[k] : x)),
                parts[k].s,
              ),
            };
          };
          expect(y.shape).toEqual(outShape);
          const want = indices(outShape).map((idx) => {
            const { k, at } = which(idx);
            return parts[k].data[at];
          });
          expect(values(y)).toEqual(want);
          const g = smallInts(r, numel(outShape));
          y.backward(cr.tensor(Float64Array.from(g), { shape: outShape, dtype: "float64" }));
          const grads = parts.map((p) => new Array<number>(p.data.length).fill(0));
          indices(outShape).forEach((idx, j) => {
            const { k, at } = which(idx);
            grads[k][at] += g[j];
          });
          xs.forEach((x, k) => expect(values(x.grad as cr.Tensor)).toEqual(grads[k]));
        },
      ),
      { numRuns: 150 },
    );
  });

  it("stack: values and gradients (dim relative to the output rank)", () => {
    fc.assert(
      fc.property(shapeArb(3), fc.integer({ min: 1, max: 3 }), seedArb, (shape, count, seed) => {
        const r = rng(seed);
        const dim = randInt(r, -shape.length - 1, shape.length);
        const d = normDim(dim, shape.length + 1);
        const datas = Array.from({ length: count }, () => smallInts(r, numel(shape)));
        const xs = datas.map((dt) => leaf(dt, shape, "float64"));
        const y = cr.stack(xs, dim);
        const outShape = [...shape.slice(0, d), count, ...shape.slice(d)];
        expect(y.shape).toEqual(outShape);
        const pick = (idx: number[]) => ({ k: idx[d], at: ravel([...idx.slice(0, d), ...idx.slice(d + 1)], shape) }); // prettier-ignore
        expect(values(y)).toEqual(indices(outShape).map((idx) => datas[pick(idx).k][pick(idx).at]));
        const g = smallInts(r, numel(outShape));
        y.backward(cr.tensor(Float64Array.from(g), { shape: outShape, dtype: "float64" }));
        const grads = datas.map((dt) => new Array<number>(dt.length).fill(0));
        indices(outShape).forEach((idx, j) => (grads[pick(idx).k][pick(idx).at] += g[j]));
        xs.forEach((x, k) => expect(values(x.grad as cr.Tensor)).toEqual(grads[k]));
      }),
      { numRuns: 150 },
    );
  });

  it("split (by size and by sections) and chunk: views that tile the dim in order", () => {
    fc.assert(
      fc.property(
        shapeArb(3).filter((s) => s.length > 0),
        seedArb,
        (shape, seed) => {
          const r = rng(seed);
          const dim = randDim(r, shape.length);
          const d = normDim(dim, shape.length);
          const n = shape[d];
          const x = leaf(distinct(numel(shape)), shape, "float64");
          const size = randInt(r, 1, 4);
          const sections = Array.from({ length: 5 }, () => randInt(r, 0, 3));
          const chunks = randInt(r, 1, 4);
          const chunkSize = Math.max(1, Math.ceil(n / chunks));
          const expectSizes = (s: number) => {
            const out: number[] = [];
            for (let at = 0; at < n; at += s) out.push(Math.min(s, n - at));
            return n === 0 ? [0] : out;
          };
          const secs = fixSections(sections, n);
          const cases: [string, cr.Tensor[], number[]][] = [
            [`split(${size}, ${dim})`, x.split(size, dim), expectSizes(size)],
            [`split(${JSON.stringify(secs)}, ${dim})`, x.split(secs, dim), secs],
            [`chunk(${chunks}, ${dim})`, x.chunk(chunks, dim), expectSizes(chunkSize)],
          ];
          for (const [desc, pieces, sizes] of cases) {
            expect(
              pieces.map((p) => p.shape[d]),
              desc,
            ).toEqual(sizes);
            let at = 0;
            for (const p of pieces) {
              const v = sliceOpAt(d, at, at + p.shape[d]).naive({
                shape,
                src: distinct(numel(shape)).map((_, i) => i),
              });
              checkView(p, v, distinct(numel(shape)), desc);
              expect(p.storage === x.storage, desc).toBe(true);
              at += p.shape[d];
            }
          }
          // the gradient of the pieces reassembles the whole
          const pieces = x.split(size, dim);
          cr.cat(pieces, dim).mul(2).sum().backward();
          expect(values(x.grad as cr.Tensor)).toEqual(new Array<number>(numel(shape)).fill(2));
        },
      ),
      { numRuns: 150 },
    );
  });
});

/** Random section sizes (zeros allowed) that add up to n. */
function fixSections(raw: number[], n: number): number[] {
  const out: number[] = [];
  let left = n;
  for (const s of raw) {
    if (left === 0) break;
    const take = Math.min(s, left);
    out.push(take);
    left -= take;
  }
  if (left > 0 || out.length === 0) out.push(left);
  return out;
}

function sliceOpAt(d: number, start: number, end: number): ViewOp {
  return {
    desc: `slice(${d}, ${start}, ${end})`,
    shares: true,
    apply: (t) => t.slice(d, start, end),
    naive: (v) =>
      gatherView(
        v,
        v.shape.map((n, i) => (i === d ? end - start : n)),
        (idx) => idx.map((x, i) => (i === d ? x + start : x)),
      ),
  };
}

// ---------------------------------------------------------------- (c) reductions

type DimArg = number | number[] | null;

/** null, one dim (maybe negative) or a list of distinct dims. */
const dimsFor = (r: () => number, rank: number): DimArg => {
  const u = r();
  if (u < 0.25 || rank === 0) return u < 0.1 && rank === 0 ? [] : null;
  if (u < 0.6) return randDim(r, rank);
  const picked = shuffle(
    r,
    Array.from({ length: rank }, (_, i) => i),
  ).slice(0, randInt(r, 0, rank));
  return picked.map((d) => (r() < 0.3 ? d - rank : d));
};

/** Groups each element's flat index under the output element it reduces into. */
function naiveReduce(shape: Shape, dim: DimArg, keepdim: boolean) {
  const axes =
    dim === null
      ? shape.map((_, i) => i)
      : (typeof dim === "number" ? [dim] : dim).map((d) => normDim(d, shape.length));
  const kept = shape.map((n, i) => (axes.includes(i) ? 1 : n));
  const out = keepdim ? kept : shape.filter((_, i) => !axes.includes(i));
  const groups: number[][] = Array.from({ length: numel(kept) }, () => []);
  indices(shape).forEach((idx, k) =>
    groups[
      ravel(
        idx.map((x, i) => (axes.includes(i) ? 0 : x)),
        kept,
      )
    ].push(k),
  );
  return { out, groups, axes };
}

describe("reductions against a naive reference", () => {
  const cases = {
    sum: {
      f: (xs: number[]) => xs.reduce((a, b) => a + b, 0),
      grad: (xs: number[]) => xs.map(() => 1),
    },
    mean: {
      f: (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length,
      grad: (xs: number[]) => xs.map(() => 1 / xs.length),
    },
    amax: {
      f: (xs: number[]) => Math.max(...xs),
      grad: (xs: number[]) => {
        const m = Math.max(...xs);
        const ties = xs.filter((v) => v === m).length;
        return xs.map((v) => (v === m ? 1 / ties : 0));
      },
    },
  };
  for (const [name, ref] of Object.entries(cases) as [keyof typeof cases, (typeof cases)["sum"]][]) {
    it(`${name} over random dims, with and without keepdim: values and gradients`, () => {
      fc.assert(
        fc.property(shapeArb(), seedArb, dtypeArb, fc.boolean(), (shape, seed, dtype, keepdim) => {
          const r = rng(seed);
          const dim = dimsFor(r, shape.length);
          const { out, groups, axes } = naiveReduce(shape, dim, keepdim);
          // amax over a size-0 dim is refused, even when the output is empty (as in PyTorch): errors.test.ts
          if (name === "amax" && axes.some((a) => shape[a] === 0)) return;
          const data = smallInts(r, numel(shape));
          const x = leaf(data, shape, dtype);
          const y = cr[name](x, dim, { keepdim });
          const desc = `${name}(${JSON.stringify(shape)}, ${JSON.stringify(dim)}, keepdim=${keepdim})`;
          expect(y.shape, desc).toEqual(out);
          const tol = dtype === "float32" ? 1e-6 : 1e-12;
          expectClose(y, groups.map((gr) => ref.f(gr.map((k) => data[k]))), tol); // prettier-ignore
          const g = smallInts(r, numel(out));
          y.backward(cr.tensor(Float64Array.from(g), { shape: out, dtype }));
          const want = new Array<number>(data.length).fill(0);
          groups.forEach((gr, j) =>
            ref.grad(gr.map((k) => data[k])).forEach((w, q) => (want[gr[q]] += g[j] * w)),
          );
          expectClose(x.grad, want, tol);
        }),
        { numRuns: 150 },
      );
    });
  }

  it("reductions of strided views (permuted, sliced, expanded) match the naive result", () => {
    fc.assert(
      fc.property(nonEmptyShape(2, 4), seedArb, fc.boolean(), (shape, seed, keepdim) => {
        const r = rng(seed);
        const data = smallInts(r, numel(shape));
        let x = cr.tensor(Float64Array.from(data), { shape });
        let v: NaiveView = { shape, src: data.map((_, i) => i) };
        const descs: string[] = [JSON.stringify(shape)];
        for (const kind of ["permute", "slice", "expand"] as const) {
          const op = viewOp(kind, r, v.shape) as ViewOp;
          x = op.apply(x);
          v = op.naive(v);
          descs.push(op.desc);
        }
        const dim = dimsFor(r, v.shape.length);
        const { groups, axes } = naiveReduce(v.shape, dim, keepdim);
        const desc = `${descs.join(".")}.sum(${JSON.stringify(dim)})`;
        const sums = groups.map((gr) => gr.reduce((p, k) => p + data[v.src[k]], 0));
        expectClose(cr.sum(x, dim, { keepdim }), sums, 0, desc);
        if (axes.every((a) => v.shape[a] > 0))
          expectClose(
            cr.amax(x, dim, { keepdim }),
            groups.map((gr) => Math.max(...gr.map((k) => data[v.src[k]]))),
            0,
            desc,
          );
      }),
      { numRuns: 200 },
    );
  });
});
