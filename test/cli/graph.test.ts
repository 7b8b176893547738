// `chainrule graph` in a child process: the recorded forward graph as SVG (one node shape per graph
// node, layers as clusters), the reverse graph as DOT, and its refusals.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const BIN = resolve(__dirname, "../../cli/chainrule.mjs");
const dir = mkdtempSync(join(tmpdir(), "chainrule-graph-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { cwd: dir, timeout: 60_000 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe.concurrent("chainrule graph", () => {
  it("writes the forward graph of an MLP config as SVG with layer clusters", async () => {
    const r = await run("graph", "--dataset", "xor", "--layers", "4", "--out", "fwd.svg");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const nodes = Number(/\((\d+) nodes/.exec(r.stdout)?.[1]);
    const svg = readFileSync(join(dir, "fwd.svg"), "utf8");
    expect(svg).toMatch(/^<svg|<\?xml/);
    expect((svg.match(/class="node"/g) ?? []).length).toBe(nodes);
    for (const layer of ["0: Linear", "1: ReLU", "2: Linear"]) expect(svg).toContain(layer);
    expect(svg).toContain("0.weight");
    expect(svg).toContain("loss");
  });

  it("writes the backward graph as DOT, one vjp node per recorded op", async () => {
    const r = await run("graph", "--dataset", "iris", "--layers", "8", "--backward", "--out", "bwd.dot");
    expect(r.code).toBe(0);
    const dot = readFileSync(join(dir, "bwd.dot"), "utf8");
    expect(dot).toMatch(/^digraph /);
    expect(dot).toContain("linear backward");
    expect(dot).toContain("0.weight.grad");
  });

  it("refuses an unknown format and a missing --out", async () => {
    const bad = await run("graph", "--dataset", "xor", "--out", "g.png");
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe("chainrule graph: error: --out must end in .svg or .dot, got 'g.png'");
    const missing = await run("graph", "--dataset", "xor");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/graph needs --out FILE/);
  });
});
