// chainrule.nn.functional's flat import path: the same exports as functional/index.ts, where the code lives.
export * from "./functional/index.js";
