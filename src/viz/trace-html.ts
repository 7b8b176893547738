// The backprop trace as one self-contained HTML page: the forward graph (inline SVG laid out by Graphviz)
// with each step of the reverse sweep highlighted in turn, its numbers beside it, and the table of all
// steps. No external assets; a few lines of script step through the trace.
import { renderSvg, svgElement } from "./dot.js";
import { fmtSummary } from "./model.js";
import type { BackpropTrace } from "./trace.js";
import { esc } from "./plot/svg.js";

/** Options of traceToHtml. */
export interface TraceHtmlOptions {
  /** Page title and heading (default "Backprop, step by step"). */
  title?: string;
  /** Seconds per step when playing (default 1.5). */
  interval?: number;
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:24px;color:#222}
h1{font-size:20px;margin:0 0 12px}
.wrap{display:flex;gap:24px;align-items:flex-start;flex-wrap:wrap}
.graph{flex:1 1 480px;overflow:auto;border:1px solid #ddd;border-radius:6px;padding:8px}
.graph svg{max-width:100%;height:auto}
.panel{flex:0 0 360px;border:1px solid #ddd;border-radius:6px;padding:12px 16px;font-size:14px}
.panel h2{font-size:16px;margin:4px 0 8px}
.formula{font-family:ui-monospace,Menlo,Consolas,monospace;background:#f6f6f6;padding:4px 6px;border-radius:4px}
.controls{margin:12px 0;display:flex;gap:8px;align-items:center}
button{font-size:14px;padding:4px 12px;cursor:pointer}
table{border-collapse:collapse;margin-top:16px;font-size:13px}
td,th{border-bottom:1px solid #e4e4e4;padding:4px 10px;text-align:left;vertical-align:top}
tr.current td{background:#fff0d9}
tr{cursor:pointer}
.node.active :is(polygon,ellipse,path){stroke:#d62728;stroke-width:3px}
.node.sent :is(polygon,ellipse,path){stroke:#ff7f0e;stroke-width:2.5px}
.node.done :is(polygon,ellipse,path){fill:#e9e9e9}
.edge.flow path{stroke:#d62728;stroke-width:2.5px}
.edge.flow polygon{stroke:#d62728;fill:#d62728}
.panel div{margin:3px 0}
`;

const SCRIPT = `
const svg=document.querySelector(".graph svg");
const panel=document.getElementById("panel");
const rows=[...document.querySelectorAll("tbody tr")];
let at=0,timer=null;
function el(id){return svg?svg.getElementById(id):null}
function clear(){for(const e of svg?svg.querySelectorAll(".active,.sent,.done,.flow"):[])e.classList.remove("active","sent","done","flow")}
function line(t,cls){const d=document.createElement(cls==="h"?"h2":"div");d.textContent=t;if(cls&&cls!=="h")d.className=cls;return d}
function show(i){
  at=Math.max(0,Math.min(STEPS.length,i));clear();panel.replaceChildren();
  rows.forEach((r,k)=>r.classList.toggle("current",k+1===at));
  document.getElementById("counter").textContent="step "+at+" of "+STEPS.length;
  for(const s of STEPS.slice(0,Math.max(0,at-1)))el(s.nodeId)?.classList.add("done");
  if(at===0){panel.append(line("Forward pass done","h"),line(INTRO));return}
  const s=STEPS[at-1];
  el(s.nodeId)?.classList.add("active");
  panel.append(line("Step "+at+": "+s.op+" ("+s.nodeId+")","h"),line("local derivative:"),line(s.derivative,"formula"),
    line("vector-Jacobian product:"),line(s.vjp,"formula"),line("incoming g = "+s.gIn));
  for(const f of s.out){el(f.nodeId)?.classList.add("sent");el(f.edgeId)?.classList.add("flow");panel.append(line("→ "+f.label+" ("+f.nodeId+"): "+f.grad))}
  if(at===STEPS.length)panel.append(line("Sweep done. Leaf gradients:"),...LEAVES.map(l=>line(l,"formula")));
}
function play(){if(timer){clearInterval(timer);timer=null;return}if(at>=STEPS.length)show(0);timer=setInterval(()=>{if(at>=STEPS.length){clearInterval(timer);timer=null}else show(at+1)},INTERVAL)}
document.getElementById("prev").onclick=()=>show(at-1);
document.getElementById("next").onclick=()=>show(at+1);
document.getElementById("play").onclick=play;
rows.forEach((r,k)=>r.onclick=()=>show(k+1));
document.addEventListener("keydown",e=>{if(e.key==="ArrowRight")show(at+1);else if(e.key==="ArrowLeft")show(at-1);else if(e.key===" "){e.preventDefault();play()}});
const hash=/^#step=(\\d+)$/.exec(location.hash);
show(hash?Number(hash[1]):0);
`;

/** JSON that is safe inside a <script> element. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

function stepsTable(trace: BackpropTrace): string {
  const head =
    "<tr><th>step</th><th>node</th><th>op</th><th>local derivative</th><th>incoming g</th><th>sent to inputs</th></tr>";
  const rows = trace.steps.map((s) => {
    const outs = s.gradInputs
      .map((f) => `${esc(f.label)} (${esc(f.nodeId)}): ${f.grad ? esc(fmtSummary(f.grad)) : "none"}`)
      .join("<br>");
    const cells = [String(s.step), s.nodeId, s.op, s.derivative, fmtSummary(s.gradOutput)].map(esc);
    return `<tr>${cells.map((c) => `<td>${c}</td>`).join("")}<td>${outs}</td></tr>`;
  });
  return `<table><thead>${head}</thead><tbody>${rows.join("\n")}</tbody></table>`;
}

/**
 * A standalone HTML page that animates the trace: the forward graph with values (Graphviz SVG, inline),
 * the node of the current step outlined in red and the edges its gradients flow back along highlighted,
 * the local derivative and numbers in a side panel, and a table of every step (click a row to jump).
 * Keys: → next, ← previous, space play/pause; `#step=3` in the address opens step 3.
 */
export async function traceToHtml(trace: BackpropTrace, opts: TraceHtmlOptions = {}): Promise<string> {
  const title = opts.title ?? "Backprop, step by step";
  const svg = svgElement(await renderSvg(trace.graph, { showGrads: false }));
  const steps = trace.steps.map((s) => ({
    nodeId: s.nodeId,
    op: s.op,
    derivative: s.derivative,
    vjp: s.vjp,
    gIn: fmtSummary(s.gradOutput),
    out: s.gradInputs.map((f) => ({
      nodeId: f.nodeId,
      label: f.label,
      edgeId: `e_${f.nodeId}_${s.nodeId}_${f.inputIndex}`,
      grad: f.grad ? fmtSummary(f.grad) : "none",
    })),
  }));
  const leaves = trace.leafGrads.map((l) => `${l.label}.grad = ${fmtSummary(l.grad)}`);
  const intro =
    "Each node shows its value. Step through the reverse sweep: every op receives g, the gradient of the " +
    "output with respect to its own output, and sends each input g times its local derivative.";
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>
<body><h1>${esc(title)}</h1>
<div class="controls"><button id="prev">◀ prev</button><button id="play">▶ play / pause</button><button id="next">next ▶</button><span id="counter"></span></div>
<div class="wrap"><div class="graph">${svg}</div><div class="panel" id="panel"></div></div>
${stepsTable(trace)}
<script>
const STEPS=${scriptJson(steps)};
const LEAVES=${scriptJson(leaves)};
const INTRO=${scriptJson(intro)};
const INTERVAL=${Math.round((opts.interval ?? 1.5) * 1000)};
${SCRIPT}</script>
</body></html>
`;
}
