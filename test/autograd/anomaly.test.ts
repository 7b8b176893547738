// Anomaly mode: a backward that produces NaN/Inf throws, naming the forward op and where it was created
// (this file); with the mode off the same backward quietly yields NaN gradients.
import { afterEach, describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";

const f64 = { dtype: "float64" } as const;
afterEach(() => cr.detectAnomaly(false));

/** √x · 0 at x = 0: the forward is finite (0) but sqrt's backward computes 0 / (2·√0) = NaN. */
function sqrtTimesZero() {
  const x = cr.tensor([0, 4], { ...f64, requiresGrad: true });
  return { x, loss: x.sqrt().mul(0).sum() };
}

function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the call to throw");
}

describe("detectAnomaly", () => {
  it("names the forward op whose backward produced NaN and where it was created", () => {
    cr.detectAnomaly(true);
    const { loss } = sqrtTimesZero();
    const e = errorOf(() => loss.backward());
    expect(e).toBeInstanceOf(cr.ChainruleError);
    expect(e.message).toMatch(/the backward of 'sqrt' returned NaN in the gradient of its input 0/);
    expect(e.message).toMatch(/The forward 'sqrt' was created at:\n.*anomaly\.test\.ts/);
  });

  it("catches the NaN at the op that makes it, not later (log of a negative, then exp)", () => {
    const x = cr.tensor([-1, 2], { ...f64, requiresGrad: true });
    const e = errorOf(() =>
      cr.detectAnomaly(() => {
        const y = x.log().exp().sum(); // log(-1) = NaN in the forward; exp's backward g·eʸ is the first NaN
        y.backward();
      }),
    );
    expect(e.message).toMatch(/the backward of 'exp' returned NaN/);
    expect(e.message).toMatch(/anomaly\.test\.ts/);
  });

  it("reports Infinity too (d log x = dx / x at x = 0)", () => {
    cr.detectAnomaly(true);
    const x = cr.tensor([0, 1], { ...f64, requiresGrad: true });
    const e = errorOf(() => x.log().backward(cr.tensor([-1, 1], f64)));
    expect(e.message).toMatch(/the backward of 'log' returned -Infinity in the gradient of its input 0/);
  });

  it("off: no error, the NaN reaches the gradient", () => {
    const { x, loss } = sqrtTimesZero();
    expect(cr.isAnomalyEnabled()).toBe(false);
    loss.backward();
    const g = Array.from(x.grad!.toTypedArray());
    expect(Number.isNaN(g[0])).toBe(true);
    expect(g[1]).toBe(0);
  });

  it("the scoped form restores the previous mode, even when its body throws", () => {
    expect(() =>
      cr.detectAnomaly(() => {
        expect(cr.isAnomalyEnabled()).toBe(true);
        sqrtTimesZero().loss.backward();
      }),
    ).toThrow(/'sqrt'/);
    expect(cr.isAnomalyEnabled()).toBe(false);
    sqrtTimesZero().loss.backward(); // no longer checked
  });

  it("a graph built before the mode was on still fails, but says its creation site is unknown", () => {
    const { loss } = sqrtTimesZero();
    cr.detectAnomaly(true);
    expect(() => loss.backward()).toThrow(
      /'sqrt'.*\n.*unknown: enable detectAnomaly before the forward pass/,
    );
  });

  it("a finite backward passes untouched under anomaly mode", () => {
    const x = cr.tensor([1, 4], { ...f64, requiresGrad: true });
    cr.detectAnomaly(() => x.sqrt().sum().backward());
    expect(Array.from(x.grad!.toTypedArray())).toEqual([0.5, 0.25]);
  });
});
