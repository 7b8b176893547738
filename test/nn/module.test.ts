// nn.Module: registration and PyTorch's dotted names, train/eval, zeroGrad, state dicts (round trip,
// strict and non-strict errors), summary tables, printing, hooks, dtype conversion and the containers.
import { describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";
import { maxDiff } from "./helpers.js";

const nn = cr.nn;
type Tensor = cr.Tensor;

class Encoder extends nn.Module {
  fc1 = new nn.Linear(4, 8);
  act = new nn.ReLU();
  fc2 = new nn.Linear(8, 3);
  forward(x: Tensor): Tensor {
    return this.fc2.forward(this.act.forward(this.fc1.forward(x)));
  }
}

class Net extends nn.Module {
  encoder = new Encoder();
  head = new nn.Sequential(new nn.Linear(3, 3), new nn.Tanh(), new nn.Linear(3, 2));
  bn = new nn.BatchNorm1d(2);
  drop = new nn.Dropout({ p: 0.5 });
  forward(x: Tensor): Tensor {
    return this.drop.forward(this.bn.forward(this.head.forward(this.encoder.forward(x))));
  }
}

const PARAM_NAMES = [
  "encoder.fc1.weight",
  "encoder.fc1.bias",
  "encoder.fc2.weight",
  "encoder.fc2.bias",
  "head.0.weight",
  "head.0.bias",
  "head.2.weight",
  "head.2.bias",
  "bn.weight",
  "bn.bias",
];

describe("registration and names", () => {
  it("finds parameters of nested modules with PyTorch's dotted names, in declaration order", () => {
    const net = new Net();
    expect(net.namedParameters().map(([n]) => n)).toEqual(PARAM_NAMES);
    expect(net.parameters().every((p) => p instanceof nn.Parameter && p.requiresGrad)).toBe(true);
    expect(net.namedBuffers().map(([n]) => n)).toEqual([
      "bn.runningMean",
      "bn.runningVar",
      "bn.numBatchesTracked",
    ]);
    expect(net.namedChildren().map(([n]) => n)).toEqual(["encoder", "head", "bn", "drop"]);
    expect(net.namedModules().map(([n]) => n)).toEqual([
      "",
      "encoder",
      "encoder.fc1",
      "encoder.act",
      "encoder.fc2",
      "head",
      "head.0",
      "head.1",
      "head.2",
      "bn",
      "drop",
    ]);
    expect(net.modules()[0]).toBe(net);
    expect(net.encoder.namedParameters({ recurse: false })).toEqual([]);
    expect(net.encoder.fc1.parameters({ recurse: false })).toEqual([
      net.encoder.fc1.weight,
      net.encoder.fc1.bias,
    ]);
  });

  it("counts parameters, trainable or all, each shared parameter once", () => {
    const net = new Net();
    const expected = 4 * 8 + 8 + 8 * 3 + 3 + 3 * 3 + 3 + 3 * 2 + 2 + 2 + 2;
    expect(net.numParameters()).toBe(expected);
    net.encoder.requiresGrad_(false);
    expect(net.numParameters({ trainableOnly: true })).toBe(expected - (4 * 8 + 8 + 8 * 3 + 3));
    const shared = new nn.Linear(3, 3);
    const tied = new nn.Sequential(shared, new nn.Tanh(), shared);
    expect(tied.parameters().length).toBe(2);
    expect(tied.numParameters()).toBe(12);
    expect(Object.keys(tied.stateDict())).toEqual(["0.weight", "0.bias", "2.weight", "2.bias"]);
  });

  it("picks up parameters and modules assigned after construction, and reassignments", () => {
    const net = new Encoder();
    (net as any).extra = new nn.Parameter(cr.zeros([2]));
    expect(net.namedParameters().map(([n]) => n)).toContain("extra");
    const replacement = new nn.Linear(8, 3, { bias: false });
    net.fc2 = replacement;
    // a module's own parameters come before its children's, as in PyTorch
    expect(net.namedParameters().map(([n]) => n)).toEqual(["extra", "fc1.weight", "fc1.bias", "fc2.weight"]);
    expect(net.fc2.bias).toBeNull();
  });

  it("explicit registration: parameters, buffers (persistent or not) and modules", () => {
    class Custom extends nn.Module {
      constructor() {
        super();
        this.registerParameter("scale", new nn.Parameter(cr.ones([3])));
        this.registerBuffer("counter", cr.zeros([1]));
        this.registerBuffer("cache", cr.zeros([2]), { persistent: false });
        this.registerModule("0", new nn.Linear(3, 3));
      }
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    const c = new Custom();
    expect(c.namedParameters().map(([n]) => n)).toEqual(["scale", "0.weight", "0.bias"]);
    expect(c.namedBuffers().map(([n]) => n)).toEqual(["counter", "cache"]);
    expect(Object.keys(c.stateDict())).toEqual(["scale", "counter", "0.weight", "0.bias"]);
    expect((c as any).scale).toBeInstanceOf(nn.Parameter);
  });

  it("refuses what would silently not be registered or would clobber a member", () => {
    class Bad extends nn.Module {
      layers = [new nn.Linear(2, 2), new nn.Linear(2, 2)];
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    expect(() => new Bad().parameters()).toThrow(/plain array of modules.*nn\.ModuleList/);
    const m = new nn.Linear(2, 2);
    expect(() => m.registerBuffer("forward", cr.zeros([1]))).toThrow(/would replace the Linear member/);
    expect(() => m.registerModule("a.b", new nn.ReLU())).toThrow(/without dots/);
    expect(m.parameters().length).toBe(2); // registered at the first look
    (m as any).weight = cr.zeros([2, 2]);
    expect(() => m.parameters()).toThrow(
      /'weight' is registered as a parameter but now holds a plain Tensor/,
    );
    expect(() => m.registerParameter("p", cr.zeros([1]) as any)).toThrow(/new Parameter/);
  });

  it("Parameter shares the storage of its data and is a leaf that requires grad", () => {
    const t = cr.tensor([1, 2, 3]);
    const p = new nn.Parameter(t);
    expect(p.isLeaf && p.requiresGrad).toBe(true);
    expect(p.storage).toBe(t.storage);
    expect(new nn.Parameter(t, false).requiresGrad).toBe(false);
    expect(() => new nn.Parameter(cr.tensor([1, 2], { dtype: "int32" }))).toThrow(/floating-point/);
    expect(p.toString()).toMatch(
      /^Parameter containing:\ntensor\(\[1\.0000, 2\.0000, 3\.0000\], requiresGrad=true\)$/,
    );
  });
});

describe("modes and bulk operations", () => {
  it("train/eval propagate through the whole tree", () => {
    const net = new Net();
    expect(net.modules().every((m) => m.training)).toBe(true);
    expect(net.eval()).toBe(net);
    expect(net.modules().every((m) => !m.training)).toBe(true);
    net.head.train();
    expect(net.training).toBe(false);
    expect(net.head.modules().every((m) => m.training)).toBe(true);
    net.train();
    expect(net.modules().every((m) => m.training)).toBe(true);
  });

  it("zeroGrad clears every gradient; apply visits children first", () => {
    const net = new Net();
    net
      .forward(cr.randn([5, 4]))
      .sum()
      .backward();
    expect(net.parameters().every((p) => p.grad !== null)).toBe(true);
    net.zeroGrad();
    expect(net.parameters().every((p) => p.grad === null)).toBe(true);
    const order: string[] = [];
    net.encoder.apply((m) => order.push(m.constructor.name));
    expect(order).toEqual(["Linear", "ReLU", "Linear", "Encoder"]);
  });

  it("requiresGrad_(false) freezes: no gradient reaches frozen parameters", () => {
    const net = new Encoder();
    net.fc1.requiresGrad_(false);
    net
      .forward(cr.randn([3, 4]))
      .sum()
      .backward();
    expect(net.fc1.weight.grad).toBeNull();
    expect(net.fc2.weight.grad).not.toBeNull();
  });

  it("double()/to() converts parameters and float buffers, keeping values and requiresGrad", () => {
    cr.manualSeed(1);
    const net = new Net();
    net.encoder.fc1.bias!.requiresGrad_(false);
    const before = net.stateDict();
    const w = before["encoder.fc1.weight"].clone();
    net.double();
    expect(net.parameters().every((p) => p.dtype === "float64" && p instanceof nn.Parameter)).toBe(true);
    expect(net.bn.runningMean!.dtype).toBe("float64");
    expect(net.bn.numBatchesTracked!.dtype).toBe("int32");
    expect(net.encoder.fc1.bias!.requiresGrad).toBe(false);
    expect(maxDiff(net.encoder.fc1.weight, w.double())).toBe(0);
    expect(net.forward(cr.randn([4, 4], { dtype: "float64" })).dtype).toBe("float64");
  });
});

describe("state dicts", () => {
  it("holds parameters and buffers by dotted name, detached and sharing storage", () => {
    const net = new Net();
    const sd = net.stateDict();
    expect(Object.keys(sd)).toEqual([
      ...PARAM_NAMES.slice(0, 8),
      "bn.weight",
      "bn.bias",
      "bn.runningMean",
      "bn.runningVar",
      "bn.numBatchesTracked",
    ]);
    expect(sd["head.0.weight"].requiresGrad).toBe(false);
    expect(sd["head.0.weight"].storage).toBe(net.head.at(0).parameters()[0].storage);
  });

  it("round trip: save, load into a fresh model, identical outputs", () => {
    cr.manualSeed(10);
    const a = new Net();
    a.forward(cr.randn([8, 4])); // moves BatchNorm's running statistics
    a.eval();
    const saved = Object.fromEntries(Object.entries(a.stateDict()).map(([k, v]) => [k, v.clone()]));
    cr.manualSeed(99);
    const b = new Net().eval();
    const x = cr.randn([6, 4]);
    expect(maxDiff(a.forward(x), b.forward(x))).toBeGreaterThan(1e-3);
    expect(b.loadStateDict(saved)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(maxDiff(a.forward(x), b.forward(x))).toBe(0);
    expect(b.bn.numBatchesTracked!.item()).toBe(1);
    // the load copied: later changes to the saved tensors do not reach the model
    saved["encoder.fc1.weight"].fill_(0);
    expect(maxDiff(a.forward(x), b.forward(x))).toBe(0);
  });

  it("strict loading names every missing, unexpected and mismatched key in one error, and loads nothing", () => {
    const net = new Encoder();
    const sd = net.stateDict();
    const before = sd["fc1.weight"].clone();
    const bad: Record<string, Tensor> = {
      "fc1.weight": cr.zeros([8, 4]),
      "fc1.bias": cr.zeros([5]),
      "fc3.weight": cr.zeros([1]),
    };
    let message = "";
    try {
      net.loadStateDict(bad);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("loadStateDict: cannot load the state into Encoder");
    expect(message).toContain("missing keys: 'fc2.weight', 'fc2.bias'");
    expect(message).toContain("unexpected keys: 'fc3.weight'");
    expect(message).toContain("shape mismatch for 'fc1.bias': the state has [5], the model [8]");
    expect(maxDiff(net.fc1.weight, before)).toBe(0);
  });

  it("non-strict loading reports missing/unexpected keys and loads the rest; shapes still must match", () => {
    const net = new Encoder();
    const res = net.loadStateDict(
      { "fc1.weight": cr.ones([8, 4]), "other.bias": cr.ones([2]) },
      { strict: false },
    );
    expect(res).toEqual({
      missingKeys: ["fc1.bias", "fc2.weight", "fc2.bias"],
      unexpectedKeys: ["other.bias"],
    });
    expect(maxDiff(net.fc1.weight, cr.ones([8, 4]))).toBe(0);
    expect(() => net.loadStateDict({ "fc1.weight": cr.ones([4, 8]) }, { strict: false })).toThrow(
      "shape mismatch for 'fc1.weight': the state has [4,8], the model [8,4]",
    );
  });

  it("loading works on parameters that require grad and casts dtypes", () => {
    const lin = new nn.Linear(2, 2, { dtype: "float64" });
    lin.loadStateDict({
      weight: cr.tensor([
        [1, 2],
        [3, 4],
      ]),
      bias: cr.tensor([0.5, -0.5]),
    });
    expect(lin.weight.dtype).toBe("float64");
    expect(lin.weight.requiresGrad).toBe(true);
    expect(lin.forward(cr.tensor([1, 1], { dtype: "float64" })).toArray()).toEqual([3.5, 6.5]);
  });
});

describe("summary", () => {
  it("tabulates layers, output shapes and parameter counts (Linear(784,512) has 401,920)", () => {
    const model = new nn.Sequential(new nn.Linear(784, 512), new nn.ReLU(), new nn.Linear(512, 10));
    const table = model.summary([1, 784]);
    const lines = table.split("\n");
    const row = (label: string) => lines.find((l) => l.startsWith(label)) ?? "";
    expect(row("Layer (type)")).toMatch(/Layer \(type\)\s+Output Shape\s+Param #/);
    expect(row("Sequential")).toMatch(/^Sequential\s+\[1, 10\]\s+--$/);
    expect(row("├─0 (Linear)")).toMatch(/\[1, 512\]\s+401,920$/);
    expect(row("├─1 (ReLU)")).toMatch(/\[1, 512\]\s+0$/);
    expect(row("└─2 (Linear)")).toMatch(/\[1, 10\]\s+5,130$/);
    expect(table).toContain("Total params: 407,050");
    expect(table).toContain("Trainable params: 407,050");
    expect(table).toContain("Non-trainable params: 0");
    expect(table).toContain("Params size (MB): 1.63");
    expect(table).toContain("Input shape: [1, 784]");
  });

  it("nests, counts frozen parameters as non-trainable, and leaves modes and running statistics alone", () => {
    const net = new Net();
    net.encoder.requiresGrad_(false);
    const rm = net.bn.runningMean!.clone();
    const table = net.summary([2, 4]);
    expect(table).toMatch(/├─encoder \(Encoder\)\s+\[2, 3\]\s+--/);
    expect(table).toMatch(/│ ├─fc1 \(Linear\)\s+\[2, 8\]\s+40/);
    expect(table).toMatch(/│ └─fc2 \(Linear\)\s+\[2, 3\]\s+27/);
    expect(table).toMatch(/├─bn \(BatchNorm1d\)\s+\[2, 2\]\s+4/);
    expect(table).toContain("Non-trainable params: 67");
    expect(net.modules().every((m) => m.training)).toBe(true);
    expect(maxDiff(net.bn.runningMean!, rm)).toBe(0);
    expect(net.bn.numBatchesTracked!.item()).toBe(0);
  });

  it("takes several input shapes and input dtypes", () => {
    class Pair extends nn.Module {
      emb = new nn.Embedding(10, 4);
      fc = new nn.Linear(4, 2);
      forward(ids: Tensor, x: Tensor): Tensor {
        return this.fc.forward(this.emb.forward(ids).add(x));
      }
    }
    const table = new Pair().summary(
      [
        [3, 5],
        [3, 5, 4],
      ],
      { dtype: ["int32", "float32"] },
    );
    expect(table).toMatch(/├─emb \(Embedding\)\s+\[3, 5, 4\]\s+40/);
    expect(table).toMatch(/└─fc \(Linear\)\s+\[3, 5, 2\]\s+10/);
    expect(table).toContain("Input shapes: [3, 5], [3, 5, 4]");
  });
});

describe("printing and hooks", () => {
  it("prints the module tree like PyTorch", () => {
    const net = new Net();
    expect(net.toString()).toBe(
      [
        "Net(",
        "  (encoder): Encoder(",
        "    (fc1): Linear(inFeatures=4, outFeatures=8, bias=true)",
        "    (act): ReLU()",
        "    (fc2): Linear(inFeatures=8, outFeatures=3, bias=true)",
        "  )",
        "  (head): Sequential(",
        "    (0): Linear(inFeatures=3, outFeatures=3, bias=true)",
        "    (1): Tanh()",
        "    (2): Linear(inFeatures=3, outFeatures=2, bias=true)",
        "  )",
        "  (bn): BatchNorm1d(2, eps=0.00001, momentum=0.1, affine=true, trackRunningStats=true)",
        "  (drop): Dropout(p=0.5)",
        ")",
      ].join("\n"),
    );
    expect(new nn.Lambda(cr.exp).toString()).toBe("Lambda(exp)");
  });

  it("forward hooks see inputs and output, may replace the output, and are removable", () => {
    const lin = new nn.Linear(2, 3);
    const seen: number[][] = [];
    const h1 = lin.registerForwardHook((_m, inputs, out) => {
      seen.push([...inputs[0].shape, ...out.shape]);
    });
    const h2 = lin.registerForwardHook((_m, _in, out) => out.mul(0));
    const x = cr.randn([4, 2]);
    expect(lin.forward(x).abs().sum().item()).toBe(0);
    expect(seen).toEqual([[4, 2, 4, 3]]);
    h2.remove();
    expect(lin.forward(x).abs().sum().item()).toBeGreaterThan(0);
    h1.remove();
    lin.forward(x);
    expect(seen.length).toBe(2);
    expect(Object.prototype.hasOwnProperty.call(lin, "forward")).toBe(false);
  });
});

describe("containers", () => {
  it("Sequential chains, indexes, appends, and takes named children", () => {
    const seq = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU());
    expect(seq.length).toBe(2);
    expect(seq.at(-1)).toBeInstanceOf(nn.ReLU);
    seq.append(new nn.Linear(3, 1));
    expect(seq.forward(cr.randn([5, 2])).shape).toEqual([5, 1]);
    expect([...seq].map((m) => m.constructor.name)).toEqual(["Linear", "ReLU", "Linear"]);
    expect(() => seq.at(3)).toThrow("Sequential.at: index 3 is out of range for 3 modules");
    const named = new nn.Sequential({
      fc1: new nn.Linear(2, 4),
      act: new nn.Tanh(),
      fc2: new nn.Linear(4, 1),
    });
    expect(named.namedParameters().map(([n]) => n)).toEqual([
      "fc1.weight",
      "fc1.bias",
      "fc2.weight",
      "fc2.bias",
    ]);
    const x = cr.randn([3, 2]);
    expect(new nn.Sequential().forward(x)).toBe(x);
  });

  it("ModuleList registers its modules (0, 1, …), inserts and has no forward", () => {
    class Stack extends nn.Module {
      layers = new nn.ModuleList([1, 2, 3].map(() => new nn.Linear(4, 4)));
      forward(x: Tensor): Tensor {
        for (const l of this.layers) x = l.forward(x).tanh();
        return x;
      }
    }
    const s = new Stack();
    expect(s.namedParameters().map(([n]) => n)).toEqual([
      "layers.0.weight",
      "layers.0.bias",
      "layers.1.weight",
      "layers.1.bias",
      "layers.2.weight",
      "layers.2.bias",
    ]);
    expect(s.forward(cr.randn([2, 4])).shape).toEqual([2, 4]);
    const first = s.layers.at(0);
    const fresh = new nn.Linear(4, 4);
    s.layers.insert(1, fresh);
    expect(s.layers.length).toBe(4);
    expect(s.layers.at(0)).toBe(first);
    expect(s.layers.at(1)).toBe(fresh);
    expect(s.namedParameters().map(([n]) => n)).toContain("layers.3.bias");
    expect(() => s.layers.forward()).toThrow(/ModuleList: has no forward/);
  });

  it("ModuleDict registers by key, deletes, and refuses keys that clash with members", () => {
    const d = new nn.ModuleDict<cr.nn.Module>({ enc: new nn.Linear(2, 2), dec: new nn.Linear(2, 2) });
    expect(d.keys()).toEqual(["enc", "dec"]);
    expect(d.get("dec")).toBeInstanceOf(nn.Linear);
    expect(d.namedParameters().map(([n]) => n)).toEqual(["enc.weight", "enc.bias", "dec.weight", "dec.bias"]);
    expect(d.delete("enc")).toBe(true);
    expect(d.delete("enc")).toBe(false);
    expect(d.delete("training")).toBe(false);
    expect(d.training).toBe(true);
    expect(d.size).toBe(1);
    expect(() => d.set("keys", new nn.ReLU())).toThrow(/would replace the ModuleDict member/);
  });
});
