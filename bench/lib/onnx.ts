// Tiny ONNX models for the onnxruntime anchor, written as protobuf bytes by hand (no onnx package):
// a MatMul of two inputs (W1) and the MLP 784-512-256-10 as Gemm(transB)+Relu layers (W4).
// Field numbers are onnx.proto's (ModelProto, GraphProto, NodeProto, TensorProto, ValueInfoProto).

type Field = number[];

function varint(v: number): number[] {
  const out: number[] = [];
  let x = BigInt(v);
  if (x < 0n) x += 1n << 64n;
  do {
    let b = Number(x & 0x7fn);
    x >>= 7n;
    if (x !== 0n) b |= 0x80;
    out.push(b);
  } while (x !== 0n);
  return out;
}

const key = (field: number, wire: number): number[] => varint((field << 3) | wire);
const int = (field: number, v: number): Field => [...key(field, 0), ...varint(v)];
const bytes = (field: number, b: ArrayLike<number>): Field => [
  ...key(field, 2),
  ...varint(b.length),
  ...Array.from(b),
];
const str = (field: number, s: string): Field => bytes(field, new TextEncoder().encode(s));
const msg = (field: number, ...parts: Field[]): Field => bytes(field, parts.flat());

const FLOAT = 1;

// ValueInfoProto: name, TypeProto{tensor_type{elem_type, shape{dim{dim_value | dim_param}}}}
function valueInfo(field: number, name: string, dims: (number | string)[]): Field {
  const shape = dims.map((d) => msg(1, typeof d === "number" ? int(1, d) : str(2, d)));
  return msg(field, str(1, name), msg(2, msg(1, int(1, FLOAT), msg(2, ...shape))));
}

// TensorProto: dims, data_type, name, raw_data (little-endian float32)
function initializer(name: string, dims: number[], data: Float32Array): Field {
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return msg(5, ...dims.map((d) => int(1, d)), int(2, FLOAT), str(8, name), bytes(9, raw));
}

// NodeProto: inputs, outputs, name, op_type, attributes (AttributeProto: name, i, type INT = 2)
function node(op: string, inputs: string[], outputs: string[], attrs: Record<string, number> = {}): Field {
  const a = Object.entries(attrs).map(([k, v]) => msg(5, str(1, k), int(3, v), int(20, 2)));
  return msg(
    1,
    ...inputs.map((s) => str(1, s)),
    ...outputs.map((s) => str(2, s)),
    str(3, `${op}_${outputs[0]}`),
    str(4, op),
    ...a,
  );
}

function model(graph: Field[]): Uint8Array {
  const opset = msg(8, str(1, ""), int(2, 13));
  return new Uint8Array([
    ...int(1, 8),
    ...str(2, "chainrule-bench"),
    ...opset,
    ...msg(7, str(2, "g"), ...graph),
  ]);
}

/** C = A·B for A, B of shape [n, n] given at run time. */
export function matmulModel(n: number): Uint8Array {
  return model([
    node("MatMul", ["A", "B"], ["C"]),
    valueInfo(11, "A", [n, n]),
    valueInfo(11, "B", [n, n]),
    valueInfo(12, "C", [n, n]),
  ]);
}

/** An MLP with ReLU between layers; weights[i] is [out, in] (PyTorch's layout), the batch size is free. */
export function mlpModel(
  weights: { w: Float32Array; b: Float32Array; out: number; in: number }[],
): Uint8Array {
  const graph: Field[] = [];
  let x = "x";
  weights.forEach((l, i) => {
    graph.push(initializer(`w${i}`, [l.out, l.in], l.w), initializer(`b${i}`, [l.out], l.b));
    const y = i === weights.length - 1 ? "y" : `h${i}`;
    graph.push(node("Gemm", [x, `w${i}`, `b${i}`], [y], { transB: 1 }));
    if (y !== "y") {
      graph.push(node("Relu", [y], [`r${i}`]));
      x = `r${i}`;
    }
  });
  graph.push(
    valueInfo(11, "x", ["N", weights[0].in]),
    valueInfo(12, "y", ["N", weights[weights.length - 1].out]),
  );
  return model(graph);
}
