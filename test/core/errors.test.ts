// The core's refusals, one test per error class, with the message text a user reads; then the deliberate
// non-error behaviours of SPEC §6 (NaN and ±inf results where PyTorch gives them).
import { describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";

/** The ChainruleError thrown by `fn` (fails the test if nothing, or something else, is thrown). */
function errorOf(fn: () => unknown): cr.ChainruleError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(cr.ChainruleError);
    return e as cr.ChainruleError;
  }
  throw new Error("expected a ChainruleError, but nothing was thrown");
}

const i32 = (data: number[] | number[][]) => cr.tensor(data, { dtype: "int32" });
const nums = (t: cr.Tensor): number[] => Array.from(t.toTypedArray());

describe("shape mismatches", () => {
  it("broadcasting names the op and both shapes", () => {
    const e = errorOf(() => cr.add(cr.zeros([2, 3]), cr.zeros([4])));
    expect(e.op).toBe("add");
    expect(e.message).toBe("add: shapes [2,3] and [4] cannot be broadcast together (dim -1: 3 vs 4)");
    expect(errorOf(() => cr.zeros([2, 3]).mul(cr.zeros([3, 2]))).message).toMatch(
      /^mul: shapes \[2,3\] and \[3,2\] cannot be broadcast/,
    );
    expect(errorOf(() => cr.maximum(cr.zeros([5]), cr.zeros([2, 4]))).message).toMatch(
      /^maximum: shapes \[5\] and \[2,4\]/,
    );
    expect(errorOf(() => cr.where(cr.zeros([2]).gt(0), cr.zeros([3]), 1)).message).toMatch(
      /^where: shapes \[2\] and \[3\]/,
    );
    expect(errorOf(() => cr.zeros([2]).eq(cr.zeros([3]))).message).toMatch(/^eq: shapes \[2\] and \[3\]/);
  });

  it("in-place writes name both shapes and never grow the target", () => {
    expect(errorOf(() => cr.zeros([3]).copy_(cr.zeros([2, 3]))).message).toBe(
      "in-place: cannot write a tensor of shape [2,3] into one of shape [3]",
    );
  });

  it("matmul names both shapes and the inner dimensions", () => {
    const e = errorOf(() => cr.matmul(cr.zeros([2, 3]), cr.zeros([4, 5])));
    expect(e.message).toBe("matmul: cannot multiply [2,3] by [4,5]: inner dimensions 3 and 4 differ");
    expect(errorOf(() => cr.zeros([3]).matmul(cr.zeros([4]))).message).toBe(
      "matmul: cannot multiply [3] by [4]: inner dimensions 3 and 4 differ",
    );
    expect(errorOf(() => cr.matmul(cr.zeros([]), cr.zeros([3]))).message).toMatch(
      /^matmul: both arguments need at least 1 dimension, got shapes \[\] and \[3\]/,
    );
    expect(errorOf(() => cr.matmul(cr.zeros([2, 2, 3]), cr.zeros([3, 3, 1]))).message).toMatch(
      /^matmul: shapes \[2\] and \[3\] cannot be broadcast/,
    );
  });

  it("reshape and view to an incompatible shape", () => {
    expect(errorOf(() => cr.zeros([2, 3]).reshape(4)).message).toBe(
      "reshape: cannot reshape a tensor of shape [2,3] (6 elements) into [4]",
    );
    expect(errorOf(() => cr.zeros([2, 3]).reshape(4, -1)).message).toBe(
      "reshape: cannot reshape a tensor of shape [2,3] (6 elements) into [4,-1]",
    );
    expect(errorOf(() => cr.zeros([2, 3]).reshape(-1, -1)).message).toBe(
      "reshape: only one dimension can be -1, got [-1,-1]",
    );
    expect(errorOf(() => cr.zeros([6]).reshape(-2, -3)).message).toMatch(/^reshape: shape \[-2,-3\]/);
    expect(errorOf(() => cr.zeros([2, 3]).T.view(6)).message).toBe(
      "view: the tensor (shape [3,2], strides [1,3]) cannot be viewed as [6] without a copy; use reshape() or contiguous() first",
    );
  });

  it("other movement ops name the shapes involved", () => {
    expect(errorOf(() => cr.zeros([2, 3]).expand(3, 3)).message).toBe(
      "expand: cannot expand [2,3] to [3,3]: dim 0 has size 2, not 1",
    );
    expect(errorOf(() => cr.zeros([2, 3]).permute(0)).message).toBe(
      "permute: expected 2 dims for a tensor of shape [2,3], got [0]",
    );
    expect(errorOf(() => cr.zeros([2, 3]).permute(1, -1)).message).toBe(
      "permute: dims [1,-1] repeat a dimension",
    );
    expect(errorOf(() => cr.cat([cr.zeros([2, 3]), cr.zeros([3, 2])])).message).toBe(
      "cat: tensor 1 has shape [3,2] but tensor 0 has [2,3]; all dims except dim 0 must match",
    );
    expect(errorOf(() => cr.stack([cr.zeros([2, 3]), cr.zeros([3, 2])])).message).toBe(
      "stack: tensor 1 has shape [3,2] but tensor 0 has [2,3]",
    );
    expect(errorOf(() => cr.zeros([2, 3]).split([1, 3])).message).toBe(
      "split: sizes [1,3] do not add up to 2, the size of dim 0",
    );
    expect(errorOf(() => cr.tensor(new Float32Array(5), { shape: [2, 3] })).message).toBe(
      "tensor: shape [2,3] does not match 5 elements",
    );
  });
});

