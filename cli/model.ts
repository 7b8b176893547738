// What `chainrule train` builds from a config: the MLP (from a ModelSpec, which the checkpoint stores),
// the optimizer, the learning-rate schedule and the loss.
import * as cr from "../src/index.js";
import { ACTIVATIONS, type Activation, type TrainConfig } from "./config.js";
import { CliError } from "./args.js";

const { nn, optim } = cr;
type Module = cr.nn.Module;

/** The architecture: a multi-layer perceptron inputs → layers… → outputs. */
export interface ModelSpec {
  kind: "mlp";
  inputs: number;
  layers: number[];
  outputs: number;
  activation: Activation;
  dropout: number;
  batchNorm: boolean;
}

function activation(name: Activation): Module {
  switch (name) {
    case "relu":
      return new nn.ReLU();
    case "leaky-relu":
      return new nn.LeakyReLU();
    case "elu":
      return new nn.ELU();
    case "gelu":
      return new nn.GELU();
    case "tanh":
      return new nn.Tanh();
    case "sigmoid":
      return new nn.Sigmoid();
    case "silu":
      return new nn.SiLU();
    case "mish":
      return new nn.Mish();
    case "softplus":
      return new nn.Softplus();
  }
  return name satisfies never;
}

/** Linear → [BatchNorm1d] → activation → [Dropout] per hidden layer, then a Linear to the outputs. */
export function buildModel(spec: ModelSpec): cr.nn.Sequential {
  const mods: Module[] = [];
  let width = spec.inputs;
  for (const h of spec.layers) {
    mods.push(new nn.Linear(width, h));
    if (spec.batchNorm) mods.push(new nn.BatchNorm1d(h));
    mods.push(activation(spec.activation));
    if (spec.dropout > 0) mods.push(new nn.Dropout({ p: spec.dropout }));
    width = h;
  }
  mods.push(new nn.Linear(width, spec.outputs));
  return new nn.Sequential(...mods);
}

/** "784-512-256-10 relu, dropout 0.2" */
export function describeModel(spec: ModelSpec): string {
  const extras: string[] = [spec.activation];
  if (spec.dropout > 0) extras.push(`dropout ${spec.dropout}`);
  if (spec.batchNorm) extras.push("batch norm");
  return `MLP ${[spec.inputs, ...spec.layers, spec.outputs].join("-")} (${extras.join(", ")})`;
}

/** A ModelSpec read back from a checkpoint, checked field by field. */
export function parseModelSpec(raw: unknown, source: string): ModelSpec {
  const o = (raw ?? {}) as Record<string, unknown>;
  const int = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 1;
  const ok =
    o.kind === "mlp" &&
    int(o.inputs) &&
    int(o.outputs) &&
    Array.isArray(o.layers) &&
    o.layers.every(int) &&
    (ACTIVATIONS as readonly unknown[]).includes(o.activation) &&
    typeof o.dropout === "number" &&
    typeof o.batchNorm === "boolean";
  if (!ok)
    throw new CliError(`${source} holds no valid model architecture (was it written by chainrule train?)`);
  return o as unknown as ModelSpec;
}

/** The optimizer named in the config, over the model's parameters. */
export function buildOptimizer(c: TrainConfig, model: Module): cr.optim.Optimizer {
  const params = model.parameters();
  const { lr, weightDecay, momentum } = c;
  switch (c.optimizer) {
    case "sgd":
      return new optim.SGD(params, { lr, momentum, weightDecay });
    case "adam":
      return new optim.Adam(params, { lr, weightDecay });
    case "adamw":
      return new optim.AdamW(params, { lr, weightDecay });
    case "rmsprop":
      return new optim.RMSprop(params, { lr, momentum, weightDecay });
    case "adagrad":
      return new optim.Adagrad(params, { lr, weightDecay });
  }
  return c.optimizer satisfies never;
}

/** The schedule: StepLR (×0.1 every third of the run), cosine to 0, one-cycle (per batch), or plateau. */
export function buildScheduler(
  c: TrainConfig,
  opt: cr.optim.Optimizer,
  stepsPerEpoch: number,
): { scheduler: cr.train.Scheduler | undefined; interval: "epoch" | "batch" } {
  switch (c.schedule) {
    case "none":
      return { scheduler: undefined, interval: "epoch" };
    case "step":
      return { scheduler: new optim.StepLR(opt, Math.max(1, Math.round(c.epochs / 3))), interval: "epoch" };
    case "cosine":
      return { scheduler: new optim.CosineAnnealingLR(opt, c.epochs), interval: "epoch" };
    case "onecycle":
      return {
        scheduler: new optim.OneCycleLR(opt, c.lr, { epochs: c.epochs, stepsPerEpoch }),
        interval: "batch",
      };
    case "plateau":
      return { scheduler: new optim.ReduceLROnPlateau(opt, { factor: 0.5, patience: 2 }), interval: "epoch" };
  }
  return c.schedule satisfies never;
}

/** The loss module for the task; a classification loss for regression (or back) is refused. */
export function buildLoss(c: TrainConfig, task: "classification" | "regression"): cr.nn.Module {
  const name = c.loss ?? (task === "classification" ? "cross-entropy" : "mse");
  if ((name === "cross-entropy") !== (task === "classification"))
    throw new CliError(
      task === "classification"
        ? `--loss ${name} is a regression loss, but ${c.dataset} is a classification task (use cross-entropy)`
        : `--loss cross-entropy needs class labels, but the target of ${c.data ?? c.dataset} is numeric (use mse, l1, huber or smooth-l1)`,
    );
  switch (name) {
    case "cross-entropy":
      return new nn.CrossEntropyLoss();
    case "mse":
      return new nn.MSELoss();
    case "l1":
      return new nn.L1Loss();
    case "huber":
      return new nn.HuberLoss();
    case "smooth-l1":
      return new nn.SmoothL1Loss();
  }
  return name satisfies never;
}
