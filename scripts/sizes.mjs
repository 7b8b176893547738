// Prints lines of code per source folder (tinygrad's sz.py habit) so that growth is a decision.
// The core (tensor, autograd, ops, backend/cpu) has a budget of about 3,500 lines (docs/architecture.md).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
// The core as DESIGN.md draws it: tensor, autograd, ops, the backend interface and the cpu backend.
// The native backend (C++ and its binding) is counted on its own line, outside the budget.
const CORE = [
  "src/tensor",
  "src/autograd",
  "src/ops",
  "src/backend/backend.ts",
  "src/backend/cpu",
  "src/util",
];
const BUDGET = 3500;

function count(dir) {
  let files = 0;
  let lines = 0;
  if (!fs.existsSync(dir)) return { files, lines };
  if (fs.statSync(dir).isFile())
    return {
      files: 1,
      lines: fs
        .readFileSync(dir, "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "").length,
    };
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      const c = count(p);
      files += c.files;
      lines += c.lines;
    } else if (/\.(ts|mjs|js|cc|h)$/.test(e.name)) {
      files += 1;
      lines += fs
        .readFileSync(p, "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "").length;
    }
  }
  return { files, lines };
}

const dirs = fs.existsSync(path.join(root, "src"))
  ? fs
      .readdirSync(path.join(root, "src"), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => `src/${e.name}`)
  : [];
let core = 0;
console.log("folder".padEnd(22) + "files".padStart(6) + "lines".padStart(8));
for (const d of [
  ...dirs,
  "src/backend/cpu",
  "src/backend/native",
  "cli",
  "test",
  "examples",
  "experiments",
  "bench",
  "scripts",
]) {
  const c = count(path.join(root, d));
  console.log(d.padEnd(22) + String(c.files).padStart(6) + String(c.lines).padStart(8));
}
for (const d of CORE) core += count(path.join(root, d)).lines;
console.log(`core (non-blank lines): ${core} / budget ${BUDGET}`);