describe("bad dims", () => {
  it("out of range, for reductions, movement and softmax alike", () => {
    expect(errorOf(() => cr.zeros([2, 3]).sum(2)).message).toBe(
      "sum: dim 2 is out of range for a tensor of rank 2 (expected -2..1)",
    );
    expect(errorOf(() => cr.zeros([2, 3]).mean(-3)).message).toMatch(/^mean: dim -3 is out of range/);
    expect(errorOf(() => cr.zeros([2, 3]).transpose(0, 2)).message).toMatch(
      /^transpose: dim 2 is out of range/,
    );
    expect(errorOf(() => cr.zeros([2, 3]).unsqueeze(3)).message).toBe(
      "unsqueeze: dim 3 is out of range for a tensor of rank 3 (expected -3..2)",
    );
    expect(errorOf(() => cr.zeros([2, 3]).softmax(5)).message).toMatch(/^softmax: dim 5 is out of range/);
    expect(errorOf(() => cr.zeros([2, 3]).logSoftmax(-4)).message).toMatch(
      /^logSoftmax: dim -4 is out of range/,
    );
    expect(errorOf(() => cr.zeros([2, 3]).argmax(2)).message).toMatch(/^argmax: dim 2 is out of range/);
    expect(errorOf(() => cr.zeros([2, 3]).max(2)).message).toMatch(/^max: dim 2 is out of range/);
    expect(errorOf(() => cr.cat([cr.zeros([2])], 1)).message).toMatch(/^cat: dim 1 is out of range/);
  });

  it("non-integer and repeated dims", () => {
    expect(errorOf(() => cr.zeros([2, 3]).sum(1.5)).message).toBe("sum: dim must be an integer, got 1.5");
    expect(errorOf(() => cr.zeros([2, 3]).slice(0.5)).message).toBe("slice: dim must be an integer, got 0.5");
    expect(errorOf(() => cr.zeros([2, 3]).sum([0, -2])).message).toBe("sum: dim [0,-2] repeats a dimension");
  });

  it("0-d tensors accept dim 0 and -1 only (as in PyTorch)", () => {
    expect(cr.full([], 3).sum(0).item()).toBe(3);
    expect(cr.full([], 3).sum(-1).item()).toBe(3);
    expect(errorOf(() => cr.full([], 3).sum(1)).message).toMatch(
      /^sum: dim 1 is out of range for a tensor of rank 0/,
    );
  });
});

describe("wrong dtypes", () => {
  it("only floating-point tensors can require gradients", () => {
    expect(errorOf(() => cr.zeros([2], { dtype: "int32" }).requiresGrad_()).message).toBe(
      "requiresGrad_: only floating-point tensors can require gradients, got int32",
    );
    expect(errorOf(() => cr.tensor([1, 2], { dtype: "int32", requiresGrad: true })).message).toBe(
      "tensor: only floating-point tensors can require gradients, got dtype int32",
    );
    expect(errorOf(() => cr.ones([2], { dtype: "bool", requiresGrad: true })).op).toBe("full");
  });

  it("conditions and masks must be bool", () => {
    expect(errorOf(() => cr.where(cr.ones([2]), cr.zeros([2]), cr.zeros([2]))).message).toBe(
      "where: condition must be a bool tensor, got float32",
    );
    expect(errorOf(() => cr.zeros([2]).maskedFill(i32([1, 0]), 1)).message).toBe(
      "maskedFill: mask must be a bool tensor, got int32",
    );
    expect(errorOf(() => cr.zeros([2]).maskedSelect(cr.ones([2]))).message).toBe(
      "maskedSelect: mask must be a bool tensor, got float32",
    );
  });

  it("indices must be int32", () => {
    expect(errorOf(() => cr.zeros([2, 3]).gather(1, cr.zeros([2, 1]))).message).toBe(
      "gather: index must be an int32 tensor, got float32",
    );
    expect(errorOf(() => cr.zeros([2, 3]).indexSelect(0, cr.tensor([true]))).message).toBe(
      "indexSelect: index must be an int32 tensor, got bool",
    );
  });

  it("mean and matmul need floating-point inputs; unknown dtypes are named", () => {
    expect(errorOf(() => cr.zeros([2], { dtype: "int32" }).mean()).message).toBe(
      "mean: expected a floating-point tensor, got int32",
    );
    expect(errorOf(() => i32([[1]]).matmul(i32([[1]]))).message).toBe(
      "matmul: expected floating-point operands, got int32 and int32",
    );
    expect(errorOf(() => cr.zeros([2], { dtype: "int64" as cr.DType })).message).toBe(
      "full: unknown dtype 'int64' (expected one of float32, float64, int32, bool)",
    );
  });
});

