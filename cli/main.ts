// The `chainrule` command line: dispatches to train, eval, predict, summary and resume, and turns every
// failure into one line on stderr and a non-zero exit code (2: usage, 1: run-time), never a stack trace
// (set CHAINRULE_DEBUG=1 to see one).
import { UsageError, suggest } from "./args.js";
import { COMMANDS, runCommand } from "./commands.js";

export const MAIN_HELP = [
  "Usage: chainrule <command> [options]",
  "",
  "Commands:",
  ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(9)} ${c.about}`),
  "",
  "Run chainrule <command> --help for a command's options. Example:",
  "  chainrule train --dataset moons --epochs 20 --out runs/moons",
  "",
].join("\n");

/** One line for a failure: the message with its newlines folded. */
function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.replace(/\s*\n\s*/g, "; ").trim();
}

/** Runs the command line `argv` (without node and the script); returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const topic = name === "help" && Object.hasOwn(COMMANDS, rest[0] ?? "") ? COMMANDS[rest[0]] : undefined;
    (name === undefined ? process.stderr : process.stdout).write(topic ? topic.help : MAIN_HELP);
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    const hint =
      suggest(name, Object.keys(COMMANDS), "") || ` (commands: ${Object.keys(COMMANDS).join(", ")})`;
    process.stderr.write(`chainrule: unknown command '${name}'${hint}\n`);
    return 2;
  }
  try {
    await runCommand(name, command, rest);
    return 0;
  } catch (e) {
    if (process.env.CHAINRULE_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    process.stderr.write(`chainrule ${name}: error: ${oneLine(e)}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}
