// A multi-input network, as in the lecture: an "RGB" branch and a "LIDAR" branch, each its own module,
// fused by concatenation and trained end to end on synthetic data where the label needs both inputs.
// Run: npx tsx examples/multi-input.ts
import * as cr from "../src/index.js";

const { nn, optim } = cr;

class Fusion extends nn.Module {
  rgb = new nn.Sequential(new nn.Linear(12, 16), new nn.ReLU());
  lidar = new nn.Sequential(new nn.Linear(6, 8), new nn.ReLU());
  head = new nn.Sequential(new nn.Linear(16 + 8, 16), new nn.ReLU(), new nn.Linear(16, 2));

  forward(rgb: cr.Tensor, lidar: cr.Tensor): cr.Tensor {
    const features = cr.cat([this.rgb.forward(rgb), this.lidar.forward(lidar)], 1);
    return this.head.forward(features);
  }
}

cr.manualSeed(7);
const n = 512;
const rgb = cr.randn([n, 12]);
const lidar = cr.randn([n, 6]);
// Class 1 when the RGB signal and the LIDAR signal agree in sign: neither input alone predicts it.
const label = rgb.sum(1).mul(lidar.sum(1)).gt(0).to("int32");

const model = new Fusion();
const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
const lossFn = new nn.CrossEntropyLoss();
for (let epoch = 1; epoch <= 200; epoch++) {
  opt.zeroGrad();
  const loss = lossFn.forward(model.forward(rgb, lidar), label);
  loss.backward();
  opt.step();
  if (epoch % 50 === 0) console.log(`epoch ${epoch}  loss ${loss.item().toFixed(4)}`);
}
const acc = cr
  .noGrad(() => model.forward(rgb, lidar))
  .argmax(1)
  .eq(label)
  .to("float32")
  .mean()
  .item();
console.log(`training accuracy ${(acc * 100).toFixed(1)}%`);
console.log(
  model
    .namedParameters()
    .map(([name, p]) => `${name} [${p.shape}]`)
    .join("\n"),
);