describe("bad indices and values", () => {
  it("non-integer indices and bounds", () => {
    expect(errorOf(() => cr.zeros([2, 3]).select(0, 1.5)).message).toBe(
      "select: index must be an integer, got 1.5",
    );
    expect(errorOf(() => cr.zeros([2, 3]).slice(0, 0.5)).message).toBe(
      "slice: bounds must be integers or null, got 0.5",
    );
    expect(errorOf(() => cr.zeros([2, 3]).slice(0, 0, 2, 0)).message).toBe(
      "slice: step must be a positive integer, got 0",
    );
    expect(errorOf(() => cr.tensor([1, 1.5], { dtype: "int32" })).message).toBe(
      "tensor: int32 tensor got non-integer 1.5 at [1]",
    );
  });

  it("out-of-range indices name the op, the index and the size", () => {
    expect(errorOf(() => cr.zeros([2, 3]).gather(1, i32([[3], [0]]))).message).toBe(
      "gather: index 3 is out of range for dim 1 of size 3",
    );
    expect(errorOf(() => cr.zeros([2, 3]).gather(1, i32([[0], [-1]]))).message).toBe(
      "gather: index -1 is out of range for dim 1 of size 3",
    );
    expect(errorOf(() => cr.zeros([2, 3]).indexSelect(0, i32([0, 2]))).message).toBe(
      "indexSelect: index 2 is out of range for dim 0 of size 2",
    );
    expect(errorOf(() => cr.zeros([2, 3]).select(0, 2)).message).toBe(
      "select: index 2 is out of range for dim 0 of size 2",
    );
    expect(errorOf(() => cr.zeros([2, 3]).select(1, -4)).message).toBe(
      "select: index -4 is out of range for dim 1 of size 3",
    );
    expect(errorOf(() => cr.zeros([2, 3]).scatterAdd(1, i32([[5]]), cr.zeros([1, 1]))).message).toBe(
      "scatterAdd: index 5 is out of range for dim 1 of size 3",
    );
    expect(errorOf(() => cr.zeros([2, 3]).narrow(1, 2, 2)).message).toBe(
      "narrow: start 2 + length 2 exceeds dim 1 of size 3",
    );
  });

  it("ragged or non-numeric nested arrays say where", () => {
    expect(errorOf(() => cr.tensor([[1, 2], [3]])).message).toBe(
      "tensor: ragged nested array: expected length 2 at [1], got an array of length 1",
    );
    expect(errorOf(() => cr.tensor([[1, 2], 3] as never)).message).toBe(
      "tensor: ragged nested array: expected length 2 at [1], got 3",
    );
    expect(errorOf(() => cr.tensor([1, [2]] as never)).message).toBe(
      "tensor: expected a number at [1], got an array of length 1",
    );
    expect(errorOf(() => cr.tensor([[1, "a"]] as never)).message).toBe(
      'tensor: expected a number at [0,1], got "a"',
    );
  });

  it("bad shapes and creation arguments", () => {
    expect(errorOf(() => cr.zeros([2, -1])).message).toBe(
      "full: shape [2,-1] must hold non-negative integers",
    );
    expect(errorOf(() => cr.randn([1.5])).message).toBe("randn: shape [1.5] must hold non-negative integers");
    expect(errorOf(() => cr.arange(0, 1, 0)).message).toBe(
      "arange: step must be a non-zero finite number, got 0",
    );
    expect(errorOf(() => cr.randint(3, 3, [2])).message).toBe(
      "randint: expected integers low < high, got low=3, high=3",
    );
    expect(errorOf(() => cr.linspace(0, 1, -1)).message).toBe(
      "linspace: steps must be a non-negative integer, got -1",
    );
    expect(errorOf(() => cr.zeros([2, 3]).item()).message).toBe(
      "item: only one-element tensors can be converted to a number, got shape [2,3]",
    );
  });
});

