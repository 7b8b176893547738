#!/usr/bin/env node
// The `chainrule` executable (package.json "bin"): runs the TypeScript CLI in cli/main.ts through tsx,
// which `npm ci` installs with the project's dependencies.
import { register } from "tsx/esm/api";

register();
const { main } = await import("./main.ts");
process.exitCode = await main(process.argv.slice(2));
