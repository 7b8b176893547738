// Metrics against values computed by hand (and sklearn's definitions): accuracy, top-k, the confusion
// matrix, macro precision/recall/F1, MSE/MAE/R², and streaming metrics equal to the whole-set functions.
import { describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";

const { train } = cr;
const int = (v: number[]) => cr.tensor(Int32Array.from(v), { dtype: "int32" });

/** One-hot-ish logits whose argmax is `pred`. */
function logitsFor(pred: number[], classes: number): cr.Tensor {
  return cr.tensor(pred.map((p) => Array.from({ length: classes }, (_, j) => (j === p ? 2 : -1 + 0.1 * j))));
}

describe("classification metrics", () => {
  // y_true = [0,0,1,1,2,2,2], y_pred = [0,1,1,1,2,0,2]
  const yTrue = int([0, 0, 1, 1, 2, 2, 2]);
  const out = logitsFor([0, 1, 1, 1, 2, 0, 2], 3);

  it("accuracy counts argmax hits", () => {
    expect(train.accuracy(out, yTrue)).toBeCloseTo(5 / 7, 12);
  });

  it("confusion matrix has true classes in rows and predictions in columns", () => {
    expect(train.confusionMatrix(out, yTrue)).toEqual([
      [1, 1, 0],
      [0, 2, 0],
      [1, 0, 2],
    ]);
    // Predicted labels are accepted too, and numClasses pads the matrix.
    expect(train.confusionMatrix(int([1, 0]), int([1, 1]), 3)).toEqual([
      [0, 0, 0],
      [1, 1, 0],
      [0, 0, 0],
    ]);
  });

  it("macro precision, recall and F1 match the hand-computed values", () => {
    // precision per class 1/2, 2/3, 1; recall 1/2, 1, 2/3; F1 1/2, 4/5, 4/5.
    const r = train.precisionRecallF1(out, yTrue);
    expect(r.precision).toBeCloseTo((0.5 + 2 / 3 + 1) / 3, 12);
    expect(r.recall).toBeCloseTo((0.5 + 1 + 2 / 3) / 3, 12);
    expect(r.f1).toBeCloseTo(0.7, 12);
    expect(r.perClass.map((p) => p.support)).toEqual([2, 2, 3]);
  });

  it("classes never predicted get precision 0 (sklearn zero_division=0); absent classes are not averaged", () => {
    // Class 2 exists in neither target nor prediction; class 1 is never predicted.
    const r = train.classificationReport([
      [2, 0, 0],
      [1, 0, 0],
      [0, 0, 0],
    ]);
    expect(r.perClass[1]).toMatchObject({ precision: 0, recall: 0, f1: 0 });
    expect(r.precision).toBeCloseTo((2 / 3 + 0) / 2, 12);
    expect(r.recall).toBeCloseTo((1 + 0) / 2, 12);
  });

  it("top-k accuracy counts targets among the k largest scores, ties against the target", () => {
    const scores = cr.tensor([
      [0.1, 0.5, 0.4], // target 2 is 2nd
      [0.3, 0.3, 0.4], // target 1 ties with class 0 (lower index wins) → 3rd
      [0.9, 0.05, 0.05], // target 0 is 1st
    ]);
    const y = int([2, 1, 0]);
    expect(train.topKAccuracy(scores, y, 1)).toBeCloseTo(1 / 3, 12);
    expect(train.topKAccuracy(scores, y, 2)).toBeCloseTo(2 / 3, 12);
    expect(train.topKAccuracy(scores, y, 3)).toBe(1);
  });

  it("a single logit column is read as class 1 when positive", () => {
    expect(train.accuracy(cr.tensor([[2], [-1], [0.5]]), cr.tensor([[1], [0], [0]]))).toBeCloseTo(2 / 3, 12);
  });

  it("refuses mismatched targets with a message", () => {
    expect(() => train.accuracy(out, int([0, 1]))).toThrow(/expected 7 class labels/);
    expect(() => train.createMetric("acuracy")).toThrow(/unknown metric 'acuracy'/);
  });
});

describe("regression metrics", () => {
  // sklearn's docstring example: r2_score([3, -0.5, 2, 7], [2.5, 0.0, 2, 8]) = 0.948…
  const y = cr.tensor([3, -0.5, 2, 7]);
  const yhat = cr.tensor([[2.5], [0], [2], [8]]);
  it("MSE, MAE and R²", () => {
    expect(train.meanSquaredError(yhat, y)).toBeCloseTo(0.375, 12);
    expect(train.meanAbsoluteError(yhat, y)).toBeCloseTo(0.5, 12);
    expect(train.r2Score(yhat, y)).toBeCloseTo(0.9486081370449679, 7);
  });
  it("R² of constant targets is NaN (undefined), not a division by zero", () => {
    expect(train.r2Score(cr.tensor([1, 2]), cr.tensor([3, 3]))).toBeNaN();
  });
});

describe("streaming metrics", () => {
  it("accumulated over batches equal the functions on the whole set", () => {
    cr.manualSeed(3);
    const out = cr.randn([50, 4]);
    const y = cr.randint(0, 4, [50]);
    const yReg = cr.randn([50, 4]);
    const specs = ["accuracy", "top2", "precision", "recall", "f1", "mse", "mae", "r2"];
    const whole: Record<string, number> = {
      accuracy: train.accuracy(out, y),
      top2: train.topKAccuracy(out, y, 2),
      ...(({ precision, recall, f1 }) => ({ precision, recall, f1 }))(train.precisionRecallF1(out, y)),
      mse: train.meanSquaredError(out, yReg),
      mae: train.meanAbsoluteError(out, yReg),
      r2: train.r2Score(out, yReg),
    };
    for (const name of specs) {
      const m = train.createMetric(name);
      const target = ["mse", "mae", "r2"].includes(name) ? yReg : y;
      for (let i = 0; i < 50; i += 16)
        m.update(out.slice(0, i, Math.min(i + 16, 50)), target.slice(0, i, Math.min(i + 16, 50)));
      expect(m.compute(), name).toBeCloseTo(whole[name], 5);
      m.reset();
      expect(m.compute()).toBeNaN();
    }
  });
});