describe("empty reductions", () => {
  it("max/min/argmax/argmin of an empty tensor are refused", () => {
    expect(errorOf(() => cr.zeros([0]).max()).message).toBe(
      "max: cannot take the max of an empty tensor (shape [0]); pass a dim to reduce",
    );
    expect(errorOf(() => cr.zeros([2, 0]).min()).message).toBe(
      "min: cannot take the min of an empty tensor (shape [2,0]); pass a dim to reduce",
    );
    expect(errorOf(() => cr.zeros([0]).argmax()).message).toBe(
      "argmax: cannot take argmax of an empty tensor (shape [0])",
    );
    expect(errorOf(() => cr.zeros([3, 0]).argmin(1)).message).toBe(
      "argmin: cannot reduce an empty dimension 1 of shape [3,0]",
    );
    expect(errorOf(() => cr.zeros([0, 3]).max(0)).message).toBe(
      "max: cannot reduce the empty dim 0 of a tensor of shape [0,3]",
    );
    expect(errorOf(() => cr.zeros([0, 3]).amax()).message).toBe(
      "amax: cannot reduce an empty dimension (input shape [0,3], dim null)",
    );
  });

  it("reducing the non-empty dims of an empty tensor is fine (empty result)", () => {
    expect(cr.zeros([0, 3]).amax(1).shape).toEqual([0]);
    expect(cr.zeros([0, 3]).max(1).values.shape).toEqual([0]);
    expect(cr.zeros([3, 0]).argmax(0, { keepdim: true }).shape).toEqual([1, 0]);
    expect(cr.zeros([0, 3]).sum(0).toArray()).toEqual([0, 0, 0]);
  });
});

describe("autograd misuse", () => {
  it("backward on a non-scalar without gradOutput", () => {
    const x = cr.zeros([2, 3], { requiresGrad: true });
    expect(errorOf(() => x.mul(2).backward()).message).toBe(
      "backward: grad can be implicitly created only for one-element outputs, got shape [2,3]; pass a gradOutput",
    );
    expect(errorOf(() => x.mul(2).backward(cr.ones([3]))).message).toBe(
      "backward: gradOutput has shape [3] but the output has shape [2,3]",
    );
  });

  it("backward on a tensor outside the graph", () => {
    expect(errorOf(() => cr.ones([1]).backward()).message).toBe(
      "backward: output 0 (shape [1]) does not require grad and has no gradFn",
    );
    const x = cr.ones([1], { requiresGrad: true });
    expect(errorOf(() => cr.noGrad(() => x.mul(2)).backward()).op).toBe("backward");
  });

  it("backward twice without retainGraph names the op whose buffers were freed", () => {
    const x = cr.ones([2], { requiresGrad: true });
    const y = x.exp().sum();
    y.backward();
    expect(errorOf(() => y.backward()).message).toBe(
      "backward: trying to backward through the graph a second time (at 'sum'); its saved tensors were freed. " +
        "Pass { retainGraph: true } to the first backward() if you need to.",
    );
  });

  it("modifying a saved tensor in place is caught by the version counter", () => {
    const w = cr.ones([2, 3], { requiresGrad: true });
    const x = cr.ones([2, 3]);
    const y = x.mul(w).sum();
    x.mul_(2);
    expect(errorOf(() => y.backward()).message).toBe(
      "backward: a tensor of shape [2,3] saved by 'mul' for its backward was modified by an in-place operation " +
        "(version 0 at save, now 1); clone() it before modifying, or modify it after backward()",
    );
    // a view shares the counter with its base
    const z = cr.ones([4]);
    const v = z.slice(0, 0, 2);
    const loss = v.mul(cr.ones([2], { requiresGrad: true })).sum();
    z.fill_(3);
    expect(errorOf(() => loss.backward()).message).toMatch(
      /^backward: a tensor of shape \[2\] saved by 'mul' .*\(version 0 at save, now 1\)/,
    );
  });

  it("in-place writes to tensors that require grad are refused while recording", () => {
    const x = cr.ones([2, 3], { requiresGrad: true });
    expect(errorOf(() => x.add_(1)).message).toBe(
      "in-place: a tensor that requires grad (shape [2,3]) cannot be modified in place while gradients are recorded; wrap the update in noGrad()",
    );
    expect(errorOf(() => x.exp().zero_()).op).toBe("in-place");
    cr.noGrad(() => x.add_(1));
    expect(nums(x)).toEqual([2, 2, 2, 2, 2, 2]);
  });

  it("requiresGrad_ on a non-leaf, and gradients() of an unused input", () => {
    const x = cr.ones([2], { requiresGrad: true });
    expect(errorOf(() => x.mul(2).requiresGrad_(false)).message).toBe(
      "requiresGrad_: can only change requiresGrad of a leaf tensor; use detach() first",
    );
    const u = cr.ones([1], { requiresGrad: true });
    expect(errorOf(() => cr.gradients([x.sum()], [u])).message).toBe(
      "grad: input 0 (shape [1]) was not used to compute the outputs",
    );
    expect(nums(cr.gradients([x.sum()], [u], [], { allowUnused: true })[0])).toEqual([0]);
  });
});

