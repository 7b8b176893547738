// The README's TypeScript examples run as written (with "chainrule" resolved to src/), so the docs
// cannot drift from the API.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);

describe("README examples", () => {
  it("has TypeScript examples", () => expect(blocks.length).toBeGreaterThanOrEqual(3));

  it("runs each of them", async () => {
    // Each block runs in its own scope, after one shared import.
    const body = blocks
      .map((b) => `{\n${b}}\n`)
      .join("\n")
      .replace(/import \* as cr from "chainrule";\n/g, "")
      .replace(/const \{ nn, optim \} = cr;\n/g, "");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainrule-readme-"));
    const file = path.join(dir, "readme-example.ts");
    const src = path.join(root, "src/index.ts").replace(/\\/g, "/");
    fs.writeFileSync(file, `import * as cr from "${src}";\nconst { nn, optim } = cr;\n${body}\nexport {};\n`);
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      await import(/* @vite-ignore */ file);
    } finally {
      process.chdir(cwd);
    }
    expect(fs.existsSync(path.join(dir, "xor.safetensors"))).toBe(true);
  }, 120_000);
});
