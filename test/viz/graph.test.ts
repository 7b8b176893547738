// viz graph capture: exact forward and backward graphs of known expressions and modules (nodes, edges,
// clusters, gradients), DOT escaping, and DOT laid out by Graphviz (@viz-js/viz) into well-formed SVG.
import { describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";
import { allElements, parseXml } from "./xml.js";

const { viz, nn } = cr;
type Tensor = cr.Tensor;
type GraphModel = cr.viz.GraphModel;

const brief = (g: GraphModel) => g.nodes.map((n) => `${n.id} ${n.kind} ${n.label} [${n.shape}]`);
const edgeList = (g: GraphModel) => g.edges.map((e) => `${e.from}->${e.to}:${e.inputIndex}`);
const byLabel = (g: GraphModel, label: string) => g.nodes.filter((n) => n.label === label);

function abc() {
  const a = cr.tensor([1, 2, 3], { requiresGrad: true, dtype: "float64" });
  const b = cr.tensor([4, 5, 6], { requiresGrad: true, dtype: "float64" });
  const c = cr.tensor([0.5, -1, 2], { requiresGrad: true, dtype: "float64" });
  return { a, b, c, out: a.mul(b).add(c).sum() };
}

describe("captureGraph of (a*b + c).sum()", () => {
  it("has exactly the inputs, ops, output and edges of the expression", () => {
    const { a, b, c, out } = abc();
    const g = viz.captureGraph(out, { names: { a, b, c } });
    expect(g.direction).toBe("forward");
    expect(brief(g)).toEqual([
      "n0 input a [3]",
      "n1 input b [3]",
      "n2 op mul [3]",
      "n3 input c [3]",
      "n4 op add [3]",
      "n5 op sum []",
      "n6 output output []",
    ]);
    expect(edgeList(g)).toEqual(["n0->n2:0", "n1->n2:1", "n2->n4:0", "n3->n4:1", "n4->n5:0", "n5->n6:0"]);
    expect(g.clusters).toEqual([]);
  });

  it("carries values and the gradients of one sweep, leaving .grad alone and the graph usable", () => {
    const { a, b, c, out } = abc();
    const g = viz.captureGraph(out, { names: { a, b, c } });
    const node = (label: string) => byLabel(g, label)[0];
    expect(node("mul").value?.values).toEqual([4, 10, 18]);
    expect(node("sum").value?.values).toEqual([33.5]);
    expect(node("a").grad?.values).toEqual([4, 5, 6]); // ∂/∂a = b
    expect(node("b").grad?.values).toEqual([1, 2, 3]);
    expect(node("c").grad?.values).toEqual([1, 1, 1]);
    expect(node("add").grad?.values).toEqual([1, 1, 1]);
    expect(g.edges.find((e) => e.from === "n0")?.grad?.values).toEqual([4, 5, 6]);
    expect(a.grad).toBeNull();
    out.backward();
    expect(Array.from(a.grad!.toTypedArray())).toEqual([4, 5, 6]);
  });

  it("keeps the structure but no gradients once backward() has freed the graph", () => {
    const { a, b, c, out } = abc();
    out.backward();
    const g = viz.captureGraph(out, { names: { a, b, c } });
    expect(g.nodes).toHaveLength(7);
    expect(g.nodes.every((n) => n.grad === undefined)).toBe(true);
    expect(() => viz.captureGraph(out, { grads: true })).toThrow(/second time/);
  });

  it("has one backward node per vjp, accumulators for the leaves and reversed edges", () => {
    const { a, b, c, out } = abc();
    const bg = viz.backwardGraph(viz.captureGraph(out, { names: { a, b, c } }));
    expect(bg.direction).toBe("backward");
    expect(bg.nodes.map((n) => `${n.id} ${n.kind} ${n.label}${n.formula ? `: ${n.formula}` : ""}`)).toEqual([
      "g_n6 output output.grad",
      "g_n5 op sum backward: g broadcast to x",
      "g_n4 op add backward: g, g",
      "g_n3 input c.grad",
      "g_n2 op mul backward: g·b, g·a",
      "g_n1 input b.grad",
      "g_n0 input a.grad",
    ]);
    expect(edgeList(bg).sort()).toEqual(
      ["g_n6->g_n5:0", "g_n5->g_n4:0", "g_n4->g_n2:0", "g_n4->g_n3:1", "g_n2->g_n0:0", "g_n2->g_n1:1"].sort(),
    );
    expect(bg.edges.find((e) => e.to === "g_n1")?.grad?.values).toEqual([1, 2, 3]);
  });

  it("shows scalar operands as constants (or hides them) and names unnamed inputs", () => {
    const x = cr.tensor([1, -2], { requiresGrad: true });
    const y = x.mul(2).exp();
    expect(brief(viz.captureGraph(y))).toEqual([
      "n0 input input0 [2]",
      "n1 constant 2 []",
      "n2 op mul [2]",
      "n3 op exp [2]",
      "n4 output output [2]",
    ]);
    const hidden = viz.captureGraph(y, { constants: false });
    expect(brief(hidden).map((s) => s.split(" ")[2])).toEqual(["input0", "mul", "exp", "output"]);
    expect(edgeList(hidden)).toEqual(["n0->n1:0", "n1->n2:0", "n2->n3:0"]);
    expect(viz.backwardGraph(viz.captureGraph(y)).nodes.map((n) => n.label)).not.toContain("2.grad");
  });

  it("walks a 5000-op chain without overflowing the stack", () => {
    const x = cr.tensor([0.5], { requiresGrad: true });
    let y = x;
    for (let i = 0; i < 5000; i++) y = y.mul(1.0001);
    const g = viz.captureGraph(y, { constants: false, grads: false });
    expect(g.nodes).toHaveLength(5002);
    expect(g.edges).toHaveLength(5001);
  });
});

class Mlp extends nn.Module {
  body = new nn.Sequential(new nn.Linear(2, 3), new nn.Tanh());
  head = new nn.Linear(3, 1);
  forward(x: Tensor): Tensor {
    return this.head.forward(this.body.forward(x));
  }
}

describe("captureModule", () => {
  it("clusters a 2-layer MLP by module, with dotted parameter names and nesting", () => {
    cr.manualSeed(0);
    const net = new Mlp();
    const x = cr.randn([4, 2]);
    const g = viz.captureModule(net, x);
    // each Linear is one recorded op (linear: a GEMM whose store step adds the bias)
    expect(brief(g)).toEqual([
      "n0 input x [4,2]",
      "n1 parameter body.0.weight [3,2]",
      "n2 parameter body.0.bias [3]",
      "n3 op linear [4,3]",
      "n4 op tanh [4,3]",
      "n5 parameter head.weight [1,3]",
      "n6 parameter head.bias [1]",
      "n7 op linear [4,1]",
      "n8 output output [4,1]",
    ]);
    expect(g.clusters).toEqual([
      { id: "body", label: "body: Sequential", parent: null, nodeIds: [] },
      { id: "body.0", label: "body.0: Linear", parent: "body", nodeIds: ["n1", "n2", "n3"] },
      { id: "body.1", label: "body.1: Tanh", parent: "body", nodeIds: ["n4"] },
      { id: "head", label: "head: Linear", parent: null, nodeIds: ["n5", "n6", "n7"] },
    ]);
    expect(g.nodes[0].module).toBeUndefined();
    expect(edgeList(g)).toEqual([
      "n0->n3:0",
      "n1->n3:1",
      "n2->n3:2",
      "n3->n4:0",
      "n4->n7:0",
      "n5->n7:1",
      "n6->n7:2",
      "n7->n8:0",
    ]);
    const bg = viz.backwardGraph(g);
    expect(bg.nodes.map((n) => n.label)).toEqual([
      "output.grad",
      "linear backward",
      "head.bias.grad",
      "head.weight.grad",
      "tanh backward",
      "linear backward",
      "body.0.bias.grad",
      "body.0.weight.grad",
    ]);
    expect(bg.edges).toHaveLength(7); // the edge from x carries no gradient
    expect(bg.clusters.map((c) => [c.id, c.nodeIds.length])).toEqual([
      ["body", 0],
      ["body.0", 3],
      ["body.1", 1],
      ["head", 3],
    ]);
    // the hooks are gone afterwards
    expect(Object.hasOwn(net.head, "forward")).toBe(false);
  });

  it("adds the loss, and the backward graph's accumulators hold the real parameter gradients", () => {
    cr.manualSeed(1);
    const net = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU(), new nn.Linear(3, 1));
    const x = cr.randn([5, 2]);
    const t = cr.randn([5, 1]);
    const g = viz.captureModule(net, x, { loss: (y) => nn.functional.mseLoss(y, t), names: { t } });
    expect(g.nodes.at(-1)?.label).toBe("loss");
    expect(g.nodes.find((n) => n.label === "t")?.kind).toBe("input");
    expect(g.nodes.find((n) => n.label === "relu")?.module).toBe("1");
    expect(g.nodes.find((n) => n.label === "sub")?.module).toBeUndefined();
    const bg = viz.backwardGraph(g);
    const acc = bg.nodes.filter((n) => n.label.endsWith(".grad") && n.kind === "parameter");
    expect(acc.map((n) => n.label)).toEqual(["2.bias.grad", "2.weight.grad", "0.bias.grad", "0.weight.grad"]);
    expect(bg.nodes.some((n) => n.label === "x.grad" || n.label === "t.grad")).toBe(false);
    nn.functional.mseLoss(net.forward(x), t).backward();
    for (const [name, p] of net.namedParameters()) {
      const n = acc.find((a) => a.label === `${name}.grad`)!;
      const got = n.grad!.values!;
      Array.from(p.grad!.toTypedArray()).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 6));
    }
    expect(bg.clusters.map((c) => c.id)).toEqual(["0", "1", "2"]);
    expect(bg.clusters[0].nodeIds).toContain(acc.find((a) => a.label === "0.weight.grad")!.id);
  });
});

