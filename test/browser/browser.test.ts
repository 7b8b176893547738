// chainrule in a browser: the library bundled for the web (no Node built-ins) runs in headless Chromium,
// computes gradients, trains an MLP on XOR and round-trips a safetensors file in memory.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CHROMIUM = "/usr/bin/chromium";
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
// .ci/run installs Debian's chromium; a developer machine without it skips this file (and says so).
const haveBrowser = fs.existsSync(CHROMIUM);

describe.skipIf(!haveBrowser)("browser (headless Chromium)", () => {
  let browser: Browser;
  let bundle: string;

  beforeAll(async () => {
    const out = await build({
      entryPoints: [path.join(root, "src/index.ts")],
      bundle: true,
      write: false,
      format: "iife",
      globalName: "chainrule",
      platform: "browser",
      target: "es2022",
      logLevel: "silent",
    });
    bundle = out.outputFiles[0].text;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-first-run",
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it("bundles without Node built-ins", () => {
    expect(bundle).not.toMatch(/require\(["']node:/);
    expect(bundle.length).toBeGreaterThan(10_000);
  });

  it("computes gradients, trains XOR and round-trips safetensors", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.addScriptTag({ content: bundle });
    const result = await page.evaluate(() => {
      const cr = (globalThis as any).chainrule;
      const a = cr.tensor(
        [
          [1, 2],
          [3, 4],
        ],
        { requiresGrad: true },
      );
      const b = cr.tensor([10, 20], { requiresGrad: true });
      a.mul(b).sum().backward();
      cr.manualSeed(1);
      const { nn, optim } = cr;
      const x = cr.tensor([
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ]);
      const y = cr.tensor([[0], [1], [1], [0]]);
      const model = new nn.Sequential(new nn.Linear(2, 8), new nn.Tanh(), new nn.Linear(8, 1));
      const opt = new optim.Adam(model.parameters(), { lr: 0.05 });
      const lossFn = new nn.BCEWithLogitsLoss();
      let loss = 0;
      for (let i = 0; i < 300; i++) {
        opt.zeroGrad();
        const l = lossFn.forward(model.forward(x), y);
        l.backward();
        opt.step();
        loss = l.item();
      }
      const acc = cr
        .noGrad(() => model.forward(x))
        .gt(0)
        .to("float32")
        .eq(y)
        .to("float32")
        .mean()
        .item();
      const bytes = cr.io.serialize(model.stateDict(), { note: "browser" });
      const back = cr.io.deserialize(bytes);
      return {
        aGrad: a.grad.toArray(),
        bGrad: b.grad.toArray(),
        loss,
        acc,
        backend: cr.getBackend(),
        keys: Object.keys(back.tensors).sort(),
        same: back.tensors["0.weight"].toArray(),
        orig: model.stateDict()["0.weight"].toArray(),
      };
    });
    expect(errors).toEqual([]);
    expect(result.aGrad).toEqual([
      [10, 20],
      [10, 20],
    ]);
    expect(result.bGrad).toEqual([4, 6]);
    expect(result.acc).toBe(1);
    expect(result.loss).toBeLessThan(0.05);
    expect(result.backend).toBe("cpu");
    expect(result.keys).toEqual(["0.bias", "0.weight", "2.bias", "2.weight"]);
    expect(result.same).toEqual(result.orig);
  }, 60_000);
});
