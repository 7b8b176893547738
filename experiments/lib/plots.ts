// Two charts the experiments need that chainrule.viz does not have (built from its plot pieces): lines
// over a scatter of points (a regression fit over its data), and matrices as grids of shaded cells (the
// sparsity pattern of a Jacobian).
import {
  chartLayout,
  drawAxes,
  drawLegend,
  drawTitle,
  legendWidth,
  type LegendEntry,
} from "../../src/viz/plot/axes.js";
import { drawSeries, seriesDomains, seriesLegend, type Series } from "../../src/viz/plot/line.js";
import { paddedExtent } from "../../src/viz/plot/scatter.js";
import { color, el, svgDocument, text, textWidth, tint } from "../../src/viz/plot/svg.js";

/** A named group of points drawn as dots of one colour. */
export interface PointGroup {
  name: string;
  x: readonly number[];
  y: readonly number[];
  color?: string;
  /** Draw hollow rings instead of filled dots. */
  hollow?: boolean;
}

/** Options of overlayChart. */
export interface OverlayOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
}

/** Lines (e.g. fitted models) over groups of points (the data), with one legend for both. */
export function overlayChart(
  lines: readonly Series[],
  groups: readonly PointGroup[],
  opts: OverlayOptions = {},
): string {
  const width = opts.width ?? 640;
  const height = opts.height ?? 420;
  const fs = 11;
  const groupColor = (g: PointGroup, i: number) => g.color ?? color(lines.length + i);
  const entries: LegendEntry[] = [
    ...groups.map((g, i): LegendEntry => ({ label: g.name, color: groupColor(g, i), mark: "swatch" })),
    ...seriesLegend(lines),
  ];
  const xs = groups.flatMap((g) => [...g.x]);
  const ys = groups.flatMap((g) => [...g.y]);
  const lineDomains = seriesDomains(lines, {});
  const lay = chartLayout({
    width,
    height,
    title: opts.title,
    legend: legendWidth(entries, fs),
    xDomain: paddedExtent([...xs, ...lineDomains.x], 0.03),
    yDomain: paddedExtent([...ys, ...lineDomains.y], 0.05),
    axes: { xLabel: opts.xLabel, yLabel: opts.yLabel, fontSize: fs },
  });
  const dots = groups.flatMap((g, i) =>
    g.x.map((x, k) =>
      el("circle", {
        cx: lay.xs.map(x),
        cy: lay.ys.map(g.y[k]),
        r: 3.5,
        fill: g.hollow ? "white" : groupColor(g, i),
        stroke: g.hollow ? groupColor(g, i) : "white",
        "stroke-width": g.hollow ? 1.8 : 1,
      }),
    ),
  );
  const body = [
    opts.title ? drawTitle(opts.title, width / 2, 24, fs + 4) : "",
    drawAxes(lay.frame, lay.xs, lay.ys, { xLabel: opts.xLabel, yLabel: opts.yLabel, fontSize: fs }),
    el("g", { class: "points" }, dots.join("\n")),
    drawSeries(lines, lay.frame, lay.xs, lay.ys, "overlay-clip"),
    drawLegend(entries, lay.frame.x + lay.frame.width + 14, lay.frame.y, fs),
  ];
  return svgDocument(width, height, body.filter((s) => s !== "").join("\n"), opts.title);
}

/** One matrix panel of matrixGrid. */
export interface MatrixPanel {
  title: string;
  rows: readonly (readonly number[])[];
  /** A line under the panel (default: the count of nonzero entries). */
  caption?: string;
}

/**
 * Matrices side by side as grids of cells: white where an entry is exactly 0, blue shaded by |value|
 * (relative to the panel's largest) elsewhere. Shows which entries of a Jacobian are structurally zero.
 */
export function matrixGrid(
  panels: readonly MatrixPanel[],
  opts: { title?: string; cell?: number } = {},
): string {
  const cell = opts.cell ?? 22;
  const pad = 48;
  const top = opts.title ? 78 : 40;
  const sizes = panels.map((p) => ({ w: (p.rows[0]?.length ?? 0) * cell, h: p.rows.length * cell }));
  const width = Math.max(
    sizes.reduce((s, z) => s + z.w + pad, pad),
    opts.title ? textWidth(opts.title, 15) + 40 : 0,
  );
  const height = top + Math.max(...sizes.map((z) => z.h)) + 56;
  const body: string[] = [];
  if (opts.title) body.push(drawTitle(opts.title, width / 2, 26, 15));
  let x0 = pad;
  panels.forEach((p, k) => {
    const max = Math.max(...p.rows.flat().map(Math.abs), 1e-300);
    const nonzero = p.rows.flat().filter((v) => v !== 0).length;
    body.push(text(x0 + sizes[k].w / 2, top - 12, p.title, { "text-anchor": "middle", "font-size": 13 }));
    p.rows.forEach((row, i) =>
      row.forEach((v, j) =>
        body.push(
          el("rect", {
            x: x0 + j * cell,
            y: top + i * cell,
            width: cell,
            height: cell,
            fill: v === 0 ? "white" : tint(color(0), 0.25 + (0.75 * Math.abs(v)) / max),
            stroke: "#bbbbbb",
            "stroke-width": 0.6,
          }),
        ),
      ),
    );
    const caption = p.caption ?? `${nonzero} of ${p.rows.flat().length} entries nonzero`;
    body.push(
      text(x0 + sizes[k].w / 2, top + sizes[k].h + 22, caption, { "text-anchor": "middle", "font-size": 12 }),
    );
    x0 += sizes[k].w + pad;
  });
  return svgDocument(width, height, body.join("\n"), opts.title);
}
