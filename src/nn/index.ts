// chainrule.nn: modules, layers, activations, losses and initializers (PyTorch's torch.nn in TypeScript idiom).
export * as functional from "./functional/index.js";
export * from "./module.js";
export * from "./linear.js";
export * from "./container.js";
export * from "./basic.js";
export * from "./dropout.js";
export * from "./normalization.js";
export * from "./embedding.js";
export * from "./recurrent.js";
export * from "./activation.js";
export * from "./loss.js";
export * as init from "./init.js";
