// The `chainrule` binary in a child process: --help for every command, a tiny training run followed by
// eval, predict, summary and a bit-identical resume, an MNIST digit image predicted from PGM and PNG,
// a CSV regression, and every error path: one line on stderr, a non-zero exit, no stack trace.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";

const BIN = resolve(__dirname, "../../cli/chainrule.mjs");
const dir = mkdtempSync(join(tmpdir(), "chainrule-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function run(...args: string[]): Promise<Result> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: dir, timeout: 60_000, env: { ...process.env, CHAINRULE_DEBUG: "" } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

/** A refusal: the expected one-line message on stderr, the exit code, nothing on stdout, no stack. */
function expectRefusal(r: Result, message: RegExp, code = 2): void {
  expect(r.stderr.trimEnd(), r.stderr).toMatch(message);
  expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at |\.ts:\d+|Error:/);
  expect(r.code).toBe(code);
  expect(r.stdout).toBe("");
}

function tensorsOf(path: string): Record<string, number[]> {
  const { tensors } = cr.io.loadFile(path);
  return Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, Array.from(t.toTypedArray())]));
}

describe.concurrent("help", () => {
  for (const cmd of ["train", "eval", "predict", "summary", "graph", "resume"])
    it(`chainrule ${cmd} --help`, async () => {
      const r = await run(cmd, "--help");
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: chainrule ${cmd} `));
      expect(r.stdout).toContain("-h, --help");
      expect(r.stderr).toBe("");
    });
  it("chainrule --help lists the commands; no command is a usage error", async () => {
    const r = await run("--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/train .*\n.*eval .*\n.*predict .*\n.*summary .*\n.*graph .*\n.*resume /);
    const none = await run();
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("Usage: chainrule <command>");
  });
});

describe("a tiny run", () => {
  const out = join(dir, "xor");
  let trained: Result;
  beforeAll(async () => {
    trained = await run(
      "train",
      "--dataset",
      "xor",
      "--samples",
      "400",
      "--epochs",
      "8",
      "--dropout",
      "0.1",
      "--seed",
      "3",
      "--out",
      out,
    );
  });

  it("trains, prints test accuracy and writes checkpoint, logs and report", () => {
    expect(trained.stderr).toBe("");
    expect(trained.code).toBe(0);
    expect(trained.stdout).toMatch(
      /^chainrule: xor \(320 train \/ 80 test\), MLP 2-16-16-2 \(relu, dropout 0.1\)/,
    );
    expect(trained.stdout).toMatch(/Epoch 8\/8 {2}loss /);
    const acc = Number(/Test accuracy: ([\d.]+)%/.exec(trained.stdout)?.[1]);
    expect(acc).toBeGreaterThanOrEqual(90);
    for (const f of ["model.safetensors", "history.jsonl", "history.csv", "config.json", "report.html"])
      expect(existsSync(join(out, f)), f).toBe(true);
    expect(readFileSync(join(out, "history.jsonl"), "utf8").trim().split("\n")).toHaveLength(8);
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html).toContain("<svg");
    expect(html).toContain("Confusion matrix");
    expect(html).toContain("Decision boundary");
  });

  it("eval reproduces the test accuracy and prints the confusion matrix", async () => {
    const r = await run("eval", "--checkpoint", join(out, "model.safetensors"));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("80 samples (xor test split)");
    expect(/accuracy +([\d.]+)%/.exec(r.stdout)?.[1]).toBe(
      /Test accuracy: ([\d.]+)%/.exec(trained.stdout)?.[1],
    );
    expect(r.stdout).toMatch(
      /Confusion matrix \(rows: true, columns: predicted\):\n +0 +1\n +0 +\d+ +\d+\n +1 +\d+ +\d+\n$/,
    );
  });

  it("predict labels CSV rows; summary prints the layer table", async () => {
    writeFileSync(join(dir, "points.csv"), "x1,x0\n0.5,0.6\n0.5,-0.6\n-0.7,-0.5\n");
    const r = await run(
      "predict",
      "--checkpoint",
      join(out, "model.safetensors"),
      "--input",
      join(dir, "points.csv"),
    );
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.trim().split("\n");
    expect(rows[0]).toBe("row,prediction,probability");
    // Columns are matched by name: (x0, x1) = (0.6, 0.5) → 0, (-0.6, 0.5) → 1, (-0.5, -0.7) → 0.
    expect(rows.slice(1).map((l) => l.split(",")[1])).toEqual(["0", "1", "0"]);
    const s = await run("summary", "--checkpoint", join(out, "model.safetensors"));
    expect(s.stdout).toMatch(/MLP 2-16-16-2 .*trained 8 epochs on xor/);
    expect(s.stdout).toContain("Total params: 354");
  });

  it("resume from epoch 4 ends bit-identical to the 8-epoch run", async () => {
    const half = join(dir, "xor-half");
    const args = [
      "--dataset",
      "xor",
      "--samples",
      "400",
      "--dropout",
      "0.1",
      "--seed",
      "3",
      "--no-report",
      "--quiet",
    ];
    expect((await run("train", ...args, "--epochs", "4", "--out", half)).code).toBe(0);
    const r = await run("resume", "--checkpoint", join(half, "model.safetensors"), "--epochs", "8");
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("8 epochs from epoch 4");
    expect(tensorsOf(join(half, "model.safetensors"))).toEqual(tensorsOf(join(out, "model.safetensors")));
    expect(readFileSync(join(half, "history.csv"), "utf8").trim().split("\n")).toHaveLength(9);
  });
});

describe("data sources", () => {
  it("an MNIST model predicts a digit from PGM and PNG files", async () => {
    const out = join(dir, "mnist");
    const r = await run(
      "train",
      "--layers",
      "64",
      "--epochs",
      "3",
      "--test-split",
      "0.7",
      "--no-report",
      "--quiet",
      "--out",
      out,
    );
    expect(r.stderr).toBe("");
    expect(Number(/Test accuracy: ([\d.]+)%/.exec(r.stdout)?.[1])).toBeGreaterThan(85);
    const { x, y } = cr.data.mnist();
    const i = Array.from(y.toTypedArray()).indexOf(7) + 5; // the digits are grouped by class
    const px = Array.from(x.toTypedArray().subarray(i * 784, (i + 1) * 784), (v) => Math.round(v * 255));
    writeFileSync(join(dir, "seven.pgm"), `P2\n# a seven\n28 28\n255\n${px.join(" ")}\n`);
    // The same digit as dark ink on white paper, twice the size: inverted, cropped and centred.
    const png = new PNG({ width: 56, height: 56 });
    for (let r2 = 0; r2 < 56; r2++)
      for (let c = 0; c < 56; c++) {
        const v = 255 - px[Math.floor(r2 / 2) * 28 + Math.floor(c / 2)];
        png.data.set([v, v, v, 255], (r2 * 56 + c) * 4);
      }
    writeFileSync(join(dir, "seven.png"), PNG.sync.write(png));
    for (const f of ["seven.pgm", "seven.png"]) {
      const p = await run("predict", "--checkpoint", join(out, "model.safetensors"), "--input", join(dir, f));
      expect(p.stderr, f).toBe("");
      expect(p.stdout, f).toMatch(/^Prediction: 7 \(\d+\.\d%\); next: \d:0\.\d{4}, \d:0\.\d{4}\n$/);
    }
    expectRefusal(
      await run(
        "predict",
        "--checkpoint",
        join(out, "model.safetensors"),
        "--input",
        join(dir, "points.csv"),
      ),
      /this model takes 28×28 images/,
      1,
    );
  });

  it("a CSV with a numeric target trains a regressor", async () => {
    cr.manualSeed(0);
    const rows = Array.from({ length: 300 }, () => {
      const [a, b] = [Math.random() * 4 - 2, Math.random() * 4 - 2];
      return `${a.toFixed(4)},${b.toFixed(4)},${(3 * a - 2 * b + 1).toFixed(4)}`;
    });
    writeFileSync(join(dir, "lin.csv"), `a,b,target\n${rows.join("\n")}\n`);
    const out = join(dir, "lin");
    const r = await run(
      "train",
      "--dataset",
      "csv",
      "--data",
      "lin.csv",
      "--target",
      "target",
      "--epochs",
      "30",
      "--lr",
      "0.01",
      "--quiet",
      "--out",
      out,
    );
    expect(r.stderr).toBe("");
    expect(Number(/Test R²: ([\d.]+)/.exec(r.stdout)?.[1])).toBeGreaterThan(0.98);
    const e = await run(
      "eval",
      "--checkpoint",
      join(out, "model.safetensors"),
      "--data",
      "lin.csv",
      "--json",
    );
    expect(JSON.parse(e.stdout)).toMatchObject({ samples: 300, r2: expect.any(Number) });
    expectRefusal(
      await run(
        "train",
        "--dataset",
        "csv",
        "--data",
        "lin.csv",
        "--target",
        "target",
        "--loss",
        "cross-entropy",
        "--out",
        out,
      ),
      /--loss cross-entropy needs class labels, but the target of lin.csv is numeric/,
      1,
    );
    expectRefusal(
      await run("train", "--dataset", "csv", "--data", "lin.csv", "--target", "nope", "--out", out),
      /no column named 'nope'; the columns are 'a', 'b', 'target'/,
      1,
    );
  });
});

