// The five commands' flags, help texts and front halves: each parses and checks its command line, then
// loads its implementation (train.ts, inspect.ts, which import the library) only when there is work to
// do, so that --help and usage errors answer at once.
import { UsageError, helpText, parseFlags, toInt, type Flag, type Parsed } from "./args.js";
import { TRAIN_FLAGS, readConfigFile, resolveConfig, type TrainConfig } from "./config.js";

const BACKEND: Flag = {
  name: "backend",
  value: "NAME",
  help: "compute backend: auto (the fastest available, default) or a name such as cpu",
};
const QUIET: Flag = { name: "quiet", help: "no progress output (results only)" };
const CHECKPOINT: Flag = {
  name: "checkpoint",
  value: "FILE",
  help: "checkpoint written by chainrule train (required)",
};

/** A command: its one-line description, help text, flags, and what it does with the parsed flags. */
export interface Command {
  about: string;
  help: string;
  flags: Flag[];
  run(p: Parsed): Promise<void>;
}

function required(p: Parsed, name: string, command: string): string {
  const v = p.flags.get(name);
  if (v === undefined) throw new UsageError(`${command} needs --${name} FILE`);
  return v;
}

/** The configuration given by --config and the flags. */
function configOf(p: Parsed): TrainConfig {
  const file = p.flags.get("config");
  return resolveConfig(p.flags, file ? readConfigFile(file) : {}, file ?? "");
}

const trainFlags = [...TRAIN_FLAGS, BACKEND, QUIET];
const resumeFlags: Flag[] = [
  CHECKPOINT,
  { name: "epochs", value: "N", help: "train up to this many epochs in all (default: the run's own)" },
  { name: "out", value: "DIR", help: "output folder (default: the checkpoint's folder)" },
  BACKEND,
  QUIET,
];
const evalFlags: Flag[] = [
  CHECKPOINT,
  {
    name: "data",
    value: "FILE",
    help: "evaluate on this CSV (the training CSV's columns) instead of the test split",
  },
  { name: "json", help: "print the metrics as JSON" },
  BACKEND,
];
const predictFlags: Flag[] = [
  CHECKPOINT,
  {
    name: "input",
    value: "FILE",
    help: "CSV rows (columns named as the training features), or a .png/.pgm digit for MNIST models",
  },
  { name: "output", value: "FILE", help: "write the predictions as CSV here instead of stdout" },
  { name: "top", value: "K", help: "also list the K most probable classes (default 1; 3 for images)" },
  BACKEND,
];
const summaryFlags: Flag[] = [CHECKPOINT, ...TRAIN_FLAGS.filter((f) => f.name !== "no-report")];
const graphFlags: Flag[] = [
  { name: "checkpoint", value: "FILE", help: "checkpoint written by chainrule train" },
  { name: "out", value: "FILE", help: "where to write the graph: a .svg (laid out) or .dot file (required)" },
  { name: "backward", help: "draw the reverse graph (one vector-Jacobian product per node) instead" },
  { name: "batch", value: "N", help: "batch size of the example input (default 1)" },
  ...TRAIN_FLAGS.filter((f) => f.name !== "no-report" && f.name !== "out"),
];