describe("DOT and SVG export", () => {
  it("escapes labels and writes modules as cluster subgraphs", () => {
    expect(viz.dotString('say "hi"\\now\nthen')).toBe('"say \\"hi\\"\\\\now\\nthen"');
    const net = new Mlp();
    const dot = viz.toDot(viz.captureModule(net, cr.randn([2, 2])), { title: 'MLP "demo"' });
    expect(dot.match(/subgraph "cluster_\d+"/g)).toHaveLength(4);
    expect(dot).toContain('label="MLP \\"demo\\""');
    expect(dot).toContain('"n0" -> "n3" [id="e_n0_n3_0"]');
  });

  it("is laid out by Graphviz into well-formed SVG with one shape per node and edge", async () => {
    const { a, b, c, out } = abc();
    const weird = cr.tensor([1], { requiresGrad: true });
    const g = viz.captureGraph(out.add(weird.sum()), { names: { a, b, c, 'w"<&>\\': weird } });
    for (const model of [g, viz.backwardGraph(g)]) {
      const svg = await viz.renderSvg(model, { title: "a & b" });
      const root = parseXml(svg);
      expect(root.name).toBe("svg");
      const groups = allElements(root).filter((e) => e.name === "g");
      const nodes = groups.filter((e) => e.attrs.class === "node");
      expect(nodes.map((e) => e.attrs.id).sort()).toEqual(model.nodes.map((n) => n.id).sort());
      expect(groups.filter((e) => e.attrs.class === "edge")).toHaveLength(model.edges.length);
      expect(svg).toContain("w&quot;&lt;&amp;&gt;\\");
    }
    const mlp = await viz.renderSvg(viz.captureModule(new Mlp(), cr.randn([2, 2])));
    const clusters = allElements(parseXml(mlp)).filter((e) => e.name === "g" && e.attrs.class === "cluster");
    expect(clusters).toHaveLength(4);
  });

  it("reports DOT that does not parse", async () => {
    await expect(viz.renderSvg("digraph { a -> }")).rejects.toThrow(/renderSvg.*Graphviz/);
  });
});
