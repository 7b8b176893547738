// Every `@example` in the TSDoc of src/ runs, each in its own scope after a shared prelude of imports and
// small fixtures, and its result comments are checked. Two comment forms are assertions:
//   `const y = f(x); // [32, 512]`            the declared tensor's shape (also `// a: [2], b: [3, 4]`,
//                                              `[4, 12, 32], [2, 4, 16] ×2` for destructured names;
//                                              a letter such as N matches any size)
//   `grad(f)(x) // [2, 4]`                     a bare expression's value (after the last " = " if any;
//                                              a closing "(…)" is prose)
// Any other comment is prose.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, vi } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

interface Example {
  where: string; // file:line
  lines: string[];
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [p] : [];
  });
}

function examples(): Example[] {
  const out: Example[] = [];
  for (const file of sourceFiles(path.join(root, "src"))) {
    const text = fs.readFileSync(file, "utf8");
    for (const m of text.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
      const at = m[1].indexOf("@example");
      if (at < 0) continue;
      const body = m[1].slice(at + "@example".length).split(/\n\s*\*\s*@/)[0];
      const lines = body
        .split("\n")
        .map((l) => l.replace(/^\s*\* ?/, ""))
        .filter((l) => l.trim() !== "");
      const line = text.slice(0, m.index + 3 + at).split("\n").length;
      out.push({ where: `${path.relative(root, file)}:${line}`, lines });
    }
  }
  return out;
}

// `[d, …]` items, optionally `name:` before and `×k` after, separated by commas.
const SHAPES = /^(?:\s*(?:(\w+):\s*)?\[([\w\s,]*)\](?:\s*×(\d+))?\s*,?)+$/;
const ITEM = /(?:(\w+):\s*)?\[([\w\s,]*)\](?:\s*×(\d+))?/g;

