// report.html of a training run: the settings, test metrics, loss and accuracy curves (chainrule.viz
// line charts), the confusion matrix, a decision boundary for 2-D data and, for images, a grid of the
// misclassified test digits as inline PNGs. One self-contained page, no scripts, no external files.
import { PNG } from "pngjs";
import * as cr from "../src/index.js";
import type { TrainConfig } from "./config.js";
import type { DataInfo, Split } from "./data.js";
import { describeModel, type ModelSpec } from "./model.js";

type Tensor = cr.Tensor;

export interface ReportInput {
  config: TrainConfig;
  spec: ModelSpec;
  info: DataInfo;
  model: cr.nn.Module;
  history: cr.train.History;
  test: Split;
  testMetrics: Record<string, number>;
  /** "val" or "test": whose curves accompany the training curves. */
  validationName: string;
  trainSamples: number;
  validationSamples: number;
  backend: string;
  seconds: number;
}

function esc(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] ?? c);
}

/** An inline SVG (the XML declaration dropped). */
function inline(svg: string): string {
  return svg.replace(/^<\?xml[^>]*>\s*/, "");
}

function curves(h: cr.train.History, key: string, title: string, validationName: string): string {
  const x = h.get("epoch");
  const series: cr.viz.Series[] = [{ name: `train ${key}`, x, y: h.get(key) }];
  const v = h.get(`${validationName}_${key}`);
  if (v.some(Number.isFinite)) series.push({ name: `${validationName} ${key}`, x, y: v, dash: true });
  return inline(cr.viz.lineChart(series, { title, xLabel: "epoch", yLabel: key, width: 520, height: 330 }));
}

function confusionTable(m: number[][], classes: string[]): string {
  const max = Math.max(1, ...m.flat());
  const head = `<tr><th>true \\ predicted</th>${classes.map((c) => `<th>${esc(c)}</th>`).join("")}</tr>`;
  const rows = m.map((row, i) => {
    const cells = row.map((v, j) => {
      const a = (v / max) ** 0.5;
      const bg = i === j ? `rgba(0,114,178,${a.toFixed(3)})` : `rgba(213,94,0,${a.toFixed(3)})`;
      return `<td style="background:${bg};color:${a > 0.55 ? "white" : "black"}">${v}</td>`;
    });
    return `<tr><th>${esc(classes[i])}</th>${cells.join("")}</tr>`;
  });
  return `<table class="cm">${head}${rows.join("")}</table>`;
}

function classTable(r: cr.train.ClassificationReport, classes: string[]): string {
  const f = (v: number): string => v.toFixed(3);
  const rows = r.perClass.map(
    (p, i) =>
      `<tr><th>${esc(classes[i])}</th><td>${f(p.precision)}</td><td>${f(p.recall)}</td><td>${f(p.f1)}</td><td>${p.support}</td></tr>`,
  );
  const macro = `<tr><th>macro</th><td>${f(r.precision)}</td><td>${f(r.recall)}</td><td>${f(r.f1)}</td><td></td></tr>`;
  return `<table><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>${rows.join("")}${macro}</table>`;
}

/** A grayscale image (values in [0, 1]) as a PNG data URL. */
export function pngDataUrl(pixels: ArrayLike<number>, width: number, height: number): string {
  const png = new PNG({ width, height });
  for (let i = 0; i < width * height; i++) {
    const v = Math.max(0, Math.min(255, Math.round(pixels[i] * 255)));
    png.data.set([v, v, v, 255], i * 4);
  }
  return `data:image/png;base64,${PNG.sync.write(png).toString("base64")}`;
}

function misclassifiedGrid(input: ReportInput, probs: Tensor, pred: Int32Array): string {
  const [h, w] = input.info.image ?? [0, 0];
  const y = input.test.y.toTypedArray();
  const x = input.test.x.toTypedArray();
  const p = probs.toTypedArray();
  const c = input.info.outputs;
  const classes = input.info.classes ?? [];
  const cells: string[] = [];
  for (let i = 0; i < y.length && cells.length < 48; i++) {
    if (pred[i] === y[i]) continue;
    const url = pngDataUrl(x.subarray(i * h * w, (i + 1) * h * w), w, h);
    const conf = p[i * c + pred[i]];
    cells.push(
      `<figure><img src="${url}" width="${w * 3}" height="${h * 3}" alt="test sample ${i}">` +
        `<figcaption>${esc(classes[y[i]])} → <b>${esc(classes[pred[i]])}</b> ${(100 * conf).toFixed(0)}%</figcaption></figure>`,
    );
  }
  const wrong = pred.reduce((n, v, i) => n + (v === y[i] ? 0 : 1), 0);
  return (
    `<h2>Misclassified test digits</h2><p>${wrong} of ${y.length} test images are misclassified; the first ` +
    `${cells.length} are shown as true → <b>predicted</b> (confidence).</p><div class="grid">${cells.join("")}</div>`
  );
}