export const COMMANDS: Record<string, Command> = {
  train: {
    about: "train a model (default: an MLP on MNIST) and write a checkpoint and report",
    help: helpText(
      "train",
      "[options]",
      "Trains an MLP classifier or regressor and writes into --out: model.safetensors (a checkpoint after\n" +
        "every epoch, with the architecture, so eval/predict/resume can rebuild it), history.jsonl,\n" +
        "history.csv, config.json and report.html. Without options: MNIST, 784-512-256-10, the main job.",
      trainFlags,
    ),
    flags: trainFlags,
    async run(p) {
      const config = configOf(p);
      const { train } = await import("./train.js");
      await train(config, { backend: p.flags.get("backend"), quiet: p.flags.has("quiet") });
    },
  },
  eval: {
    about: "metrics of a checkpoint on its test split or a CSV",
    help: helpText(
      "eval",
      "--checkpoint FILE [options]",
      "Evaluates a trained model: loss and metrics (and the confusion matrix) on its run's test split.",
      evalFlags,
    ),
    flags: evalFlags,
    async run(p) {
      const checkpoint = required(p, "checkpoint", "eval");
      const { evaluateCheckpoint } = await import("./inspect.js");
      const { backend, data } = Object.fromEntries(p.flags);
      await evaluateCheckpoint({ checkpoint, data, json: p.flags.has("json"), backend });
    },
  },
  predict: {
    about: "predictions for CSV rows or a digit image (PNG/PGM)",
    help: helpText(
      "predict",
      "--checkpoint FILE --input FILE [options]",
      "Predicts with a trained model: one line per CSV row, or the digit in a PNG/PGM image (any size;\n" +
        "dark-on-light images are inverted, other sizes are cropped and centred as MNIST digits were).",
      predictFlags,
    ),
    flags: predictFlags,
    async run(p) {
      const checkpoint = required(p, "checkpoint", "predict");
      const input = required(p, "input", "predict");
      const top = p.flags.has("top") ? toInt("--top", p.flags.get("top"), 1) : undefined;
      const { predictInput } = await import("./inspect.js");
      await predictInput({
        checkpoint,
        input,
        top,
        output: p.flags.get("output"),
        backend: p.flags.get("backend"),
      });
    },
  },
  summary: {
    about: "the layer table of a checkpoint or a configuration",
    help: helpText(
      "summary",
      "--checkpoint FILE | [train options]",
      "Prints the model's layers, output shapes and parameter counts, from a checkpoint or from the\n" +
        "same options as chainrule train.",
      summaryFlags,
    ),
    flags: summaryFlags,
    async run(p) {
      const checkpoint = p.flags.get("checkpoint");
      if (checkpoint !== undefined && p.flags.size > 1)
        throw new UsageError("give either --checkpoint or train options, not both");
      const what = checkpoint ?? configOf(p);
      const { summarize } = await import("./inspect.js");
      await summarize(what);
    },
  },
  graph: {
    about: "write the forward or backward graph of a model as SVG or Graphviz DOT",
    help: helpText(
      "graph",
      "--out FILE [--backward] [--checkpoint FILE | train options]",
      "Records the model's forward pass and loss on a batch of zeros and writes the computational graph\n" +
        "(layers as clusters) or, with --backward, the reverse graph that backpropagation walks.",
      graphFlags,
    ),
    flags: graphFlags,
    async run(p) {
      const out = required(p, "out", "graph");
      const checkpoint = p.flags.get("checkpoint");
      const own = ["checkpoint", "out", "backward", "batch"];
      if (checkpoint !== undefined && [...p.flags.keys()].some((k) => !own.includes(k)))
        throw new UsageError("give either --checkpoint or train options, not both");
      const batch = p.flags.has("batch") ? toInt("--batch", p.flags.get("batch"), 1) : 1;
      const settings = new Map([...p.flags].filter(([k]) => !own.includes(k)));
      const file = settings.get("config");
      const what = checkpoint ?? resolveConfig(settings, file ? readConfigFile(file) : {}, file ?? "");
      const { writeGraph } = await import("./graph.js");
      await writeGraph(what, { out, backward: p.flags.has("backward"), batch });
    },
  },
  resume: {
    about: "continue a run from its checkpoint, bit-identically",
    help: helpText(
      "resume",
      "--checkpoint FILE [options]",
      "Continues a training run from its checkpoint: same data, model, optimizer state, schedule and\n" +
        "random stream, so the result equals an uninterrupted run bit for bit.",
      resumeFlags,
    ),
    flags: resumeFlags,
    async run(p) {
      const checkpoint = required(p, "checkpoint", "resume");
      const epochs = p.flags.has("epochs") ? toInt("--epochs", p.flags.get("epochs"), 1) : undefined;
      const { resume } = await import("./train.js");
      await resume(checkpoint, {
        epochs,
        out: p.flags.get("out"),
        backend: p.flags.get("backend"),
        quiet: p.flags.has("quiet"),
      });
    },
  },
};

/** Parses `argv` for the command `name` and runs it (or prints its help). */
export async function runCommand(name: string, command: Command, argv: string[]): Promise<void> {
  const p = parseFlags(argv, command.flags, name);
  if (p.flags.has("help")) return void process.stdout.write(command.help);
  if (p.positional.length > 0)
    throw new UsageError(`unexpected argument '${p.positional[0]}' (see chainrule ${name} --help)`);
  await command.run(p);
}
