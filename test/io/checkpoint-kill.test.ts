// Crash safety: a child process saves checkpoints in a loop and is killed with SIGKILL at random
// moments, many times; after every kill the file on disk must load and be exactly one saved version.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";

const root = join(__dirname, "..", "..");
const work = mkdtempSync(join(tmpdir(), "chainrule-kill-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Transpiles src/ and the child script to plain ESM JavaScript, so that each child starts in ~0.1 s. */
function transpile(): string {
  const out = join(work, "js");
  const files = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory()
        ? files(join(d, e.name))
        : e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")
          ? [join(d, e.name)]
          : [],
    );
  for (const file of [...files(join(root, "src")), join(__dirname, "checkpoint-writer.child.ts")]) {
    const js = ts.transpileModule(readFileSync(file, "utf8"), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const dest = join(out, relative(root, file)).replace(/\.ts$/, ".js");
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, js);
  }
  writeFileSync(join(out, "package.json"), '{ "type": "module" }');
  return join(out, "test", "io", "checkpoint-writer.child.js");
}

interface Run {
  acked: number; // the last version the child reported as saved
}

/** Starts the child, waits for its first acknowledged save, lets it run `delayMs` more, then SIGKILLs it. */
function runAndKill(script: string, path: string, start: number, delayMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, path, String(start), "200000"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let acked = start;
    let out = "";
    let err = "";
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const lines = out.split("\n");
      out = lines.pop()!;
      for (const l of lines) acked = Number(l);
      timer ??= setTimeout(() => child.kill("SIGKILL"), delayMs);
    });
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (signal !== "SIGKILL") reject(new Error(`child exited with ${code} before it was killed: ${err}`));
      else resolve({ acked });
    });
  });
}

describe("atomic checkpoint writes under SIGKILL", () => {
  // About 5-10 s on 2 cores: 25 children (~0.2 s each) plus transpiling src/ once.
  it(
    "after each of many kills the checkpoint loads and equals one saved version",
    { timeout: 60_000 },
    async () => {
      const script = transpile();
      const ckdir = join(work, "ckpt");
      mkdirSync(ckdir);
      const path = join(ckdir, "model.safetensors");
      // version 0, written before any child runs
      const v0 = { "layer.weight": cr.zeros([200000]), "layer.bias": cr.zeros([7], { dtype: "float64" }) };
      cr.io.saveCheckpoint(path, {
        model: { stateDict: () => v0, loadStateDict: () => undefined },
        epoch: 0,
        step: 0,
        extra: { version: 0, tag: "v0" },
      });

      const kills = 25;
      let version = 0;
      let interruptedWrites = 0;
      const seen = new Set<number>();
      for (let k = 0; k < kills; k++) {
        const before = readdirSync(ckdir).length;
        const { acked } = await runAndKill(script, path, version, Math.random() * 40);
        const info = cr.io.loadCheckpoint(path, { restoreRng: false });
        const v = info.epoch;
        // the file is exactly one complete version: every field agrees with its epoch
        expect(info.step).toBe(v * 10);
        expect(info.extra).toEqual({ version: v, tag: `v${v}` });
        const w = info.modelState["layer.weight"].toTypedArray();
        expect(w.length).toBe(200000);
        expect(w.every((x) => x === v)).toBe(true);
        expect([...info.modelState["layer.bias"].toTypedArray()]).toEqual(new Array(7).fill(v));
        // durable: every acknowledged save is there; at most the one in flight got further
        expect(v === acked || v === acked + 1).toBe(true);
        seen.add(v);
        version = v;
        if (readdirSync(ckdir).length > before) interruptedWrites++; // a temporary file left mid-write
      }
      // the kills did land in the middle of writes, and the saved versions advanced
      expect(interruptedWrites).toBeGreaterThan(0);
      expect(seen.size).toBeGreaterThan(kills / 2);
    },
  );
});
