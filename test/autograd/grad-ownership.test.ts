// A leaf's .grad may take over a gradient buffer that the sweep produced (no copy), but only when nothing
// else holds that storage: these cases hand one buffer to two places and check that the grads stay apart.
import { describe, it, expect } from "vitest";
import * as cr from "../../src/index.js";

const nums = (t: cr.Tensor | null) => Array.from((t as cr.Tensor).toTypedArray());

describe("leaf gradients own their storage", () => {
  it("one fresh gradient handed to two leaves (d(a+b) = (g, g)) becomes two buffers", () => {
    const a = cr.tensor([1, 2, 3], { requiresGrad: true });
    const b = cr.tensor([4, 5, 6], { requiresGrad: true });
    a.add(b).mul(2).sum().backward(); // the add node's g is mul's fresh output
    expect(a.grad!.storage).not.toBe(b.grad!.storage);
    cr.noGrad(() => a.grad!.mul_(10));
    expect(nums(a.grad)).toEqual([20, 20, 20]);
    expect(nums(b.grad)).toEqual([2, 2, 2]);
  });

  it("a view of a leaf's gradient reaching another leaf does not share it", () => {
    const a = cr.tensor([1, 2, 3, 4], { requiresGrad: true });
    const b = cr.tensor([[1, 1], [1, 1]], { requiresGrad: true }); // prettier-ignore
    const s = a.mul(3); // g of a is 3·g_s, g_s flows to b through a reshape
    s.reshape(2, 2).add(b).sum().backward();
    expect(a.grad!.storage).not.toBe(b.grad!.storage);
    cr.noGrad(() => b.grad!.zero_());
    expect(nums(a.grad)).toEqual([3, 3, 3, 3]);
  });

  it("the caller's gradOutput is never taken over, even through an identity-like op", () => {
    const x = cr.tensor([1, 2], { requiresGrad: true });
    const g = cr.tensor([5, 7]);
    x.reshape(2).backward(g);
    cr.noGrad(() => x.grad!.fill_(0));
    expect(nums(g)).toEqual([5, 7]);
  });

  it("a stolen gradient is a contiguous buffer of exactly the leaf's size; later backwards accumulate", () => {
    const w = cr.tensor([[1, 2], [3, 4]], { requiresGrad: true }); // prettier-ignore
    const x = cr.tensor([[1, 0], [0, 2]]); // prettier-ignore
    x.matmul(w.t()).sum().backward();
    const g = w.grad!;
    expect(g.isContiguous() && g.offset === 0 && g.data.length === 4).toBe(true);
    expect(nums(g)).toEqual([1, 2, 1, 2]);
    x.matmul(w.t()).sum().backward();
    expect(nums(w.grad)).toEqual([2, 4, 2, 4]);
  });
});
