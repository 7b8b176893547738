// Scatter plots of 2-D points coloured by class (a dataset, or a hidden layer's 2-D representation), and
// the point and class helpers that decision-boundary plots share.
import { noGrad } from "../../autograd/grad-mode.js";
import { Tensor } from "../../tensor/tensor.js";
import { check, fmtShape } from "../../util/errors.js";
import {
  chartLayout,
  drawAxes,
  drawLegend,
  drawTitle,
  extent,
  legendWidth,
  type AxesOptions,
  type LegendEntry,
  type Scale,
} from "./axes.js";
import { color, el, svgDocument } from "./svg.js";

/** Points as an [N, 2] tensor or a list of [x, y] pairs. */
export type Points2d = Tensor | readonly (readonly number[])[];

/** Options of scatterPlot. */
export interface ScatterOptions extends AxesOptions {
  title?: string;
  /** Size in px (default 520 × 440). */
  width?: number;
  height?: number;
  /** A class per point (int labels 0, 1, …; a tensor or array), colouring the points. */
  labels?: Tensor | ArrayLike<number>;
  /** Legend names of the classes (default `class 0`, `class 1`, …). */
  classNames?: string[];
  /** Point radius in px (default 4). */
  radius?: number;
}

/** The x and y coordinates of `points`. */
export function pointCoords(op: string, points: Points2d): { xs: number[]; ys: number[] } {
  if (points instanceof Tensor) {
    check(
      points.ndim === 2 && points.shape[1] === 2,
      op,
      () => `points must have shape [N, 2], got ${fmtShape(points.shape)}`,
    );
    const d = noGrad(() => points.toTypedArray());
    const n = points.shape[0];
    return {
      xs: Array.from({ length: n }, (_, i) => d[2 * i]),
      ys: Array.from({ length: n }, (_, i) => d[2 * i + 1]),
    };
  }
  points.forEach((p, i) =>
    check(p.length === 2, op, () => `point ${i} has ${p.length} coordinates, expected 2`),
  );
  return { xs: points.map((p) => p[0]), ys: points.map((p) => p[1]) };
}

/** Integer class labels, one per point (all 0 when none are given). */
export function classLabels(op: string, labels: Tensor | ArrayLike<number> | undefined, n: number): number[] {
  if (labels === undefined) return new Array<number>(n).fill(0);
  const arr =
    labels instanceof Tensor
      ? Array.from(
          noGrad(() => labels.toTypedArray()),
          Number,
        )
      : Array.from(labels);
  check(arr.length === n, op, () => `got ${arr.length} labels for ${n} points`);
  return arr.map((v) => Math.round(v));
}

/** Legend swatches for the classes that occur. */
export function classLegend(labels: readonly number[], names?: readonly string[]): LegendEntry[] {
  const present = [...new Set(labels)].sort((a, b) => a - b);
  return present.map((c) => ({ label: names?.[c] ?? `class ${c}`, color: color(c), mark: "swatch" }));
}

/** One `<circle>` per point, in `<g class="points">`. */
export function drawPoints(
  xs: readonly number[],
  ys: readonly number[],
  labels: readonly number[],
  sx: Scale,
  sy: Scale,
  radius: number,
): string {
  const dots = xs.map((x, i) =>
    el("circle", {
      cx: sx.map(x),
      cy: sy.map(ys[i]),
      r: radius,
      fill: color(labels[i]),
      stroke: "white",
      "stroke-width": 1,
      "fill-opacity": 0.9,
    }),
  );
  return el("g", { class: "points" }, dots.join("\n"));
}

/** The padded data extent of coordinates (10 % each side). */
export function paddedExtent(v: readonly number[], pad = 0.1): [number, number] {
  const [lo, hi] = extent(v) ?? [0, 1];
  const p = (hi - lo || Math.max(Math.abs(lo), 1)) * pad;
  return [lo - p, hi + p];
}

/**
 * A scatter plot as a standalone SVG document: one `<circle>` per point, coloured by `opts.labels`, with
 * axes, a class legend (when labels are given) and a title. Use it for a dataset or for the 2-D
 * representation a hidden layer gives it.
 *
 * @example
 * const svg = viz.scatterPlot(hidden, { labels: y, title: "Hidden space", xLabel: "h₁", yLabel: "h₂" });
 */
export function scatterPlot(points: Points2d, opts: ScatterOptions = {}): string {
  const { xs, ys } = pointCoords("scatterPlot", points);
  const labels = classLabels("scatterPlot", opts.labels, xs.length);
  const width = opts.width ?? 520;
  const height = opts.height ?? 440;
  const fs = opts.fontSize ?? 11;
  const entries = opts.labels === undefined ? [] : classLegend(labels, opts.classNames);
  const lay = chartLayout({
    width,
    height,
    title: opts.title,
    legend: legendWidth(entries, fs),
    xDomain: paddedExtent(xs, 0.05),
    yDomain: paddedExtent(ys, 0.05),
    axes: opts,
  });
  const body = [
    opts.title ? drawTitle(opts.title, width / 2, 24, fs + 4) : "",
    drawAxes(lay.frame, lay.xs, lay.ys, opts),
    drawPoints(xs, ys, labels, lay.xs, lay.ys, opts.radius ?? 4),
    drawLegend(entries, lay.frame.x + lay.frame.width + 14, lay.frame.y, fs),
  ];
  return svgDocument(width, height, body.filter((s) => s !== "").join("\n"), opts.title);
}
