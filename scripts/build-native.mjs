// `npm install` hook: builds the native backend (build/Release/chainrule.node) from source with node-gyp.
// It never fails the install: without a compiler, Node headers or node-gyp it prints one line and exits 0,
// and chainrule runs on its cpu backend (getBackend() says 'cpu'). CHAINRULE_NATIVE=0 skips the build.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const addon = path.join(root, "build", "Release", "chainrule.node");
const log = path.join(root, "build", "native-build.log");

function done(message) {
  console.log(`chainrule: ${message}`);
  process.exit(0);
}

function fallback(reason) {
  done(`native backend not built (${reason}); using the cpu backend, which is correct but slower`);
}

/** npm's own node-gyp: npm names it in npm_config_node_gyp; else next to this node, else a local one. */
function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(
      path.dirname(process.execPath),
      "..",
      "lib",
      "node_modules",
      "npm",
      "node_modules",
      "node-gyp",
      "bin",
      "node-gyp.js",
    ),
    path.join(
      path.dirname(process.execPath),
      "node_modules",
      "npm",
      "node_modules",
      "node-gyp",
      "bin",
      "node-gyp.js",
    ),
  ];
  try {
    candidates.push(createRequire(import.meta.url).resolve("node-gyp/bin/node-gyp.js"));
  } catch {
    // not installed locally: fine
  }
  return candidates.find((p) => p && fs.existsSync(p));
}

/** Offline machines: build against this node's own headers when they are installed beside it. */
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = path.resolve(path.dirname(process.execPath), "..");
  return fs.existsSync(path.join(prefix, "include", "node", "node_api.h")) ? [`--nodedir=${prefix}`] : [];
}

function smokeTest() {
  const check = [
    `const a = require(${JSON.stringify(addon)});`,
    "const d = new Float64Array(64); a.init(d); d.set([2, 2, 2, 2, 2, 1, 0, 2, 1, 0]);",
    "const o = new Float32Array(4); a.matmul(new Float32Array([1, 2, 3, 4]), new Float32Array([5, 6, 7, 8]), o);",
    "if (o.join() !== '19,22,43,50') throw new Error('wrong product ' + o.join());",
  ].join("\n");
  return spawnSync(process.execPath, ["-e", check], { encoding: "utf8" });
}

if (process.env.CHAINRULE_NATIVE === "0")
  done("native build skipped (CHAINRULE_NATIVE=0); using the cpu backend");
const gyp = findNodeGyp();
if (!gyp) fallback("node-gyp not found");
const args = [gyp, "rebuild", "--release", "--jobs", "max", ...nodedirArgs()];
const run = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", env: process.env });
fs.mkdirSync(path.dirname(log), { recursive: true });
fs.writeFileSync(log, `${run.stdout ?? ""}${run.stderr ?? ""}${run.error ? String(run.error) : ""}`);
if (run.status !== 0 || !fs.existsSync(addon)) fallback(`node-gyp failed, see ${path.relative(root, log)}`);
const smoke = smokeTest();
if (smoke.status !== 0) {
  fs.rmSync(addon, { force: true });
  fs.appendFileSync(log, `\nsmoke test failed:\n${smoke.stderr}`);
  fallback(`the built addon failed its smoke test, see ${path.relative(root, log)}`);
}
done(`native backend built (${path.relative(root, addon)})`);
