// The native backend's fused optimizer kernels (sgdStep, adamStep in csrc/optim.cc) against their
// specification, bit for bit: the JavaScript loops of src/optim/fused.ts (run on the cpu backend, which
// has no such kernels) and the tensor-op updates of sgd.ts / adam.ts (a parameter that shares its storage
// with its gradient is not fusible). Every option combination, sizes around the vector widths, special
// values (±0, subnormals, overflow, ±∞), the AVX2 and the generic kernels, one and two threads.
import { afterEach, describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";
import { fusible } from "../../src/optim/fused.js";
import { nativeBackend, nativeLimits, selectKernels } from "../../src/backend/native/index.js";
import { rng } from "../backend/support.js";

const SPECIALS = [0, -0, 1e-40, -3e-39, 1e20, -1e20, 3e38, Infinity, -Infinity, 1e-30];

/** n float32 values, mostly in (−1, 1), a few special ones (none when `plain`). */
function draw(r: () => number, n: number, plain = false): Float32Array {
  return Float32Array.from({ length: n }, () =>
    !plain && r() < 0.04 ? SPECIALS[Math.floor(r() * SPECIALS.length)] : r() * 2 - 1,
  );
}

/** The bits of each element; every NaN counts as one (JavaScript engines do not fix NaN payloads). */
function bits(x: Float32Array): Uint32Array {
  const u = new Uint32Array(x.buffer, x.byteOffset, x.length).slice();
  for (let i = 0; i < x.length; i++) if (Number.isNaN(x[i])) u[i] = 0x7fc00000;
  return u;
}

/** "equal", or where two lists of bit arrays first differ. */
function diff(a: Uint32Array[], b: Uint32Array[]): string {
  if (a.length !== b.length) return `${a.length} vs ${b.length} arrays`;
  for (let k = 0; k < a.length; k++) {
    if (a[k].length !== b[k].length) return `array ${k}: length ${a[k].length} vs ${b[k].length}`;
    for (let i = 0; i < a[k].length; i++)
      if (a[k][i] !== b[k][i])
        return `array ${k}[${i}]: bits ${a[k][i].toString(16)} vs ${b[k][i].toString(16)}`;
  }
  return "equal";
}

type Path = "native" | "js" | "ops";
type Make = (p: cr.Tensor) => cr.optim.Optimizer;

/** One update per gradient of one parameter along `path`; returns p and every state tensor after each. */
function trajectory(path: Path, make: Make, p0: Float32Array, grads: Float32Array[]): Uint32Array[] {
  const n = p0.length;
  cr.setBackend(path === "native" ? "native" : "cpu");
  // The ops path: p and its gradient share one storage, so fusible() is false and sgd.ts/adam.ts use ops.
  // The fused paths: p sits at an odd offset in a larger storage (unaligned vectors, a subarray).
  const at = path === "ops" ? 0 : 3;
  const base = cr.zeros([path === "ops" ? 2 * n : n + 5]);
  base.data.set(p0, at);
  const p = base.narrow(0, at, n).requiresGrad_();
  const opt = make(p);
  const out: Uint32Array[] = [];
  for (const g of grads) {
    if (path === "ops") {
      base.data.set(g, n);
      p.grad = base.narrow(0, n, n);
    } else p.grad = cr.tensor(g.slice());
    expect(fusible(p, p.grad)).toBe(path !== "ops");
    opt.step();
    const st = Object.values(opt.state.get(p) ?? {}).filter((t) => t instanceof cr.Tensor);
    out.push(...[p, ...st].map((t) => bits((t as cr.Tensor).toTypedArray() as Float32Array)));
  }
  return out;
}

/** A starting parameter and four gradients of n elements (the third all zero), seeded by n. */
function data(n: number): [Float32Array, Float32Array[]] {
  const r = rng(n * 7919 + 13);
  return [draw(r, n), [draw(r, n), draw(r, n), new Float32Array(n), draw(r, n)]];
}

const same = (a: Uint32Array[], b: Uint32Array[], label: string) =>
  expect(`${label}: ${diff(a, b)}`).toBe(`${label}: equal`);

/** Checks native = js = ops for `make` at each size, over four steps. */
function check(make: Make, sizes: readonly number[]): void {
  for (const n of sizes) {
    const [p0, grads] = data(n);
    const js = trajectory("js", make, p0, grads);
    same(trajectory("native", make, p0, grads), js, `native n=${n}`);
    same(trajectory("ops", make, p0, grads), js, `ops n=${n}`);
  }
}

const SIZES = [1, 7, 8, 31, 1000, 100003];
const { SGD, Adam, AdamW } = cr.optim;

function sgdOptions(): Record<string, number | boolean>[] {
  const all = [];
  for (const [momentum, dampening, nesterov] of [
    [0, 0, false],
    [0.9, 0, false],
    [0.9, 0, true],
    [0.8, 0.3, false],
  ] as const)
    for (const weightDecay of [0, 0.05])
      for (const maximize of [false, true])
        all.push({ momentum, dampening, nesterov, weightDecay, maximize });
  return all;
}

function adamOptions(): Record<string, number | boolean>[] {
  const all = [];
  for (const weightDecay of [0, 0.1])
    for (const amsgrad of [false, true])
      for (const maximize of [false, true]) all.push({ weightDecay, amsgrad, maximize });
  return all;
}

// Without the addon (CHAINRULE_NATIVE=0, or no compiler at install) there is no native kernel to test;
// the JS loops against the tensor-op updates are covered by test/core/cpu-fast-paths.test.ts.
describe.skipIf(nativeBackend === null)("native fused optimizer kernels, bit for bit", () => {
  const saved = { ...nativeLimits, threads: cr.getNumThreads() };
  afterEach(() => {
    Object.assign(nativeLimits, saved);
    cr.setNumThreads(saved.threads);
    selectKernels("auto");
    cr.setBackend("native");
  });

  it("the backend offers sgdStep and adamStep", () => {
    expect(typeof nativeBackend?.sgdStep).toBe("function");
    expect(typeof nativeBackend?.adamStep).toBe("function");
  });

  it("SGD, every option combination and size", () => {
    nativeLimits.minElements = 0;
    for (const o of sgdOptions()) check((p) => new SGD([p], { lr: 0.07, ...o }), SIZES);
  });

  it("Adam and AdamW, every option combination and size", () => {
    nativeLimits.minElements = 0;
    for (const o of adamOptions()) {
      check((p) => new Adam([p], { lr: 0.01, ...o }), SIZES);
      check((p) => new AdamW([p], { lr: 0.02, betas: [0.8, 0.99], eps: 1e-6, ...o }), SIZES);
    }
  });

  it("the generic (non-AVX2) kernels and one or two threads give the same bits", () => {
    nativeLimits.minElements = 0;
    const makes: Make[] = [
      (p) => new SGD([p], { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 }),
      (p) => new SGD([p], { lr: 0.1, momentum: 0.9, dampening: 0.1 }),
      (p) => new Adam([p], { lr: 0.01, amsgrad: true, maximize: true }),
      (p) => new AdamW([p], { lr: 0.01, weightDecay: 0.1 }),
    ];
    // Runs over 16 MB (1000003 elements × 20–36 bytes) are split across the threads.
    for (const n of [7, 31, 100003, 1000003])
      for (const make of makes) {
        const [p0, grads] = data(n);
        const js = trajectory("js", make, p0, grads);
        for (const threads of n > 1e6 ? [1, 2] : [1])
          for (const isa of ["generic", "auto"]) {
            cr.setNumThreads(threads);
            expect(selectKernels(isa)).toBe(true);
            same(trajectory("native", make, p0, grads), js, `${isa} ${threads}t n=${n}`);
          }
      }
  });

  it("short runs stay in JavaScript unless the limit says otherwise", () => {
    const [p, g, b] = [new Float32Array(8), new Float32Array(8).fill(1), new Float32Array(8)];
    const k = { sign: 1, momentum: 0.5, keep: 1, lr: -0.5, weightDecay: 0, decays: false, nesterov: false };
    nativeLimits.minElements = 64;
    expect(nativeBackend?.sgdStep?.(p, g, b, { ...k, first: true })).toBe(false);
    expect(p[0]).toBe(0);
    nativeLimits.minElements = 0;
    expect(nativeBackend?.sgdStep?.(p, g, b, { ...k, first: true })).toBe(true);
    expect(nativeBackend?.sgdStep?.(p, g, b, { ...k, first: false })).toBe(true);
    expect([p[0], b[0]]).toEqual([-1.25, 1.5]); // b: 1, then 0.5 + 1; p: −0.5, then −0.5 − 0.75
  });

  it("the addon refuses runs that overlap, differ in length or are not float32", () => {
    nativeLimits.minElements = 0;
    const k = { sign: 1, momentum: 0.9, keep: 1, lr: -0.1, weightDecay: 0, decays: false, nesterov: false };
    const s = { ...k, first: false };
    const store = new Float32Array(100);
    const step = (p: Float32Array, g: Float32Array, b: Float32Array | null) => () =>
      nativeBackend?.sgdStep?.(p, g, b, s);
    expect(step(store.subarray(0, 50), store.subarray(50), null)).not.toThrow();
    expect(step(store.subarray(0, 50), store.subarray(49, 99), null)).toThrow(/sgdStep: bad arguments/);
    expect(step(store.subarray(0, 40), new Float32Array(40), store.subarray(30, 70))).toThrow(
      /bad arguments/,
    );
    expect(step(new Float32Array(4), new Float32Array(5), null)).toThrow(/bad arguments/);
    const f64 = new Float64Array(4) as unknown as Float32Array;
    expect(step(new Float32Array(4), f64, null)).toThrow(/bad arguments/);
    const a = () => new Float32Array(16);
    const ak = {
      sign: 1,
      beta1: 0.9,
      keep1: 0.1,
      beta2: 0.9,
      keep2: 0.1,
      stepSize: -0.1,
      bc2Sqrt: 1,
      eps: 1e-8,
    };
    const adam = { ...ak, wdS: 0, shrink: 1, shrinks: false, l2: false };
    const m = a();
    expect(() => nativeBackend?.adamStep?.(a(), a(), m, m, null, adam)).toThrow(/adamStep: bad arguments/);
    expect(nativeBackend?.adamStep?.(a(), a(), a(), a(), a(), adam)).toBe(true);
  });
});
