// chainrule.nn.functional (PyTorch's torch.nn.functional): activations, losses and layer functions,
// all compositions of core ops.
export * from "./activation.js";
export * from "./loss.js";
export * from "./layer.js";
