// `npm start` (until the CLI lands): the chain rule as an algorithm, on the lecture's XOR problem.
// Builds a 2-4-1 network from raw tensors, shows one forward/backward pass, then trains it.
import * as cr from "../src/index.js";

cr.manualSeed(0);
const x = cr.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]); // prettier-ignore
const y = cr.tensor([[0], [1], [1], [0]]); // prettier-ignore

const w1 = cr.randn([4, 2]).mul(0.8).requiresGrad_();
const b1 = cr.zeros([4], { requiresGrad: true });
const w2 = cr.randn([1, 4]).mul(0.8).requiresGrad_();
const b2 = cr.zeros([1], { requiresGrad: true });
const params = [w1, b1, w2, b2];

function forward(): { p: cr.Tensor; loss: cr.Tensor } {
  const h = x.matmul(w1.T).add(b1).tanh(); // hidden features
  const p = h.matmul(w2.T).add(b2).sigmoid(); // P(y = 1)
  const loss = y
    .mul(p.log())
    .add(y.neg().add(1).mul(p.neg().add(1).log()))
    .mean()
    .neg(); // cross-entropy
  return { p, loss };
}

console.log("chainrule autodiff demo: learning XOR with a 2-4-1 network\n");
const first = forward();
console.log(`forward graph: loss = ${first.loss.item().toFixed(4)} (recorded by '${first.loss.gradFn?.op}')`);
first.loss.backward();
console.log("backward (vector-Jacobian products, reverse topological order):");
console.log(`  dloss/dW2 = ${w2.grad}`);
console.log(`  dloss/db2 = ${b2.grad}\n`);

const lr = 1.0;
for (let step = 1; step <= 1000; step++) {
  for (const p of params) p.grad = null;
  const { loss } = forward();
  loss.backward();
  cr.noGrad(() => params.forEach((p) => p.sub_(p.grad!.mul(lr))));
  if (step === 1 || step % 200 === 0)
    console.log(`step ${String(step).padStart(4)}  loss ${loss.item().toFixed(5)}`);
}
const { p } = cr.noGrad(forward);
const pred = p.gt(0.5).to("float32");
const acc = pred.eq(y).to("float32").mean().item();
console.log(`\npredictions ${JSON.stringify(p.toArray())}`);
console.log(`accuracy ${(acc * 100).toFixed(0)}%`);
if (acc < 1) process.exitCode = 1;
