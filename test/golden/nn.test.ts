// nn.functional against PyTorch's golden vectors: every case of activations.json, losses.json and
// nn_layers.json (forward, extra outputs such as BatchNorm's running statistics, every gradient, and
// the higher-order gradient-penalty case), in float64 and float32.
import * as cr from "../../src/index.js";
import { describeFamilies, type GoldenOp, type GoldenResult } from "./load.js";

const F = cr.nn.functional;
type Tensor = cr.Tensor;
type Inputs = Record<string, Tensor>;
type Result = GoldenResult;
type OpFn = GoldenOp;

/** Every dim of an [N, C, *] tensor except the channel dim. */
const nonChannelDims = (x: Tensor) => x.shape.map((_, i) => i).filter((i) => i !== 1);

/** batch_norm: the output, plus the running buffers (updated in place) and the batch statistics. */
function batchNorm(
  { input, running_mean, running_var, weight, bias }: Inputs,
  a: Record<string, any>,
): Result {
  const out = F.batchNorm(input, running_mean, running_var, {
    weight,
    bias,
    training: a.training,
    momentum: a.momentum,
    eps: a.eps,
  });
  const dims = nonChannelDims(input);
  const stats = cr.noGrad(() => ({
    batch_mean: cr.mean(input, dims),
    batch_var_biased: cr.variance(input, dims, { unbiased: false }),
  }));
  return { out, extras: { running_mean, running_var, ...stats } };
}

// Golden op name → our call. Attrs arrive in the files' snake_case; optional inputs are undefined.
const OPS: Record<string, OpFn> = {
  relu: ({ x }) => F.relu(x),
  leaky_relu: ({ x }, a) => F.leakyRelu(x, { negativeSlope: a.negative_slope }),
  prelu: ({ x, weight }) => F.prelu(x, weight),
  elu: ({ x }, a) => F.elu(x, { alpha: a.alpha }),
  gelu: ({ x }) => F.gelu(x),
  gelu_tanh: ({ x }) => F.gelu(x, { approximate: "tanh" }),
  sigmoid: ({ x }) => F.sigmoid(x),
  tanh: ({ x }) => F.tanh(x),
  silu: ({ x }) => F.silu(x),
  identity: ({ x }) => F.identity(x),
  logsigmoid: ({ x }) => F.logsigmoid(x),
  softplus: ({ x }, a) => F.softplus(x, { beta: a.beta, threshold: a.threshold }),
  hardtanh: ({ x }, a) => F.hardtanh(x, { minVal: a.min_val, maxVal: a.max_val }),
  softmax: ({ x }, a) => F.softmax(x, a.dim),
  log_softmax: ({ x }, a) => F.logSoftmax(x, a.dim),

  mse_loss: ({ input, target }, a) => F.mseLoss(input, target, { reduction: a.reduction }),
  l1_loss: ({ input, target }, a) => F.l1Loss(input, target, { reduction: a.reduction }),
  huber_loss: ({ input, target }, a) =>
    F.huberLoss(input, target, { reduction: a.reduction, delta: a.delta }),
  smooth_l1_loss: ({ input, target }, a) =>
    F.smoothL1Loss(input, target, { reduction: a.reduction, beta: a.beta }),
  cross_entropy: ({ input, target, weight }, a) =>
    F.crossEntropy(input, target, {
      weight,
      ignoreIndex: a.ignore_index,
      labelSmoothing: a.label_smoothing,
      reduction: a.reduction,
    }),
  cross_entropy_probs: ({ input, target, weight }, a) =>
    F.crossEntropy(input, target, { weight, labelSmoothing: a.label_smoothing, reduction: a.reduction }),
  nll_loss: ({ input, target, weight }, a) =>
    F.nllLoss(input, target, { weight, ignoreIndex: a.ignore_index, reduction: a.reduction }),
  binary_cross_entropy: ({ input, target, weight }, a) =>
    F.binaryCrossEntropy(input, target, { weight, reduction: a.reduction }),
  binary_cross_entropy_with_logits: ({ input, target, weight, pos_weight }, a) =>
    F.binaryCrossEntropyWithLogits(input, target, { weight, posWeight: pos_weight, reduction: a.reduction }),
  kl_div: ({ input, target }, a) =>
    F.klDiv(input, target, { reduction: a.reduction, logTarget: a.log_target }),

  linear: ({ input, weight, bias }) => F.linear(input, weight, bias),
  layer_norm: ({ input, weight, bias }, a) =>
    F.layerNorm(input, a.normalized_shape, { weight, bias, eps: a.eps }),
  batch_norm: batchNorm,
  dropout_mask: ({ input, mask }, a) => F.dropoutWithMask(input, mask, a.p),
  embedding: ({ indices, weight }, a) => F.embedding(indices, weight, { paddingIdx: a.padding_idx }),
  grad_penalty_linear_tanh: ({ input, weight }) =>
    cr.gradients([cr.sum(cr.tanh(F.linear(input, weight)))], [input], undefined, { createGraph: true })[0],
};

describeFamilies(["activations", "losses", "nn_layers"], OPS);
