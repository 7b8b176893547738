// Line charts (loss and metric curves): several series, linear or log axes, ticks, labels, legend and
// title, as a standalone SVG string; and the series drawing that the activation gallery reuses.
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
import { color, el, svgDocument, type Rect } from "./svg.js";

/** One curve: `y[i]` at `x[i]` (default x = 0, 1, 2, …). Non-finite points break the line. */
export interface Series {
  name?: string;
  y: ArrayLike<number>;
  x?: ArrayLike<number>;
  /** Default: the palette colour of the series' position. */
  color?: string;
  dash?: boolean;
  /** Stroke width in px (default 2). */
  width?: number;
}

/** Options of lineChart. */
export interface LineChartOptions extends AxesOptions {
  title?: string;
  /** Size in px (default 640 × 400). */
  width?: number;
  height?: number;
  logX?: boolean;
  logY?: boolean;
  /** Fixed axis ranges (default: the data's, widened to whole ticks). */
  xDomain?: [number, number];
  yDomain?: [number, number];
  /** Show the legend of named series (default true). */
  legend?: boolean;
}

const xsOf = (s: Series): ArrayLike<number> => s.x ?? Array.from({ length: s.y.length }, (_, i) => i);

/** The SVG path data of a series: finite (and, on log axes, positive) points joined, gaps elsewhere. */
function pathData(s: Series, xs: Scale, ys: Scale): string {
  const xv = xsOf(s);
  const parts: string[] = [];
  let pen = false;
  for (let i = 0; i < s.y.length; i++) {
    const [x, y] = [xv[i], s.y[i]];
    const ok = Number.isFinite(x) && Number.isFinite(y) && (!xs.log || x > 0) && (!ys.log || y > 0);
    if (!ok) {
      pen = false;
      continue;
    }
    const px = Math.round(xs.map(x) * 100) / 100;
    const py = Math.round(ys.map(y) * 100) / 100;
    parts.push(`${pen ? "L" : "M"}${px} ${py}`);
    pen = true;
  }
  return parts.join("");
}

/** The series as one `<path>` each, clipped to `frame` (clip id `clipId`). */
export function drawSeries(
  series: readonly Series[],
  frame: Rect,
  xs: Scale,
  ys: Scale,
  clipId: string,
): string {
  const clip = el("clipPath", { id: clipId }, el("rect", { ...frame }));
  const paths = series.map((s, i) =>
    el("path", {
      d: pathData(s, xs, ys) || "M0 0",
      fill: "none",
      stroke: s.color ?? color(i),
      "stroke-width": s.width ?? 2,
      "stroke-dasharray": s.dash ? "6 4" : undefined,
      "stroke-linejoin": "round",
      "stroke-linecap": "round",
    }),
  );
  return `${clip}\n${el("g", { "clip-path": `url(#${clipId})`, class: "series" }, paths.join("\n"))}`;
}

/** The data extents of all series (or the fixed domains). */
export function seriesDomains(
  series: readonly Series[],
  opts: Pick<LineChartOptions, "logX" | "logY" | "xDomain" | "yDomain">,
): { x: [number, number]; y: [number, number] } {
  const all = (get: (s: Series) => ArrayLike<number>) => series.flatMap((s) => Array.from(get(s)));
  const x = opts.xDomain ?? extent(all(xsOf), opts.logX) ?? (opts.logX ? [1, 10] : [0, 1]);
  const y =
    opts.yDomain ??
    extent(
      all((s) => s.y),
      opts.logY,
    ) ??
    (opts.logY ? [1, 10] : [0, 1]);
  return { x, y };
}

/** The legend entries of the named series. */
export function seriesLegend(series: readonly Series[]): LegendEntry[] {
  return series.flatMap((s, i) =>
    s.name === undefined
      ? []
      : [{ label: s.name, color: s.color ?? color(i), mark: s.dash ? "dash" : "line" }],
  ) as LegendEntry[];
}

/**
 * A line chart as a standalone SVG document: one `<path>` per series (in the palette's colours unless
 * given), axes with ticks chosen so that their labels never collide, optional log scales, a legend of the
 * named series to the right of the plot and a title above it.
 *
 * @example
 * const svg = viz.lineChart([{ name: "train", y: trainLoss }, { name: "valid", y: validLoss }],
 *   { title: "Loss", xLabel: "epoch", yLabel: "loss", logY: true });
 */
export function lineChart(series: readonly Series[], opts: LineChartOptions = {}): string {
  const width = opts.width ?? 640;
  const height = opts.height ?? 400;
  const fs = opts.fontSize ?? 11;
  const entries = opts.legend === false ? [] : seriesLegend(series);
  const d = seriesDomains(series, opts);
  const lay = chartLayout({
    width,
    height,
    title: opts.title,
    legend: legendWidth(entries, fs),
    xDomain: d.x,
    yDomain: d.y,
    logX: opts.logX,
    logY: opts.logY,
    axes: opts,
  });
  const body = [
    opts.title ? drawTitle(opts.title, width / 2, 24, fs + 4) : "",
    drawAxes(lay.frame, lay.xs, lay.ys, opts),
    drawSeries(series, lay.frame, lay.xs, lay.ys, "plot-clip"),
    drawLegend(entries, lay.frame.x + lay.frame.width + 14, lay.frame.y, fs),
  ];
  return svgDocument(width, height, body.filter((s) => s !== "").join("\n"), opts.title);
}
