// viz plots: every SVG is well-formed XML with the expected marks (one path per series, one circle per
// point), labels stay inside the figure without overlapping, ticks are nice, decision regions follow the
// classifier, and the gallery's derivatives (by autograd) match the closed forms.
import { describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";
import { linearScale, logScale } from "../../src/viz/plot/axes.js";
import { textWidth } from "../../src/viz/plot/svg.js";
import { allElements, countTag, findElement, parseXml, type XmlElement } from "./xml.js";

const { viz } = cr;

interface Box {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  s: string;
}

/** Estimated boxes of the unrotated texts (with the same width estimate the layout uses). */
function textBoxes(root: XmlElement): Box[] {
  return allElements(root)
    .filter((e) => e.name === "text" && !e.attrs.transform)
    .map((e) => {
      const fs = Number(e.attrs["font-size"] ?? 12);
      const w = textWidth(e.text.replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">"), fs);
      const x = Number(e.attrs.x);
      const anchor = e.attrs["text-anchor"] ?? "start";
      const x0 = anchor === "middle" ? x - w / 2 : anchor === "end" ? x - w : x;
      const y = Number(e.attrs.y);
      return { x0, x1: x0 + w, y0: y - fs * 0.8, y1: y + fs * 0.2, s: e.text };
    });
}

function expectReadableLayout(svg: string): XmlElement {
  const root = parseXml(svg);
  const [w, h] = [Number(root.attrs.width), Number(root.attrs.height)];
  const boxes = textBoxes(root);
  expect(boxes.length).toBeGreaterThan(4);
  for (const b of boxes) {
    expect(b.x0, `"${b.s}" starts left of the figure`).toBeGreaterThanOrEqual(0);
    expect(b.x1, `"${b.s}" ends right of the figure`).toBeLessThanOrEqual(w);
    expect(b.y0).toBeGreaterThanOrEqual(0);
    expect(b.y1).toBeLessThanOrEqual(h);
  }
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const [p, q] = [boxes[i], boxes[j]];
      const overlap = p.x0 < q.x1 && q.x0 < p.x1 && p.y0 < q.y1 && q.y0 < p.y1;
      expect(overlap, `"${p.s}" overlaps "${q.s}"`).toBe(false);
    }
  return root;
}

describe("the test's XML checker", () => {
  it("rejects what is not well-formed", () => {
    expect(() => parseXml("<a><b></a></b>")).toThrow(/does not close/);
    expect(() => parseXml('<a x="1" x="2"/>')).toThrow(/duplicate/);
    expect(() => parseXml("<a>1 & 2</a>")).toThrow(/entity/);
    expect(() => parseXml("<a/><b/>")).toThrow(/second root/);
    expect(() => parseXml("<a>")).toThrow(/unclosed/);
    expect(() => parseXml("<a x=1/>")).toThrow(/attribute/);
    expect(countTag(parseXml('<?xml version="1.0"?><!-- c --><a><b/><b>&amp;</b></a>'), "b")).toBe(2);
  });
});

describe("scales", () => {
  it("chooses nice linear ticks that cover the data", () => {
    const s = linearScale([0.13, 9.7], [0, 100], 5);
    expect(s.ticks).toEqual([0, 2, 4, 6, 8, 10]);
    expect(s.map(5)).toBeCloseTo(50, 10);
    expect(
      linearScale([-2.6, 4.4], [0, 1], 3).ticks.map((v) => linearScale([-2.6, 4.4], [0, 1], 3).format(v)),
    ).toEqual(["-5.0", "-2.5", "0.0", "2.5", "5.0"]);
    expect(linearScale([3, 3], [0, 1], 4).ticks.length).toBeGreaterThan(1);
  });

  it("puts log ticks on whole decades", () => {
    const s = logScale([2e-6, 3], [0, 1], 4);
    expect(s.ticks).toEqual([1e-6, 1e-4, 1e-2, 1, 100]);
    expect(s.ticks.map(s.format)).toEqual(["1e-6", "1e-4", "0.01", "1", "100"]);
    expect(s.map(1e-4)).toBeCloseTo(0.25, 10);
  });
});