function settingsTable(input: ReportInput): string {
  const c = input.config;
  const h = input.history;
  const rows: [string, string][] = [
    ["dataset", c.dataset === "csv" ? `${c.data} (target ${c.target})` : c.dataset],
    [
      "samples",
      `train ${input.trainSamples}${input.validationName === "val" ? ` · validation ${input.validationSamples}` : ""} · test ${input.test.x.shape[0]}`,
    ],
    [
      "model",
      `${describeModel(input.spec)} · ${input.model.numParameters().toLocaleString("en-US")} parameters`,
    ],
    [
      "optimizer",
      `${c.optimizer}, lr ${c.lr}${c.weightDecay ? `, weight decay ${c.weightDecay}` : ""}${c.momentum ? `, momentum ${c.momentum}` : ""}`,
    ],
    ["schedule", c.schedule],
    [
      "training",
      `${h.epochs.length} epochs · batch ${c.batchSize} · seed ${c.seed} · backend ${input.backend}`,
    ],
    ["time", `${input.seconds.toFixed(1)} s`],
  ];
  return `<table>${rows.map(([k, v]) => `<tr><th>${k}</th><td>${esc(v)}</td></tr>`).join("")}</table>`;
}

function metricLine(m: Record<string, number>): string {
  return Object.entries(m)
    .map(([k, v]) => `${k} <b>${k === "accuracy" ? `${(100 * v).toFixed(2)}%` : v.toFixed(4)}</b>`)
    .join(" · ");
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1120px;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border:1px solid #ddd;padding:.25rem .6rem;text-align:right}
th{background:#f6f6f6;text-align:left}.cm td{min-width:2.6rem;text-align:center}.charts{display:flex;flex-wrap:wrap;gap:1rem}
.grid{display:flex;flex-wrap:wrap;gap:.5rem}figure{margin:0;text-align:center;font-size:.8rem}
img{image-rendering:pixelated;display:block;border:1px solid #ccc}`;

/** The report page of a finished training run. */
export function renderReport(input: ReportInput): string {
  const { info, history, test } = input;
  const classification = info.task === "classification";
  const parts = [
    `<h1>chainrule training report</h1>`,
    `<p>Test set (${test.x.shape[0]} samples): ${metricLine(input.testMetrics)}</p>`,
    settingsTable(input),
    `<h2>Training curves</h2><div class="charts">`,
    curves(history, "loss", "Loss", input.validationName),
    classification
      ? curves(history, "accuracy", "Accuracy", input.validationName)
      : curves(history, "r2", "R²", input.validationName),
    `</div>`,
  ];
  if (input.validationName === "test")
    parts.push(
      `<p>The dashed curves are the test set, evaluated after each epoch (no model selection uses it).</p>`,
    );
  if (classification) {
    const logits = cr.train.predict(input.model, test.x);
    const classes = info.classes ?? [];
    const pred = cr.train.predictedClasses(logits);
    const m = cr.train.confusionMatrix(logits, test.y, info.outputs);
    parts.push(
      `<h2>Confusion matrix (test)</h2>`,
      confusionTable(m, classes),
      classTable(cr.train.classificationReport(m), classes),
    );
    if (info.inputs === 2 && info.image === null)
      parts.push(
        `<h2>Decision boundary (test points)</h2>`,
        inline(
          cr.viz.decisionBoundary((x) => cr.train.predict(input.model, x), test.x, test.y, {
            classNames: classes,
          }),
        ),
      );
    if (info.image) parts.push(misclassifiedGrid(input, logits.softmax(1), pred));
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>chainrule report</title><style>${STYLE}</style></head><body>${parts.join("\n")}</body></html>\n`;
}