// ---------------------------------------------------------------- SPEC §6: deliberate non-errors

describe("SPEC §6 behaviours", () => {
  it("mean of an empty tensor is NaN", () => {
    expect(cr.zeros([0]).mean().item()).toBeNaN();
    expect(nums(cr.zeros([0, 3]).mean(0))).toEqual([NaN, NaN, NaN]);
    expect(cr.zeros([0, 3], { dtype: "float64" }).mean(1).shape).toEqual([0]);
  });

  it("softmax of an all -inf row is a NaN row; other rows are unaffected", () => {
    const s = cr.tensor([[-Infinity, -Infinity, -Infinity], [0, Math.log(3), -Infinity]], { dtype: "float64" }).softmax(1); // prettier-ignore
    expect(nums(s).slice(0, 3)).toEqual([NaN, NaN, NaN]);
    nums(s)
      .slice(3)
      .forEach((v, i) => expect(v).toBeCloseTo([0.25, 0.75, 0][i], 15));
    expect(nums(cr.tensor([-Infinity, -Infinity]).logSoftmax(0))).toEqual([NaN, NaN]);
  });

  it("sqrt and log at 0 have gradient +inf (and -inf for a negative gradOutput)", () => {
    const x = cr.tensor([0, 4], { requiresGrad: true, dtype: "float64" });
    x.sqrt().sum().backward();
    expect(nums(x.grad as cr.Tensor)).toEqual([Infinity, 0.25]);
    const y = cr.tensor([0, 4], { requiresGrad: true, dtype: "float64" });
    y.log().backward(cr.tensor([-1, -1], { dtype: "float64" }));
    expect(nums(y.grad as cr.Tensor)).toEqual([-Infinity, -0.25]);
  });

  it("NaN propagates through amax/max, maximum/minimum, relu, clamp and softmax (whole row)", () => {
    const n = cr.tensor([1, NaN, 3]);
    expect(n.amax().item()).toBeNaN();
    expect(n.max().item()).toBeNaN();
    expect(n.amin().item()).toBeNaN();
    expect(n.max(0).values.item()).toBeNaN();
    expect(
      nums(
        cr
          .tensor([
            [NaN, 1],
            [2, 3],
          ])
          .amax(1),
      ),
    ).toEqual([NaN, 3]);
    expect(nums(cr.maximum(n, cr.full([3], 2)))).toEqual([2, NaN, 3]);
    expect(nums(cr.maximum(cr.full([3], 2), n))).toEqual([2, NaN, 3]);
    expect(nums(cr.minimum(n, cr.full([3], 2)))).toEqual([1, NaN, 2]);
    expect(nums(n.relu())).toEqual([1, NaN, 3]);
    expect(nums(n.clamp(0, 2))).toEqual([1, NaN, 2]);
    expect(nums(n.clamp(null, 2))).toEqual([1, NaN, 2]);
    const s = cr
      .tensor([
        [1, NaN],
        [0, 0],
      ])
      .softmax(1);
    expect(nums(s)).toEqual([NaN, NaN, 0.5, 0.5]);
  });

  it("argmax/argmin treat NaN as the extremum (first NaN wins)", () => {
    expect(cr.tensor([1, NaN, 3, NaN]).argmax().item()).toBe(1);
    expect(cr.tensor([1, NaN, 3]).argmin().item()).toBe(1);
    expect(
      nums(
        cr
          .tensor([
            [NaN, 5],
            [1, NaN],
            [9, 8],
          ])
          .argmax(1),
      ),
    ).toEqual([0, 1, 0]);
    expect(cr.tensor([2, NaN]).max(0).indices.item()).toBe(1);
  });
});
