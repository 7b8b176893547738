// Helpers for the backend conformance tests: a seeded generator, random storage with special values,
// random views (offset, strided, permuted, broadcast) and element-by-element comparison.
import { expect } from "vitest";
import type { TypedArray, View } from "../../src/backend/backend.js";

export type Kind = "float32" | "float64" | "int32" | "bool";
export const FLOATS: Kind[] = ["float32", "float64"];
export const KINDS: Kind[] = ["float32", "float64", "int32", "bool"];

/** mulberry32: a small seeded generator, so that each case is reproducible from its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const int = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

export function alloc(kind: Kind, n: number): TypedArray {
  if (kind === "float32") return new Float32Array(n);
  if (kind === "float64") return new Float64Array(n);
  if (kind === "int32") return new Int32Array(n);
  return new Uint8Array(n);
}

const SPECIALS = [
  0,
  -0,
  0,
  -0,
  NaN,
  Infinity,
  -Infinity,
  1,
  -1,
  0.5,
  1e30,
  -1e-30,
  3.5,
  88.7,
  -100,
  2 ** 31 + 7,
];

/** Storage of `n` elements: normal draws, and with `special` set some NaN, ±∞, ±0, huge and tiny values. */
export function fill(r: () => number, kind: Kind, n: number, special = true, ties = false): TypedArray {
  const x = alloc(kind, n);
  for (let i = 0; i < n; i++) {
    if (kind === "bool") x[i] = r() < 0.5 ? 1 : 0;
    else if (kind === "int32") x[i] = r() < 0.05 ? int(r, -(2 ** 31), 2 ** 31 - 1) : int(r, -9, 9);
    else if (special && r() < 0.15) x[i] = SPECIALS[int(r, 0, SPECIALS.length - 1)];
    else if (ties) x[i] = int(r, -3, 3);
    else {
      const u = Math.max(r(), 1e-12);
      x[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r()) * (r() < 0.2 ? 30 : 1.5);
    }
  }
  return x;
}

export interface Operand {
  view: View;
  size: number;
}

/**
 * A random view of `shape`: each dim may be broadcast (stride 0, if allowed), stepped by 2 (a slice), and
 * the dims laid out in a random order (a permutation), at a random offset. `size` is the storage needed.
 */
export function randomView(r: () => number, shape: readonly number[], broadcast = false): Operand {
  const nd = shape.length;
  const bcast = shape.map((d) => broadcast && d > 1 && r() < 0.3);
  const step = shape.map(() => (r() < 0.25 ? 2 : 1));
  const extent = shape.map((d, i) => (bcast[i] ? 1 : d * step[i]));
  const order = shape.map((_, i) => i).sort(() => r() - 0.5);
  const storageStride = new Array<number>(nd).fill(0);
  let acc = 1;
  for (let j = nd - 1; j >= 0; j--) {
    storageStride[order[j]] = acc;
    acc *= Math.max(extent[order[j]], 1);
  }
  const strides = shape.map((_, i) => (bcast[i] ? 0 : storageStride[i] * step[i]));
  const offset = int(r, 0, 3);
  const empty = shape.some((d) => d === 0);
  const size = offset + (empty ? 0 : acc) + int(r, 0, 2);
  return { view: { shape: [...shape], strides, offset }, size };
}

/** A random shape of rank lo..hi with dims 0..maxDim (0 only when `empty`), ≥ minNumel elements unless empty. */
export function randomShape(
  r: () => number,
  lo: number,
  hi: number,
  maxDim: number,
  empty = false,
): number[] {
  const nd = int(r, lo, hi);
  return Array.from({ length: nd }, () => (empty && r() < 0.05 ? 0 : int(r, 1, maxDim)));
}

export function contiguousView(shape: readonly number[]): View {
  const strides = new Array<number>(shape.length);
  for (let i = shape.length - 1, acc = 1; i >= 0; acc *= shape[i], i--) strides[i] = acc;
  return { shape: [...shape], strides, offset: 0 };
}

export const numel = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

const fmt = (v: number): string => (Object.is(v, -0) ? "-0" : String(v));

/**
 * Expects actual ≈ expected element by element: identical (Object.is, so signed zeros count; any NaN
 * matches NaN) when rtol is 0, else |a - e| ≤ rtol · scale[i] (scale defaults to |e|).
 */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol: number,
  what: string,
  scale?: ArrayLike<number>,
): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Object.is(a, e) || (rtol > 0 && a === e)) continue;
    const s = scale ? scale[i] : Math.abs(e);
    const ok = rtol > 0 && Number.isFinite(e) && Math.abs(a - e) <= rtol * s;
    if (!ok) expect.fail(`${what}: element ${i} is ${fmt(a)}, expected ${fmt(e)} (rtol ${rtol}, scale ${s})`);
  }
}