describe.concurrent("refusals", () => {
  const cases: [string, string[], RegExp, number?][] = [
    [
      "an unknown flag",
      ["train", "--lerning-rate", "0.1"],
      /^chainrule train: error: unknown option '--lerning-rate' \(see chainrule train --help\)$/,
    ],
    ["a misspelt flag", ["train", "--epoch", "3"], /unknown option '--epoch' \(did you mean --epochs\?\)/],
    ["a short flag", ["train", "-e", "3"], /unknown option '-e'/],
    ["a flag without its value", ["train", "--lr"], /option --lr needs a value \(X\)/],
    ["a repeated flag", ["train", "--lr", "0.1", "--lr", "0.2"], /option --lr is given twice/],
    ["a stray argument", ["train", "mnist"], /unexpected argument 'mnist'/],
    ["a negative learning rate", ["train", "--lr", "-0.1"], /--lr must be greater than 0, got '-0.1'/],
    ["a non-numeric learning rate", ["train", "--lr", "fast"], /--lr must be a number, got 'fast'/],
    ["zero epochs", ["train", "--epochs", "0"], /--epochs must be an integer of at least 1, got '0'/],
    [
      "fractional batch size",
      ["train", "--batch-size", "6.5"],
      /--batch-size must be an integer of at least 1, got '6.5'/,
    ],
    [
      "a bad layer list",
      ["train", "--layers", "512,abc"],
      /--layers must be a list of positive integers like 512,256, got '512,abc'/,
    ],
    ["a zero-width layer", ["train", "--layers", "0"], /--layers must be a list of positive integers/],
    ["dropout of 1", ["train", "--dropout", "1"], /--dropout must be in \[0, 1\), got '1'/],
    [
      "an unknown optimizer",
      ["train", "--optimizer", "adamm"],
      /--optimizer must be one of sgd, adam, adamw, rmsprop, adagrad; got 'adamm' \(did you mean adam\?\)/,
    ],
    ["an unknown dataset", ["train", "--dataset", "cifar"], /--dataset must be one of mnist, iris/],
    ["momentum for adam", ["train", "--momentum", "0.9"], /--momentum applies to sgd and rmsprop, not adam/],
    [
      "early stopping without validation",
      ["train", "--early-stop", "3"],
      /--early-stop watches val_loss: give --val-split too/,
    ],
    [
      "csv without --data",
      ["train", "--dataset", "csv"],
      /--dataset csv needs --data FILE and --target COLUMN/,
    ],
    [
      "--data without csv",
      ["train", "--data", "x.csv"],
      /--data is only for --dataset csv, not --dataset mnist/,
    ],
    [
      "a missing CSV file",
      ["train", "--dataset", "csv", "--data", "missing.csv", "--target", "y"],
      /data file missing.csv does not exist/,
      1,
    ],
    [
      "a missing config file",
      ["train", "--config", "nope.json"],
      /cannot read config file nope.json: no such file/,
      1,
    ],
    ["bad config JSON", ["train", "--config", "broken.json"], /config file broken.json is not valid JSON/],
    [
      "a config that is not an object",
      ["train", "--config", "list.json"],
      /config file list.json must hold a JSON object of settings/,
    ],
    ["an unknown config key", ["train", "--config", "typo.json"], /typo.json: unknown key 'learningRate'/],
    [
      "a bad config value",
      ["train", "--config", "badvalue.json"],
      /badvalue.json: 'epochs' must be a number, got 'many'/,
    ],
    ["an unknown command", ["trian"], /^chainrule: unknown command 'trian' \(did you mean train\?\)$/],
    ["eval without a checkpoint", ["eval"], /eval needs --checkpoint FILE/],
    [
      "eval of a missing checkpoint",
      ["eval", "--checkpoint", "none.safetensors"],
      /checkpoint none.safetensors does not exist/,
      1,
    ],
    ["a checkpoint that is not one", ["eval", "--checkpoint", "broken.json"], /broken.json/, 1],
    ["predict without input", ["predict", "--checkpoint", "x"], /predict needs --input FILE/],
    [
      "predict of a missing image",
      ["predict", "--checkpoint", "none.safetensors", "--input", "a.png"],
      /checkpoint none.safetensors does not exist/,
      1,
    ],
    [
      "resume with too few epochs",
      ["resume", "--checkpoint", "x", "--epochs", "-1"],
      /--epochs must be an integer of at least 1, got '-1'/,
    ],
    [
      "a foreign safetensors file",
      [
        "summary",
        "--checkpoint",
        resolve(__dirname, "../fixtures/safetensors-torch/torch-sample.safetensors"),
      ],
      /is not a chainrule checkpoint/,
      1,
    ],
    ["an unknown backend", ["train", "--backend", "gpu"], /--backend must be auto or one of cpu/],
  ];
  beforeAll(() => {
    writeFileSync(join(dir, "broken.json"), '{"lr": 0.1,');
    writeFileSync(join(dir, "list.json"), "[1, 2]");
    writeFileSync(join(dir, "typo.json"), '{"learningRate": 0.1}');
    writeFileSync(join(dir, "badvalue.json"), '{"epochs": "many"}');
  });
  for (const [what, args, message, code] of cases)
    it(`refuses ${what}`, async () => {
      expectRefusal(await run(...args), message, code ?? 2);
    });
});
