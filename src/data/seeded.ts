// Seeded draws for data utilities: run a function on a private stream (an explicit seed) without
// disturbing the global one, or on a seed drawn once from the global stream (cr.manualSeed).
import { getRngState, manualSeed, nextUint32, setRngState } from "../util/random.js";
import { check } from "../util/errors.js";

/**
 * Runs `fn` with the random stream seeded by `seed`, then restores the global stream exactly, so
 * a seeded shuffle or dataset neither depends on nor changes other random draws. Without a seed,
 * `fn` runs on the global stream.
 */
export function withSeed<T>(seed: number | undefined, fn: () => T): T {
  if (seed === undefined) return fn();
  check(Number.isFinite(seed), "seed", () => `seed must be a finite number, got ${seed}`);
  const saved = getRngState();
  manualSeed(seed);
  try {
    return fn();
  } finally {
    setRngState(saved);
  }
}

/** One 32-bit seed drawn from the global stream (PyTorch's DataLoader draws one per epoch likewise). */
export function drawSeed(): number {
  return nextUint32();
}

/** A seed for epoch `epoch` of a generator seeded with `seed` (a 32-bit mix; distinct epochs differ). */
export function epochSeed(seed: number, epoch: number): number {
  const lo = (Math.floor(seed) ^ Math.floor(seed / 2 ** 32)) >>> 0;
  return (lo ^ Math.imul(epoch + 1, 0x9e3779b9)) >>> 0;
}
