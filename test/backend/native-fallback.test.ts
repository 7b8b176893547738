// The install never fails because of the native backend, and chainrule works without it: a build with
// no working compiler exits 0 with one line, and a missing addon leaves the cpu backend as the truth.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

describe("native backend fallback", () => {
  it("build-native exits 0 with one clear line when the compiler is missing", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainrule-nobuild-"));
    try {
      for (const f of ["binding.gyp", "scripts/build-native.mjs", "src/backend/native/csrc"])
        fs.cpSync(path.join(root, f), path.join(dir, f), { recursive: true });
      const env = { ...process.env, CXX: "/bin/false", CC: "/bin/false", CHAINRULE_NATIVE: "" };
      const run = spawnSync(process.execPath, ["scripts/build-native.mjs"], {
        cwd: dir,
        env,
        encoding: "utf8",
      });
      expect(run.status).toBe(0);
      const lines = run.stdout.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^chainrule: native backend not built \(.+\); using the cpu backend/);
      expect(fs.existsSync(path.join(dir, "build/Release/chainrule.node"))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("without the addon, getBackend() says cpu and the ops still work", () => {
    const script = [
      `import * as cr from ${JSON.stringify(path.join(root, "src/index.ts"))};`,
      "const y = cr.tensor([[1, 2], [3, 4]]).matmul(cr.tensor([[5, 6], [7, 8]]));",
      "console.log(JSON.stringify([cr.getBackend(), cr.listBackends(), y.toArray(), cr.getNumThreads()]));",
    ].join("\n");
    const file = path.join(os.tmpdir(), `chainrule-fallback-${process.pid}.mts`);
    fs.writeFileSync(file, script);
    try {
      const env = {
        ...process.env,
        CHAINRULE_NATIVE_PATH: path.join(os.tmpdir(), "missing", "chainrule.node"),
      };
      const run = spawnSync(process.execPath, ["--import", "tsx", file], {
        cwd: root,
        env,
        encoding: "utf8",
      });
      expect(run.stderr).toBe("");
      expect(JSON.parse(run.stdout)).toEqual([
        "cpu",
        ["cpu"],
        [
          [19, 22],
          [43, 50],
        ],
        1,
      ]);
    } finally {
      fs.rmSync(file, { force: true });
    }
  }, 60_000);

  it("an addon from older sources is not used: one line says so, getBackend() says cpu", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainrule-stale-"));
    const fake = path.join(dir, "chainrule.cjs"); // what require() finds at CHAINRULE_NATIVE_PATH
    fs.writeFileSync(
      fake,
      "const f = () => {}; module.exports = { init: f, matmul: f, sgdStep: f, adamStep: f };",
    );
    const script = path.join(dir, "main.mts");
    fs.writeFileSync(script, `import * as cr from ${JSON.stringify(path.join(root, "src/index.ts"))};\nconsole.log(cr.getBackend());`); // prettier-ignore
    try {
      const env = { ...process.env, CHAINRULE_NATIVE_PATH: fake };
      const run = spawnSync(process.execPath, ["--import", "tsx", script], {
        cwd: root,
        env,
        encoding: "utf8",
      });
      expect(run.stdout.trim()).toBe("cpu");
      expect(run.stderr.trim()).toBe(
        "chainrule: the native addon is out of date (no packB, logSoftmax, tuneMalloc); using the cpu backend. " +
          "Rebuild it with `npm run build:native`.",
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
