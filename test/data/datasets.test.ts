// Built-in data sets: the synthetic 2-D sets (shapes, classes, geometry, noise, seeds), iris, MNIST.
import fs from "node:fs";
import { describe, expect, it, vi } from "vitest";
import * as cr from "../../src/index.js";

const { xor, moons, circles, spirals, blobs, iris, mnist, mnistSplit } = cr.data;

const counts = (y: cr.Tensor, k: number): number[] => {
  const c = new Array<number>(k).fill(0);
  for (const v of y.toTypedArray()) c[v]++;
  return c;
};
const pointsOf = (x: cr.Tensor): number[][] => x.toArray() as number[][];

describe("synthetic 2-D data sets", () => {
  const makers = { xor, moons, circles, spirals, blobs };

  for (const [name, make] of Object.entries(makers)) {
    it(`${name}: x float32 [n,2], y int32 [n], repeatable from a seed, global stream untouched`, () => {
      const a = make(101, { seed: 3, noise: 0.1 });
      expect(a.x.shape).toEqual([101, 2]);
      expect(a.x.dtype).toBe("float32");
      expect(a.y.shape).toEqual([101]);
      expect(a.y.dtype).toBe("int32");
      cr.manualSeed(8);
      const expected = cr.rand([2]).toArray();
      cr.manualSeed(8);
      const b = make(101, { seed: 3, noise: 0.1 });
      expect(cr.rand([2]).toArray()).toEqual(expected);
      expect(b.x.toArray()).toEqual(a.x.toArray());
      expect(b.y.toArray()).toEqual(a.y.toArray());
      expect(make(101, { seed: 4, noise: 0.1 }).x.toArray()).not.toEqual(a.x.toArray());
      // without a seed the set follows cr.manualSeed
      cr.manualSeed(1);
      const c = make(20, { noise: 0.1 });
      cr.manualSeed(1);
      expect(make(20, { noise: 0.1 }).x.toArray()).toEqual(c.x.toArray());
    });
  }

  it("refuses bad sizes and noise", () => {
    expect(() => moons(0)).toThrow(/moons: n must be a positive integer, got 0/);
    expect(() => xor(10, { noise: -1 })).toThrow(/noise must be a finite number ≥ 0, got -1/);
    expect(() => spirals(10, { classes: 1 })).toThrow(/classes must be an integer in \[2, n\]/);
    expect(() => circles(10, { factor: 1.5 })).toThrow(/factor must be in \(0, 1\)/);
  });

  it("xor: the label is the XOR of the coordinates' signs (no noise)", () => {
    const { x, y } = xor(400, { seed: 0 });
    const ys = y.toTypedArray();
    pointsOf(x).forEach(([a, b], i) => {
      expect(Math.abs(a)).toBeLessThanOrEqual(1);
      expect(ys[i]).toBe(a > 0 !== b > 0 ? 1 : 0);
    });
    const [c0, c1] = counts(y, 2);
    expect(c0 + c1).toBe(400);
    expect(Math.abs(c0 - c1)).toBeLessThan(80);
  });

  it("moons: two half circles of radius 1, centred at (0,0) and (1,0.5), balanced and shuffled", () => {
    const { x, y } = moons(100, { seed: 0 });
    const ys = y.toTypedArray();
    expect(counts(y, 2)).toEqual([50, 50]);
    pointsOf(x).forEach(([a, b], i) => {
      const [cx, cy] = ys[i] === 0 ? [0, 0] : [1, 0.5];
      expect(Math.hypot(a - cx, b - cy)).toBeCloseTo(1, 5);
      expect(ys[i] === 0 ? b >= -1e-6 : b <= 0.5 + 1e-6).toBe(true);
    });
    expect([...ys.slice(0, 50)].every((v) => v === 0)).toBe(false);
  });

  it("circles: radius 1 for class 0 and `factor` for class 1", () => {
    const { x, y } = circles(60, { seed: 0, factor: 0.5 });
    const ys = y.toTypedArray();
    expect(counts(y, 2)).toEqual([30, 30]);
    pointsOf(x).forEach(([a, b], i) => expect(Math.hypot(a, b)).toBeCloseTo(ys[i] === 0 ? 1 : 0.5, 5));
  });

  it("spirals: k balanced arms with radii in (0, 1]", () => {
    const { x, y } = spirals(301, { classes: 3, seed: 0 });
    expect(counts(y, 3)).toEqual([101, 100, 100]);
    for (const [a, b] of pointsOf(x)) expect(Math.hypot(a, b)).toBeLessThanOrEqual(1 + 1e-6);
  });

  it("blobs: points scatter around their centre with std `noise`", () => {
    const centers = [[-5, 0], [5, 0], [0, 8]] as [number, number][]; // prettier-ignore
    const { x, y } = blobs(3000, { centers, noise: 0.5, seed: 0 });
    expect(counts(y, 3)).toEqual([1000, 1000, 1000]);
    const pts = pointsOf(x);
    const ys = y.toTypedArray();
    for (let k = 0; k < 3; k++) {
      const mine = pts.filter((_, i) => ys[i] === k);
      const mx = mine.reduce((s, p) => s + p[0], 0) / mine.length;
      const sd = Math.sqrt(mine.reduce((s, p) => s + (p[0] - mx) ** 2, 0) / mine.length);
      expect(mx).toBeCloseTo(centers[k][0], 1);
      expect(sd).toBeGreaterThan(0.45);
      expect(sd).toBeLessThan(0.55);
    }
    expect(blobs(10, { seed: 1 }).y.toArray()).toContain(2); // 3 random centres by default
  });

  it("noise moves the points by about `noise` per coordinate", () => {
    const clean = moons(2000, { seed: 5 });
    const noisy = moons(2000, { seed: 5, noise: 0.2 });
    // same seed: same shuffle, so the points correspond one to one
    expect(noisy.y.toArray()).toEqual(clean.y.toArray());
    const d = noisy.x.sub(clean.x);
    expect(d.std().item()).toBeGreaterThan(0.18);
    expect(d.std().item()).toBeLessThan(0.22);
  });
});

