// viz backprop trace: the engine's steps in a valid reverse topological order with the chain rule's
// numbers (checked against hand-derived gradients and autograd), and its text, JSON and HTML forms.
import { describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";
import { parseXml } from "./xml.js";

const { viz } = cr;
type Trace = cr.viz.BackpropTrace;

const scalar = (v: number) => cr.tensor(v, { requiresGrad: true, dtype: "float64" });

/** Every op step comes after each step of an op that consumed its output. */
function expectReverseTopological(t: Trace): void {
  const pos = new Map(t.steps.map((s, i) => [s.nodeId, i]));
  for (const e of t.graph.edges) {
    if (!pos.has(e.from) || !pos.has(e.to)) continue;
    expect(pos.get(e.to)!, `${e.to} must run before ${e.from}`).toBeLessThan(pos.get(e.from)!);
  }
  const ops = t.graph.nodes.filter((n) => n.kind === "op").map((n) => n.id);
  expect([...pos.keys()].sort()).toEqual(ops.sort());
}

describe("traceBackward", () => {
  it("traces exp(a·b + a) step by step with the chain rule's numbers", () => {
    const [a, b] = [scalar(0.5), scalar(-1.5)];
    const out = a.mul(b).add(a).exp();
    const t = viz.traceBackward(out, { names: { a, b } });
    expect(t.steps.map((s) => s.op)).toEqual(["exp", "add", "mul"]);
    expectReverseTopological(t);
    const y = Math.exp(0.5 * -1.5 + 0.5);
    const [sExp, sAdd, sMul] = t.steps;
    expect(sExp.derivative).toBe("d exp(x) = exp(x) dx");
    expect(sExp.gradOutput.values).toEqual([1]);
    expect(sExp.gradInputs.map((f) => f.label)).toEqual(["add"]);
    expect(sExp.gradInputs[0].grad!.values![0]).toBeCloseTo(y, 14);
    expect(sAdd.gradInputs.map((f) => [f.label, f.grad!.values![0]])).toEqual([
      ["mul", sExp.gradInputs[0].grad!.values![0]],
      ["a", sExp.gradInputs[0].grad!.values![0]],
    ]);
    expect(sMul.vjp).toBe("g·b, g·a");
    expect(sMul.gradInputs[0].grad!.values![0]).toBeCloseTo(y * -1.5, 14); // to a: g·b
    expect(sMul.gradInputs[1].grad!.values![0]).toBeCloseTo(y * 0.5, 14); // to b: g·a
    const leaf = Object.fromEntries(t.leafGrads.map((l) => [l.label, l.grad.values![0]]));
    expect(leaf.a).toBeCloseTo(y * (-1.5 + 1), 14);
    expect(leaf.b).toBeCloseTo(y * 0.5, 14);
    out.backward(); // the trace left the graph and .grad alone
    expect(a.grad!.item()).toBeCloseTo(leaf.a, 14);
    expect(b.grad!.item()).toBeCloseTo(leaf.b, 14);
  });

  it("visits a shared node once, after all of its consumers, with their gradients summed", () => {
    const x = scalar(0.3);
    const h = x.tanh();
    const out = h.mul(h).add(h.sin());
    const t = viz.traceBackward(out, { names: { x } });
    expectReverseTopological(t);
    const tanhStep = t.steps.find((s) => s.op === "tanh")!;
    expect(tanhStep.step).toBe(t.steps.length);
    const hv = Math.tanh(0.3);
    expect(tanhStep.gradOutput.values![0]).toBeCloseTo(2 * hv + Math.cos(hv), 14);
    expect(t.leafGrads[0].grad.values![0]).toBeCloseTo((2 * hv + Math.cos(hv)) * (1 - hv * hv), 14);
  });

  it("orders a random expression DAG validly and matches autograd's leaf gradients", () => {
    cr.manualSeed(7);
    const leaves = [0, 1, 2].map(() => cr.randn([3], { dtype: "float64" }).requiresGrad_());
    const pool: cr.Tensor[] = [...leaves];
    for (let i = 0; i < 25; i++) {
      const p = pool[(i * 7) % pool.length];
      const q = pool[(i * 5 + 3) % pool.length];
      pool.push([p.mul(q), p.add(q).tanh(), p.sub(q.sin()), p.mul(0.5).exp().mul(0.1)][i % 4]);
    }
    const out = pool
      .slice(-6)
      .reduce((s, v) => s.add(v))
      .sum();
    const t = viz.traceBackward(out, { names: { l0: leaves[0], l1: leaves[1], l2: leaves[2] } });
    expectReverseTopological(t);
    const want = cr.gradients([out], leaves);
    for (const [i, w] of want.entries()) {
      const got = t.leafGrads.find((l) => l.label === `l${i}`)!.grad.values!;
      Array.from(w.toTypedArray()).forEach((v, k) => expect(got[k]).toBeCloseTo(v, 12));
    }
  });

  it("sums broadcast gradients back to the input's shape", () => {
    const a = cr.ones([2, 3], { requiresGrad: true });
    const b = cr.tensor([1, 2, 3], { requiresGrad: true });
    const t = viz.traceBackward(a.add(b).sum(), { names: { a, b } });
    const add = t.steps.find((s) => s.op === "add")!;
    expect(add.gradOutput.shape).toEqual([2, 3]);
    expect(add.gradInputs.map((f) => [f.label, f.grad!.shape, f.grad!.values])).toEqual([
      ["a", [2, 3], [1, 1, 1, 1, 1, 1]],
      ["b", [3], [2, 2, 2]],
    ]);
  });

  it("refuses an output that does not require grad", () => {
    expect(() => viz.traceBackward(cr.ones([2]).sum())).toThrow(/traceBackward.*does not require grad/);
  });
});

describe("trace output", () => {
  const make = () => {
    const [a, b] = [scalar(2), scalar(-3)];
    return viz.traceBackward(a.mul(b).add(a).exp(), { names: { a, b } });
  };

  it("prints a table in sweep order with derivatives and gradients", () => {
    const text = viz.traceToText(make());
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^Backprop trace: 3 steps in reverse topological order/);
    expect(lines[2]).toMatch(
      /^step\s+node\s+op\s+local derivative\s+incoming g\s+gradient sent to each input$/,
    );
    const rows = lines.filter((l) => /^\d /.test(l));
    expect(rows.map((r) => r.split(/\s+/)[2])).toEqual(["exp", "add", "mul"]);
    expect(text).toContain("d(a·b) = b da + a db");
    expect(text).toMatch(/→ b \(n1\): 0\.03663/); // e^(-4)·2
    expect(text).toMatch(/\n {2}a {2}-0\.03663\n/); // e^(-4)·(b + 1)
  });

  it("round-trips through JSON", () => {
    const t = make();
    expect(JSON.parse(viz.traceToJson(t))).toEqual(JSON.parse(JSON.stringify(t)));
  });

  it("renders a self-contained animated HTML page", async () => {
    const t = make();
    const html = await viz.traceToHtml(t, { title: "a <b> & c" });
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).toContain("<title>a &lt;b&gt; &amp; c</title>");
    expect(html).not.toMatch(/\b(src|href)=["']?(https?:|\/\/)/);
    const svg = html.slice(html.indexOf("<svg"), html.indexOf("</svg>") + 6);
    const root = parseXml(svg);
    expect(root.name).toBe("svg");
    const script = html.slice(html.indexOf("<script>") + 8, html.indexOf("</script>"));
    expect(() => new Function(script)).not.toThrow();
    const steps = JSON.parse(/const STEPS=(.*);\n/.exec(script)![1]);
    expect(steps.map((s: { op: string }) => s.op)).toEqual(["exp", "add", "mul"]);
    expect(steps[2].out.map((o: { edgeId: string }) => o.edgeId)).toEqual(["e_n0_n2_0", "e_n1_n2_1"]);
    for (const s of steps) for (const o of s.out) expect(svg).toContain(`id="${o.edgeId}"`);
    expect(html.match(/<tr>/g)).toHaveLength(t.steps.length + 1);
  });
});

describe("derivative table", () => {
  it("has an entry for every op in a graph that uses many of them", () => {
    const x = cr.randn([2, 3], { dtype: "float64" }).requiresGrad_();
    const w = cr.randn([3, 2], { dtype: "float64" }).requiresGrad_();
    const z = cr.cat([x.matmul(w).sigmoid(), x.slice(1, 0, 2).abs().sqrt()], 1);
    const y = cr.maximum(z.log1p(), z.neg()).pow(2).div(z.add(1)).reshape(8).amax();
    const ops = new Set(
      viz
        .captureGraph(y)
        .nodes.filter((n) => n.kind === "op")
        .map((n) => n.label),
    );
    expect(ops.size).toBeGreaterThan(12);
    for (const op of ops) expect(Object.keys(viz.OP_FORMULAS)).toContain(op);
    expect(viz.opFormula("unknownOp").vjp).toBe("unknownOp vjp");
  });
});