describe("lineChart", () => {
  const n = 50;
  const train = Array.from({ length: n }, (_, i) => 2 * Math.exp(-i / 8) + 0.01);
  const valid = Array.from({ length: n }, (_, i) => 2 * Math.exp(-i / 10) + 0.2);

  it("draws one path per series with axes, labels, legend and title", () => {
    const svg = viz.lineChart(
      [
        { name: "train", y: train },
        { name: "validation", y: valid },
        { name: "accuracy", y: train.map((v) => 1 - v / 3), dash: true },
      ],
      { title: "Loss & accuracy <per epoch>", xLabel: "epoch", yLabel: "loss" },
    );
    const root = expectReadableLayout(svg);
    const series = findElement(root, (e) => e.attrs.class === "series")!;
    expect(countTag(series, "path")).toBe(3);
    expect(countTag(root, "path")).toBe(3);
    const texts = allElements(root)
      .filter((e) => e.name === "text")
      .map((e) => e.text);
    expect(texts).toEqual(
      expect.arrayContaining(["Loss &amp; accuracy &lt;per epoch&gt;", "epoch", "loss", "train"]),
    );
    const d = series.children[0].attrs.d;
    expect(d.match(/[ML]/g)).toHaveLength(n);
  });

  it("breaks lines at non-finite values and at non-positive values on a log axis", () => {
    const y = [1, 0.5, NaN, 0.2, 0.1, 0, 0.05, -1, 0.01];
    const svg = viz.lineChart([{ name: "loss", y }], { logY: true, yLabel: "loss", xLabel: "step" });
    const root = expectReadableLayout(svg);
    const d = findElement(root, (e) => e.name === "path")!.attrs.d;
    expect(d.match(/M/g)).toHaveLength(4);
    expect(d.match(/[ML]/g)).toHaveLength(6);
  });

  it("keeps tick labels apart on a small chart with long numbers", () => {
    const y = Array.from({ length: 30 }, (_, i) => 123456 + i * 1000);
    expectReadableLayout(viz.lineChart([{ y, x: y.map((_, i) => 0.0001 * i) }], { width: 300, height: 200 }));
  });
});

describe("scatterPlot", () => {
  it("draws one circle per point coloured by class, with a class legend", () => {
    cr.manualSeed(3);
    const pts = cr.randn([37, 2]);
    const labels = cr.randint(0, 3, [37]);
    const svg = viz.scatterPlot(pts, {
      labels,
      classNames: ["a", "b", "c"],
      title: "hidden",
      xLabel: "h1",
      yLabel: "h2",
    });
    const root = expectReadableLayout(svg);
    const circles = allElements(root).filter((e) => e.name === "circle");
    expect(circles).toHaveLength(37);
    const lab = Array.from(labels.toTypedArray());
    circles.forEach((c, i) => expect(c.attrs.fill).toBe(viz.PALETTE[lab[i]]));
    expect(new Set(circles.map((c) => c.attrs.fill)).size).toBe(new Set(lab).size);
    const data = pts.toTypedArray();
    const cx = circles.map((c) => Number(c.attrs.cx));
    const i0 = data.indexOf(Math.min(...Array.from(data).filter((_, i) => i % 2 === 0)));
    expect(cx[i0 / 2]).toBe(Math.min(...cx)); // leftmost point is leftmost circle
  });

  it("accepts plain [x, y] pairs and refuses the wrong shape", () => {
    const root = parseXml(
      viz.scatterPlot([
        [0, 0],
        [1, 2],
        [2, 1],
      ]),
    );
    expect(countTag(root, "circle")).toBe(3);
    expect(() => viz.scatterPlot(cr.zeros([4, 3]))).toThrow(/scatterPlot.*\[N, 2\].*\[4, ?3\]/);
  });
});