describe("iris", () => {
  it("has 150 rows of 4 features and 50 flowers of each of 3 species", () => {
    const { x, y, featureNames, classNames } = iris();
    expect(x.shape).toEqual([150, 4]);
    expect(y.dtype).toBe("int32");
    expect(counts(y, 3)).toEqual([50, 50, 50]);
    expect(featureNames).toHaveLength(4);
    expect(classNames).toEqual(["setosa", "versicolor", "virginica"]);
  });

  it("holds Fisher's values (sklearn's load_iris), including the corrected rows 35 and 38", () => {
    const rows = iris().x.toArray() as number[][];
    const close = (r: number[], v: number[]) => r.forEach((a, j) => expect(a).toBeCloseTo(v[j], 5));
    close(rows[0], [5.1, 3.5, 1.4, 0.2]);
    close(rows[34], [4.9, 3.1, 1.5, 0.2]);
    close(rows[37], [4.9, 3.6, 1.4, 0.1]);
    close(rows[50], [7.0, 3.2, 4.7, 1.4]);
    close(rows[100], [6.3, 3.3, 6.0, 2.5]);
    close(rows[149], [5.9, 3.0, 5.1, 1.8]);
    // column means as sklearn's DESCR lists them: 5.84, 3.06, 3.76, 1.20
    const means = iris().x.double().mean(0).toArray() as number[];
    [5.8433, 3.0573, 3.758, 1.1993].forEach((m, j) => expect(means[j]).toBeCloseTo(m, 4));
  });
});

// Slower (reads the mnist package's ~40 MB of JSON once, about 1–3 s), kept in the suite on purpose.
describe("MNIST (slower)", () => {
  it("reads nothing when imported, the package's 10 files on the first call, nothing after", async () => {
    const original = fs.readFileSync;
    const reads: string[] = [];
    fs.readFileSync = ((path: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
      reads.push(String(path));
      return (original as (...a: unknown[]) => unknown)(path, ...rest);
    }) as typeof fs.readFileSync;
    try {
      vi.resetModules();
      const fresh = await import("../../src/data/datasets/mnist.js");
      expect(reads.filter((p) => p.includes("mnist"))).toEqual([]);
      fresh.mnist();
      expect(reads.filter((p) => /mnist[/\\]src[/\\]digits[/\\]\d\.json$/.test(p))).toHaveLength(10);
      fresh.mnist();
      expect(reads.filter((p) => p.includes("mnist"))).toHaveLength(10);
    } finally {
      fs.readFileSync = original;
    }
  });

  it("loads 10,000 digits lazily as float32 [N,784] in [0,1] with labels 0..9", () => {
    const { x, y } = mnist();
    expect(x.shape).toEqual([10000, 784]);
    expect(x.dtype).toBe("float32");
    expect(y.shape).toEqual([10000]);
    expect(y.dtype).toBe("int32");
    expect(x.min().item()).toBe(0);
    expect(x.max().item()).toBe(1);
    const c = counts(y, 10);
    expect(c.reduce((a, b) => a + b)).toBe(10000);
    expect(Math.min(...c)).toBeGreaterThan(800);
    // pixels are whole bytes / 255 and a digit has ink: ~19% of pixels lit on average
    const xs = x.toTypedArray();
    for (let i = 0; i < 784 * 5; i++)
      expect(Math.abs(xs[i] * 255 - Math.round(xs[i] * 255))).toBeLessThan(1e-4);
    const lit = x.gt(0).float().mean().item();
    expect(lit).toBeGreaterThan(0.12);
    expect(lit).toBeLessThan(0.25);
  });

  it("splits 8,000 / 2,000 reproducibly with every digit in both parts", () => {
    const a = mnistSplit();
    expect(a.xTrain.shape).toEqual([8000, 784]);
    expect(a.xTest.shape).toEqual([2000, 784]);
    expect(a.yTrain.shape).toEqual([8000]);
    expect(counts(a.yTest, 10).every((k) => k > 150)).toBe(true);
    const b = mnistSplit();
    expect(b.yTest.toArray()).toEqual(a.yTest.toArray());
    expect(mnistSplit({ seed: 1 }).yTest.toArray()).not.toEqual(a.yTest.toArray());
  });
});
