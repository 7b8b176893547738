// Shared by every golden test: loads the PyTorch-generated cases (test/fixtures/golden) and compares
// tensors at the tolerances the fixtures' SPEC.md recommends.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";

export interface GoldenTensor {
  dtype: "float64" | "int64" | "bool";
  shape: number[];
  data: number[];
  name?: string;
}

export interface GoldenCase {
  id: string;
  op: string;
  inputs: GoldenTensor[];
  attrs: Record<string, any>;
  output: GoldenTensor;
  extra_outputs?: Record<string, GoldenTensor>;
  grad_output: GoldenTensor | null;
  grads: (GoldenTensor | null)[] | null;
  note?: string;
  tags?: string[];
  higher_order?: boolean;
}

export type Precision = "float64" | "float32";

export interface Tolerance {
  atol: number;
  rtol: number;
}

/** SPEC.md §1: forward / gradient / training tolerances per precision. */
export const TOL: Record<Precision, { forward: Tolerance; grad: Tolerance; training: Tolerance }> = {
  float64: {
    forward: { atol: 1e-10, rtol: 1e-8 },
    grad: { atol: 1e-9, rtol: 1e-7 },
    training: { atol: 1e-8, rtol: 1e-6 },
  },
  float32: {
    forward: { atol: 1e-5, rtol: 1e-4 },
    grad: { atol: 1e-4, rtol: 1e-3 },
    training: { atol: 1e-4, rtol: 1e-3 },
  },
};

const dir = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../fixtures/golden");

export function loadCases(family: string): GoldenCase[] {
  const file = JSON.parse(fs.readFileSync(path.join(dir, `${family}.json`), "utf8"));
  return file.cases as GoldenCase[];
}

/** A golden tensor as a chainrule tensor: floats in `precision`, int64 → int32, bool → bool. */
export function toTensor(t: GoldenTensor, precision: Precision, requiresGrad = false): cr.Tensor {
  const dtype = t.dtype === "int64" ? "int32" : t.dtype === "bool" ? "bool" : precision;
  const data =
    dtype === "int32"
      ? Int32Array.from(t.data)
      : dtype === "bool"
        ? Uint8Array.from(t.data)
        : dtype === "float64"
          ? Float64Array.from(t.data)
          : Float32Array.from(t.data);
  const out = cr.tensor(data, { shape: t.shape, dtype });
  if (requiresGrad) out.requiresGrad_();
  return out;
}

/** Inputs by name. Float inputs require grad when `withGrad` is set. */
export function inputsByName(
  c: GoldenCase,
  precision: Precision,
  withGrad: boolean,
): Record<string, cr.Tensor> {
  const out: Record<string, cr.Tensor> = {};
  c.inputs.forEach((t, i) => {
    const wantsGrad = withGrad && t.dtype === "float64" && c.grads !== null && c.grads[i] !== null;
    out[t.name!] = toTensor(t, precision, wantsGrad);
  });
  return out;
}

/** Asserts shape equality and |a - e| <= atol + rtol|e| everywhere (integers exactly). */
export function expectClose(
  actual: cr.Tensor | null | undefined,
  expected: GoldenTensor,
  tol: Tolerance,
  what: string,
): void {
  expect(actual, `${what}: missing`).toBeTruthy();
  const a = actual!;
  expect([...a.shape], `${what}: shape`).toEqual(expected.shape);
  const got = a.toTypedArray();
  const exact = expected.dtype !== "float64";
  let worst = -Infinity;
  let worstAt = -1;
  for (let i = 0; i < expected.data.length; i++) {
    const e = expected.data[i];
    const g = Number(got[i]);
    const excess = exact ? (g === e ? -1 : 1) : Math.abs(g - e) - (tol.atol + tol.rtol * Math.abs(e));
    if (!(excess <= 0) && (excess > worst || Number.isNaN(excess))) {
      worst = Number.isNaN(excess) ? Infinity : excess;
      worstAt = i;
    }
  }
  if (worstAt >= 0)
    expect.fail(
      `${what}: element ${worstAt} is ${got[worstAt]}, expected ${expected.data[worstAt]} (atol ${tol.atol}, rtol ${tol.rtol})`,
    );
}

/** d(sum(gradOutput * output))/d(inputs): the vector-Jacobian products a golden case stores. */
export function vjp(
  output: cr.Tensor,
  gradOutput: GoldenTensor,
  inputs: cr.Tensor[],
  precision: Precision,
): (cr.Tensor | null)[] {
  const g = toTensor(gradOutput, precision);
  return cr.gradients([output], inputs, [g.to(output.dtype)], { allowUnused: true });
}

export type GoldenInputs = Record<string, cr.Tensor>;
export type GoldenResult = cr.Tensor | { out: cr.Tensor; extras: Record<string, cr.Tensor> };
/** One golden op: inputs by name and the case's attrs → the output (and named extra outputs). */
export type GoldenOp = (inp: GoldenInputs, attrs: Record<string, any>) => GoldenResult;

/** Our dtype for a golden tensor computed at `precision`. */
export const dtypeFor = (t: GoldenTensor, precision: Precision) =>
  t.dtype === "int64" ? "int32" : t.dtype === "bool" ? "bool" : precision;

/** Runs one case: output and extra outputs (values and dtypes), then every input's vjp. */
export function runCase(ops: Record<string, GoldenOp>, c: GoldenCase, precision: Precision): void {
  const op = ops[c.op];
  expect(op, `no dispatch entry for op '${c.op}'`).toBeDefined();
  const inp = inputsByName(c, precision, true);
  const result = op(inp, c.attrs);
  const { out, extras } = result instanceof cr.Tensor ? { out: result, extras: {} } : result;
  const tol = TOL[precision];

  expect(out.dtype, "output dtype").toBe(dtypeFor(c.output, precision));
  expectClose(out, c.output, tol.forward, "output");
  for (const [name, want] of Object.entries(c.extra_outputs ?? {})) {
    const got = (extras as Record<string, cr.Tensor>)[name];
    expect(got, `extra output '${name}'`).toBeDefined();
    expect(got.dtype, `extra output '${name}' dtype`).toBe(dtypeFor(want, precision));
    expectClose(got, want, tol.forward, `extra output '${name}'`);
  }

  if (c.grad_output === null || c.grads === null) return;
  const names = c.inputs.map((t) => t.name!);
  const wanted = names.filter((_, i) => c.grads![i] !== null);
  const grads = vjp(
    out,
    c.grad_output,
    wanted.map((n) => inp[n]),
    precision,
  );
  wanted.forEach((name, k) => {
    const expected = c.grads![names.indexOf(name)]!;
    expect(grads[k]?.dtype, `grad of '${name}' dtype`).toBe(precision);
    expectClose(grads[k], expected, tol.grad, `grad of '${name}'`);
  });
}

/** A describe per family: every case the file holds, in float64 and float32, through `ops`. */
export function describeFamilies(families: readonly string[], ops: Record<string, GoldenOp>): void {
  for (const family of families) {
    const cases = loadCases(family);
    describe(`golden ${family}`, () => {
      it("holds cases, every op in the dispatch table", () => {
        expect(cases.length).toBeGreaterThan(0);
        expect(cases.filter((c) => !(c.op in ops)).map((c) => c.op)).toEqual([]);
      });
      for (const c of cases) {
        for (const precision of ["float64", "float32"] as const) {
          it(`${c.id} [${precision}]`, () => runCase(ops, c, precision));
        }
      }
    });
  }
}