/** Shape assertions for a declaration line's comment, or null when the comment is prose. */
function shapeChecks(decl: string, comment: string, where: string): string | null {
  if (!SHAPES.test(comment)) return null;
  const names = /^(?:const|let)\s+[[{]/.test(decl)
    ? decl
        .slice(decl.search(/[[{]/) + 1, decl.search(/[\]}]/))
        .split(",")
        .map((s) => s.trim())
    : [(/^(?:(?:const|let)\s+)?(\w+)\s*=/.exec(decl) ?? [])[1]];
  const checks: string[] = [];
  let i = 0;
  for (const m of comment.matchAll(ITEM)) {
    const dims = m[2]
      .split(",")
      .map((d) => d.trim())
      .filter((d) => d !== "");
    const spec = JSON.stringify(dims.map((d) => (/^\d+$/.test(d) ? Number(d) : null)));
    for (let k = 0; k < Number(m[3] ?? 1); k++) {
      const name = m[1] ?? names[i++];
      checks.push(`__shape(${name}, ${spec}, ${JSON.stringify(`${where}: ${name}`)});`);
    }
  }
  return checks.join(" ");
}

/** The example as code: comments that state results become assertions. */
function instrument(ex: Example): string {
  return ex.lines
    .map((line, i) => {
      const m = /^(.*?);?\s*\/\/\s*(.+)$/.exec(line);
      if (!m || /^\s*(for|if|while)\b/.test(m[1])) return line;
      const [, code, comment] = m;
      const where = `${ex.where} (example line ${i + 1})`;
      if (/^\s*((const|let)\s|\w+\s*=[^=])/.test(code)) {
        const checks = shapeChecks(code.trim(), comment.trim(), where);
        return checks ? `${code}; ${checks}` : line;
      }
      const stated = comment.replace(/\s+\([^()]*\)$/, ""); // a closing "(…)" is prose
      const expected = stated.includes(" = ") ? stated.slice(stated.lastIndexOf(" = ") + 3) : stated;
      if (!/^[[{\d-]/.test(expected.trim())) return line;
      return `__value(${code}, (${expected}), ${JSON.stringify(where)});`;
    })
    .join("\n");
}

const PRELUDE = `
const { nn, optim, data, io, train, viz } = cr;
const F = nn.functional;
const { tensor, grad, valueAndGrad, hessian } = cr;
const { DataLoader, TensorDataset, randomSplit, standardize, loadCsv } = data;
const { saveFile } = io;
const { fit, evaluate, EarlyStopping } = train;
const { Adam, SGD, ReduceLROnPlateau } = optim;
type Tensor = cr.Tensor;
function __plain(v: unknown): unknown {
  if (v instanceof cr.Tensor) return v.toArray();
  if (Array.isArray(v)) return v.map(__plain);
  if (v !== null && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, w]) => [k, __plain(w)]));
  return v;
}
function __value(got: unknown, want: unknown, where: string) {
  __expect(__plain(got), where).toEqual(want);
}
function __shape(t: cr.Tensor, want: (number | null)[], where: string) {
  __expect(t.shape.map((d, i) => (want[i] === null ? null : d)), where).toEqual(want);
}
cr.manualSeed(0);
// Fixtures the examples refer to.
const x = cr.randn([20, 784]), y = cr.randint(0, 2, [20]);
const ds = new TensorDataset(x, y);
const [xTrain, yTrain, xTest, yTest] = [cr.randn([40, 4]), cr.randint(0, 3, [40]), cr.randn([10, 4]), cr.randint(0, 3, [10])];
const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 3));
const params = model.parameters();
const opt = new SGD(params, { lr: 0.1 });
const w = cr.randn([3], { requiresGrad: true }), b = cr.randn([3], { requiresGrad: true });
const loss = w.mul(b).sum();
const net = new nn.Sequential(new nn.Linear(2, 4), new nn.Tanh(), new nn.Linear(4, 2));
const X = cr.randn([20, 2]), hidden = cr.randn([20, 2]);
const [trainLoss, validLoss] = [[1, 0.5, 0.25], [1.1, 0.7, 0.5]];
`;

describe("TSDoc @example blocks", () => {
  const all = examples();

  it("finds the examples", () => expect(all.length).toBeGreaterThanOrEqual(25));

  it("turns result comments into assertions", () => {
    const ex = { where: "t", lines: ["const { a, b } = f(); // [5, N], [2] ×1", "g(x) // diag = [1, 2]"] };
    const code = instrument(ex);
    expect(code).toContain('__shape(a, [5,null], "t (example line 1): a")');
    expect(code).toContain('__shape(b, [2], "t (example line 1): b")');
    expect(code).toContain("__value(g(x), ([1, 2])");
    expect(instrument({ where: "t", lines: ["const g = f(); // a, b, mul"] })).not.toContain("__");
  });

  it("runs each one and checks its stated results", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainrule-tsdoc-"));
    fs.writeFileSync(path.join(dir, "iris.csv"), "a,b,species\n1,2,setosa\n3,4,virginica\n5,6,setosa\n");
    const body = all.map((ex) => `// ${ex.where}\n{\n${instrument(ex)}\n}\n`).join("\n");
    expect(body.match(/__(shape|value)\(/g)?.length).toBeGreaterThanOrEqual(15);
    const file = path.join(dir, "tsdoc-examples.ts");
    const src = path.join(root, "src/index.ts").replace(/\\/g, "/");
    fs.writeFileSync(
      file,
      `import * as cr from "${src}";\nexport async function run(__expect: (v: unknown, m: string) => { toEqual(w: unknown): void }) {\n${PRELUDE}\n${body}\n}\n`,
    );
    const cwd = process.cwd();
    process.chdir(dir);
    const quiet = [vi.spyOn(console, "log"), vi.spyOn(process.stdout, "write")];
    quiet.forEach((s) => s.mockImplementation(() => true));
    try {
      const mod = (await import(/* @vite-ignore */ file)) as { run(e: typeof expect): Promise<void> };
      await mod.run(expect);
    } finally {
      quiet.forEach((s) => s.mockRestore());
      process.chdir(cwd);
    }
    expect(fs.existsSync(path.join(dir, "weights.safetensors"))).toBe(true);
  }, 120_000);
});
