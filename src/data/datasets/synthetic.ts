// Synthetic 2-D classification sets for the lecture (xor, moons, circles, spirals, blobs), seeded and
// noisy on request. Each returns x: float32 [n, 2] and y: int32 [n], with the classes interleaved.
import { randperm } from "../../tensor/create.js";
import { Tensor } from "../../tensor/tensor.js";
import { check } from "../../util/errors.js";
import { nextNormal, nextUniform } from "../../util/random.js";
import { withSeed } from "../seeded.js";

/** A labelled data set: features x [n, d] (float32) and class indices y [n] (int32). */
export interface Labelled {
  x: Tensor;
  y: Tensor;
}

/** Options shared by the synthetic sets. */
export interface SyntheticOptions {
  /** Standard deviation of Gaussian noise added to each coordinate (default 0). */
  noise?: number;
  /** Seed for a repeatable set that leaves the global stream untouched; default: the global stream. */
  seed?: number;
}

type Point = [number, number, number]; // x0, x1, label

function checkArgs(op: string, n: number, noise: number): void {
  check(Number.isInteger(n) && n >= 1, op, () => `n must be a positive integer, got ${n}`);
  check(noise >= 0 && Number.isFinite(noise), op, () => `noise must be a finite number ≥ 0, got ${noise}`);
}

/** Adds the noise, shuffles the points and packs them into tensors (all draws on the current stream). */
function pack(points: Point[], noise: number): Labelled {
  const n = points.length;
  const perm = randperm(n).data;
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const [a, b, label] = points[perm[i]];
    x[2 * i] = noise > 0 ? a + noise * nextNormal() : a;
    x[2 * i + 1] = noise > 0 ? b + noise * nextNormal() : b;
    y[i] = label;
  }
  return { x: Tensor.fromData(x, [n, 2], "float32"), y: Tensor.fromData(y, [n], "int32") };
}

/** Sizes of k classes sharing n points, the first ones one larger when n is not a multiple of k. */
function classSizes(n: number, k: number): number[] {
  return Array.from({ length: k }, (_, j) => Math.floor(n / k) + (j < n % k ? 1 : 0));
}

/**
 * XOR: points uniform in [−1, 1]², class 1 where exactly one coordinate is positive
 * (y = [x0 > 0] ⊕ [x1 > 0]), then noise. Not linearly separable: the lecture's first hidden layer.
 */
export function xor(n: number, opts: SyntheticOptions = {}): Labelled {
  const noise = opts.noise ?? 0;
  checkArgs("xor", n, noise);
  return withSeed(opts.seed, () => {
    const points: Point[] = Array.from({ length: n }, () => {
      const a = 2 * nextUniform() - 1;
      const b = 2 * nextUniform() - 1;
      return [a, b, a > 0 !== b > 0 ? 1 : 0];
    });
    return pack(points, noise);
  });
}

/**
 * Two interleaving half circles (sklearn's make_moons): class 0 on (cos t, sin t), class 1 on
 * (1 − cos t, 0.5 − sin t), t evenly spaced in [0, π].
 */
export function moons(n: number, opts: SyntheticOptions = {}): Labelled {
  const noise = opts.noise ?? 0;
  checkArgs("moons", n, noise);
  const [nOut, nIn] = [Math.floor(n / 2), n - Math.floor(n / 2)];
  const ts = (m: number, i: number): number => (m === 1 ? 0 : (Math.PI * i) / (m - 1));
  const points: Point[] = [
    ...Array.from({ length: nOut }, (_, i): Point => [Math.cos(ts(nOut, i)), Math.sin(ts(nOut, i)), 0]),
    ...Array.from({ length: nIn }, (_, i): Point => [
      1 - Math.cos(ts(nIn, i)),
      0.5 - Math.sin(ts(nIn, i)),
      1,
    ]),
  ];
  return withSeed(opts.seed, () => pack(points, noise));
}

/**
 * Two concentric circles (sklearn's make_circles): class 0 on the unit circle, class 1 on the circle
 * of radius `factor` (default 0.8), angles evenly spaced.
 */
export function circles(n: number, opts: SyntheticOptions & { factor?: number } = {}): Labelled {
  const noise = opts.noise ?? 0;
  const factor = opts.factor ?? 0.8;
  checkArgs("circles", n, noise);
  check(factor > 0 && factor < 1, "circles", () => `factor must be in (0, 1), got ${factor}`);
  const [nOut, nIn] = [Math.floor(n / 2), n - Math.floor(n / 2)];
  const ring = (m: number, r: number, label: number): Point[] =>
    Array.from({ length: m }, (_, i) => {
      const t = (2 * Math.PI * i) / m;
      return [r * Math.cos(t), r * Math.sin(t), label];
    });
  return withSeed(opts.seed, () => pack([...ring(nOut, 1, 0), ...ring(nIn, factor, 1)], noise));
}

/**
 * k interleaved spiral arms (default 2 classes, 1 turn): arm j has points at radius r ∈ (0, 1] and
 * angle θ = 2π (j / k + turns · r), i.e. x = r (cos θ, sin θ).
 */
export function spirals(
  n: number,
  opts: SyntheticOptions & { classes?: number; turns?: number } = {},
): Labelled {
  const noise = opts.noise ?? 0;
  const k = opts.classes ?? 2;
  const turns = opts.turns ?? 1;
  checkArgs("spirals", n, noise);
  check(
    Number.isInteger(k) && k >= 2 && k <= n,
    "spirals",
    () => `classes must be an integer in [2, n], got ${k}`,
  );
  check(
    turns > 0 && Number.isFinite(turns),
    "spirals",
    () => `turns must be a positive number, got ${turns}`,
  );
  const points = classSizes(n, k).flatMap((m, j) =>
    Array.from({ length: m }, (_, i): Point => {
      const r = (i + 1) / m;
      const theta = 2 * Math.PI * (j / k + turns * r);
      return [r * Math.cos(theta), r * Math.sin(theta), j];
    }),
  );
  return withSeed(opts.seed, () => pack(points, noise));
}

/**
 * Gaussian blobs (sklearn's make_blobs): `centers` cluster centres (a count, drawn uniformly in
 * [−box, box]², default 3 in [−10, 10]², or explicit [x, y] pairs), points normal around them with
 * standard deviation `noise` (default 1, sklearn's cluster_std). Class j is centre j.
 */
export function blobs(
  n: number,
  opts: SyntheticOptions & { centers?: number | readonly (readonly [number, number])[]; box?: number } = {},
): Labelled {
  const noise = opts.noise ?? 1;
  const box = opts.box ?? 10;
  checkArgs("blobs", n, noise);
  const c = opts.centers ?? 3;
  check(
    typeof c !== "number" || (Number.isInteger(c) && c >= 1),
    "blobs",
    () => `centers must be a positive integer or a list of [x, y] pairs, got ${String(c)}`,
  );
  return withSeed(opts.seed, () => {
    const centers =
      typeof c === "number"
        ? Array.from({ length: c }, () => [box * (2 * nextUniform() - 1), box * (2 * nextUniform() - 1)])
        : c;
    check(centers.length >= 1, "blobs", () => "expected at least one centre");
    const points = classSizes(n, centers.length).flatMap((m, j) =>
      Array.from({ length: m }, (): Point => [centers[j][0], centers[j][1], j]),
    );
    return pack(points, noise);
  });
}