describe("decisionBoundary", () => {
  const X = cr.tensor([
    [-2, -1],
    [-1, 1],
    [-0.5, 0],
    [0.5, 0.3],
    [1, -1],
    [2, 1],
  ]);
  const y = cr.tensor([0, 0, 0, 1, 1, 1], { dtype: "int32" });
  const cut = 0.25; // class 1 where x₁ > 0.25

  const regionsOf = (svg: string) => {
    const root = expectReadableLayout(svg);
    const rects = findElement(root, (e) => e.attrs.class === "regions")!.children;
    return { root, rects };
  };

  it("colours the plane by the classifier and draws the points and the boundary", () => {
    for (const classify of [
      (x: cr.Tensor) => x.select(1, 0).gt(cut).int(), // labels
      (x: cr.Tensor) => x.select(1, 0).sub(cut).mul(4).sigmoid(), // P(class 1)
      (x: cr.Tensor) => x.select(1, 0).sub(cut).mul(4).unsqueeze(1), // a logit
      (x: cr.Tensor) =>
        cr.stack(
          [
            x.select(1, 0).neg(),
            x
              .select(1, 0)
              .sub(2 * cut)
              .neg()
              .neg(),
          ],
          1,
        ), // 2 logits
    ]) {
      const { root, rects } = regionsOf(
        viz.decisionBoundary(classify, X, y, { title: "b", xLabel: "x1", yLabel: "x2" }),
      );
      expect(countTag(root, "circle")).toBe(6);
      // every region rect lies on one side of the cut, in that side's colour family; pixels → data from the x ticks
      const ticks = allElements(root)
        .filter((e) => e.name === "text" && e.attrs["text-anchor"] === "middle" && /^-?[\d.]+$/.test(e.text))
        .map((e) => [Number(e.attrs.x), Number(e.text)]);
      expect(ticks.length).toBeGreaterThan(3);
      const [[p0, v0], [p1, v1]] = [ticks[0], ticks.at(-1)!];
      const toData = (px: number) => v0 + ((px - p0) / (p1 - p0)) * (v1 - v0);
      for (const r of rects) {
        const mid = toData(Number(r.attrs.x) + Number(r.attrs.width) / 2);
        const blue = parseInt(r.attrs.fill.slice(5, 7), 16) > parseInt(r.attrs.fill.slice(1, 3), 16);
        if (Math.abs(mid - cut) > 0.2) expect(blue, `rect at x=${mid.toFixed(2)}`).toBe(mid < cut);
      }
      const boundary = findElement(root, (e) => e.attrs.class === "boundary")!.attrs.d;
      const xs = [...boundary.matchAll(/M([\d.]+) [\d.]+v/g)].map((m) => toData(Number(m[1])));
      expect(xs.length).toBeGreaterThan(10);
      for (const v of xs) expect(Math.abs(v - cut)).toBeLessThan(0.1);
    }
  });

  it("refuses an output of the wrong size", () => {
    expect(() => viz.decisionBoundary((x) => x.sum(), X, y)).toThrow(/decisionBoundary.*returned shape/);
  });
});

describe("activationGallery", () => {
  it("computes derivatives by autograd that match the closed forms", () => {
    const t = viz.activationCurves(cr.tanh, [-3, 3], 61);
    t.x.forEach((x, i) => expect(t.dy[i]).toBeCloseTo(1 - Math.tanh(x) ** 2, 12));
    const s = viz.activationCurves(cr.sigmoid, [-3, 3], 61);
    s.y.forEach((v, i) => expect(s.dy[i]).toBeCloseTo(v * (1 - v), 12));
    const r = viz.activationCurves(cr.relu, [-1, 1], 3);
    expect(r.dy).toEqual([0, 0, 1]); // ReLU'(0) = 0, as in PyTorch
  });

  it("draws two curves per panel with readable labels", () => {
    const svg = viz.activationGallery();
    const root = expectReadableLayout(svg);
    const panels = viz.DEFAULT_ACTIVATIONS.length;
    expect(allElements(root).filter((e) => e.attrs.class === "series")).toHaveLength(panels);
    expect(countTag(root, "path")).toBe(2 * panels);
    const texts = allElements(root)
      .filter((e) => e.name === "text")
      .map((e) => e.text);
    for (const a of viz.DEFAULT_ACTIVATIONS) expect(texts).toContain(a.name);
    const two = viz.activationGallery({ activations: [{ name: "sin", fn: cr.sin }], columns: 4, points: 11 });
    expect(countTag(parseXml(two), "path")).toBe(2);
  });
});
