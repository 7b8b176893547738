"""Writes test/fixtures/rnn-golden.json: PyTorch's RNN/GRU/LSTM cells and sequence modules in float64.

Run once at development time with a Python that has torch:  /usr/bin/python3 scripts/gen-rnn-golden.py
The TypeScript test (test/nn/recurrent.test.ts) reads the JSON and needs no Python.
Each case gives the module (class and chainrule's camelCase options), its state dict (PyTorch's key
names), the inputs (x and optional initial states), the outputs (output sequence or next hidden state,
final states) and the gradients of  sum(out·g) + sum(h·gh) [+ sum(c·gc)]  with respect to the inputs and
to every parameter. Tensors are {"shape": [...], "data": [flat row-major values]}.
"""
import json
import os

import torch

torch.set_default_dtype(torch.float64)
I, H = 3, 4  # input and hidden sizes of every case


def enc(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.detach().reshape(-1).tolist()]}


def snake(opts):
    names = {"numLayers": "num_layers", "batchFirst": "batch_first"}
    return {names.get(k, k): v for k, v in opts.items()}


CELLS = [
    # name, class, options, x shape, with initial state
    ("rnnCellTanh", "RNNCell", {}, [2, I], True),
    ("rnnCellReluUnbatched", "RNNCell", {"nonlinearity": "relu"}, [I], False),
    ("gruCell", "GRUCell", {}, [2, I], True),
    ("gruCellNoBias", "GRUCell", {"bias": False}, [3, I], False),
    ("lstmCell", "LSTMCell", {}, [2, I], True),
    ("lstmCellUnbatched", "LSTMCell", {}, [I], True),
]

SEQUENCES = [
    ("rnnTanh", "RNN", {}, [5, 2, I], True),
    ("rnnRelu2LayerBidirBatchFirst", "RNN",
     {"nonlinearity": "relu", "numLayers": 2, "bidirectional": True, "batchFirst": True}, [2, 5, I], False),
    ("gru2Layer", "GRU", {"numLayers": 2}, [5, 2, I], True),
    ("gruBidirNoBias", "GRU", {"bidirectional": True, "bias": False}, [4, 2, I], False),
    ("gruUnbatchedBatchFirst", "GRU", {"batchFirst": True}, [5, I], True),
    ("lstm", "LSTM", {}, [5, 2, I], False),
    ("lstm2LayerBidir", "LSTM", {"numLayers": 2, "bidirectional": True}, [5, 2, I], True),
    ("lstmBatchFirst", "LSTM", {"batchFirst": True}, [2, 5, I], True),
    ("lstmUnbatched2Layer", "LSTM", {"numLayers": 2}, [5, I], True),
]


def cell_case(name, cls, opts, xshape, with_state):
    m = getattr(torch.nn, cls)(I, H, **opts)
    x = torch.randn(xshape, requires_grad=True)
    hshape = [xshape[0], H] if len(xshape) == 2 else [H]
    inputs = {"x": x}
    if with_state:
        inputs["h0"] = torch.randn(hshape, requires_grad=True)
        if cls == "LSTMCell":
            inputs["c0"] = torch.randn(hshape, requires_grad=True)
    if cls == "LSTMCell":
        state = (inputs["h0"], inputs["c0"]) if with_state else None
        h, c = m(x, state)
        outs = {"h": h, "c": c}
    else:
        outs = {"h": m(x, inputs.get("h0"))}
    return finish(name, cls, opts, m, inputs, outs)


def seq_case(name, cls, opts, xshape, with_state):
    m = getattr(torch.nn, cls)(I, H, **snake(opts))
    x = torch.randn(xshape, requires_grad=True)
    dirs = 2 if opts.get("bidirectional") else 1
    layers = opts.get("numLayers", 1) * dirs
    if len(xshape) == 3:
        n = xshape[0] if opts.get("batchFirst") else xshape[1]
        hshape = [layers, n, H]
    else:
        hshape = [layers, H]
    inputs = {"x": x}
    if with_state:
        inputs["h0"] = torch.randn(hshape, requires_grad=True)
        if cls == "LSTM":
            inputs["c0"] = torch.randn(hshape, requires_grad=True)
    if cls == "LSTM":
        out, (h, c) = m(x, (inputs["h0"], inputs["c0"]) if with_state else None)
        outs = {"output": out, "h": h, "c": c}
    else:
        out, h = m(x, inputs.get("h0"))
        outs = {"output": out, "h": h}
    return finish(name, cls, opts, m, inputs, outs)


def finish(name, cls, opts, m, inputs, outs):
    weights = {k: torch.randn(v.shape) for k, v in outs.items()}
    loss = sum((outs[k] * weights[k]).sum() for k in outs)
    params = dict(m.named_parameters())
    wrt = list(inputs.values()) + list(params.values())
    grads = torch.autograd.grad(loss, wrt)
    return {
        "name": name,
        "module": cls,
        "options": opts,
        "state": {k: enc(v) for k, v in m.state_dict().items()},
        "inputs": {k: enc(v) for k, v in inputs.items()},
        "outputs": {k: enc(v) for k, v in outs.items()},
        "gradOutputs": {k: enc(v) for k, v in weights.items()},
        "grads": {k: enc(g) for k, g in zip(list(inputs) + list(params), grads)},
    }


def main():
    torch.manual_seed(0)
    cases = [cell_case(*c) for c in CELLS] + [seq_case(*c) for c in SEQUENCES]
    out = {"torch": torch.__version__, "inputSize": I, "hiddenSize": H, "cases": cases}
    path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "rnn-golden.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print(f"wrote {len(cases)} cases, {os.path.getsize(path)} bytes to {os.path.normpath(path)}")


if __name__ == "__main__":
    main()
