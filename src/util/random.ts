// The seeded random stream behind rand/randn/randint, dropout and init: manualSeed(n) makes runs repeatable.

// xoshiro128** (Blackman & Vigna): 128-bit state, 32-bit outputs, fast in JS integer arithmetic.
let s0 = 0;
let s1 = 0;
let s2 = 0;
let s3 = 0;
let spareNormal: number | null = null;

function splitmix32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Seeds the global generator; every random result afterwards is reproducible. */
export function manualSeed(seed: number): void {
  if (!Number.isFinite(seed)) throw new Error(`manualSeed: seed must be a finite number, got ${seed}`);
  const next = splitmix32(Math.floor(seed) ^ Math.floor(seed / 2 ** 32));
  s0 = next();
  s1 = next();
  s2 = next();
  s3 = next();
  spareNormal = null;
}

/** A uniformly distributed 32-bit unsigned integer. */
export function nextUint32(): number {
  const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
  const t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = rotl(s3, 11);
  return result;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Uniform in [0, 1) with 53 random bits. */
export function nextUniform(): number {
  return (nextUint32() * 2 ** 21 + (nextUint32() >>> 11)) / 2 ** 53;
}

/** Standard normal (Box–Muller, caching the second value). */
export function nextNormal(): number {
  if (spareNormal !== null) {
    const v = spareNormal;
    spareNormal = null;
    return v;
  }
  let u = 0;
  while (u === 0) u = nextUniform();
  const v = nextUniform();
  const r = Math.sqrt(-2 * Math.log(u));
  spareNormal = r * Math.sin(2 * Math.PI * v);
  return r * Math.cos(2 * Math.PI * v);
}

/** The generator's full state, for checkpoints: restoring it continues the exact same stream. */
export interface RngState {
  s: [number, number, number, number];
  spareNormal: number | null;
}

export function getRngState(): RngState {
  return { s: [s0, s1, s2, s3], spareNormal };
}

export function setRngState(state: RngState): void {
  [s0, s1, s2, s3] = state.s.map((x) => x >>> 0) as [number, number, number, number];
  spareNormal = state.spareNormal;
}

manualSeed(Date.now());
