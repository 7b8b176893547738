// Shared by the nn module tests: gradient-checking a Module's forward with respect to its inputs and
// every one of its parameters (float64 central differences through cr.gradcheck).
import { expect } from "vitest";
import * as cr from "../../src/index.js";

type Tensor = cr.Tensor;
type Module = cr.nn.Module;

/** Runs `fn` with the module's parameters (by dotted name) replaced by `values`, then restores them. */
function withParams<T>(m: Module, names: string[], values: Tensor[], fn: () => T): T {
  const owners = new Map(m.namedModules());
  const saved: [Record<string, unknown>, string, unknown][] = names.map((name, i) => {
    const dot = name.lastIndexOf(".");
    const owner = owners.get(dot < 0 ? "" : name.slice(0, dot)) as unknown as Record<string, unknown>;
    const attr = name.slice(dot + 1);
    const old = owner[attr];
    owner[attr] = values[i];
    return [owner, attr, old];
  });
  try {
    return fn();
  } finally {
    for (const [owner, attr, old] of saved) owner[attr] = old;
  }
}

/**
 * Gradient-checks `call(m, inputs)` (default `m.forward(...inputs)`) in float64 with respect to the
 * float64 `inputs` and all of the module's parameters; returns the number of Jacobian entries compared.
 */
export function checkModule(
  m: Module,
  inputs: Tensor[],
  call: (m: Module, xs: Tensor[]) => Tensor = (mod, xs) => mod.forward(...xs),
): number {
  m.double();
  const named = m.namedParameters();
  const names = named.map(([n]) => n);
  const k = inputs.length;
  const f = (...xs: Tensor[]) => withParams(m, names, xs.slice(k), () => call(m, xs.slice(0, k)));
  const res = cr.gradcheck(f, [...inputs, ...named.map(([, p]) => p.detach())], { raiseException: false });
  expect(res.worst === null || res.ok, JSON.stringify(res.worst)).toBe(true);
  expect(res.entries).toBeGreaterThan(0);
  return res.entries;
}

export const f64 = (data: number[], shape: number[] = [data.length]) =>
  cr.tensor(Float64Array.from(data), { shape });
export const i32 = (data: number[], shape: number[] = [data.length]) =>
  cr.tensor(Int32Array.from(data), { shape });
export const randn64 = (shape: number[]) => cr.randn(shape, { dtype: "float64" });

/** max |a - b| over all elements (shapes must match). */
export function maxDiff(a: Tensor, b: Tensor): number {
  expect([...a.shape]).toEqual([...b.shape]);
  const x = a.toTypedArray();
  const y = b.toTypedArray();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(Number(x[i]) - Number(y[i])));
  return m;
}
