#!/usr/bin/env python3
"""Writes test/fixtures/safetensors-torch/torch-sample.safetensors and its expected values (JSON).

The tensors come from PyTorch; the file is written with struct + json following the published
safetensors layout (the `safetensors` Python package is not installed here): an 8-byte little-endian
header length, a JSON header padded with spaces to a multiple of 8 bytes, then the tensors' bytes,
ordered by element size (largest first) and then by name, exactly as the reference writer orders them.

Run: /usr/bin/python3 scripts/make-torch-safetensors-fixture.py
(On a machine whose torch cannot find BLAS, prefix LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/lapack:/usr/lib/x86_64-linux-gnu/blas.)
"""
import json
import os
import struct

import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "safetensors-torch")
NAMES = {
    torch.float64: ("F64", 8), torch.float32: ("F32", 4), torch.float16: ("F16", 2),
    torch.bfloat16: ("BF16", 2), torch.int64: ("I64", 8), torch.int32: ("I32", 4),
    torch.int16: ("I16", 2), torch.int8: ("I8", 1), torch.uint8: ("U8", 1), torch.bool: ("BOOL", 1),
}


def tensors():
    g = torch.Generator().manual_seed(1234)
    return {
        "linear.weight": torch.randn(3, 4, generator=g),
        "linear.bias": torch.randn(3, generator=g).double(),
        "half": (torch.randn(2, 3, generator=g) * 100).half(),
        "bfloat": (torch.randn(5, generator=g) * 1e3).bfloat16(),
        "labels": torch.randint(-(2**31), 2**31 - 1, (4,), generator=g, dtype=torch.int64),
        "counts": torch.arange(-3, 3, dtype=torch.int32).reshape(2, 3),
        "short": torch.tensor([-32768, -1, 0, 32767], dtype=torch.int16),
        "tiny": torch.tensor([-128, 127], dtype=torch.int8),
        "pixels": torch.tensor([[0, 128], [255, 7]], dtype=torch.uint8),
        "mask": torch.tensor([True, False, True]),
        "scalar": torch.tensor(2.5),
        "empty": torch.zeros(0, 3),
        "special": torch.tensor([float("inf"), float("-inf"), -0.0, 1e-45]),
    }


def raw(t):
    t = t.contiguous().reshape(-1)
    if t.dtype == torch.bool:
        t = t.to(torch.uint8)
    return t.view(torch.uint8).numpy().tobytes() if t.numel() else b""


def main():
    ts = tensors()
    order = sorted(ts, key=lambda k: (-NAMES[ts[k].dtype][1], k))
    header, blobs, offset = {"__metadata__": {"format": "pt", "source": f"torch {torch.__version__}"}}, [], 0
    for name in order:
        b = raw(ts[name])
        header[name] = {"dtype": NAMES[ts[name].dtype][0], "shape": list(ts[name].shape),
                        "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "torch-sample.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
    expected = {
        k: {"dtype": NAMES[t.dtype][0], "shape": list(t.shape),
            "values": [repr(v) for v in t.reshape(-1).double().tolist()] if t.dtype != torch.bool
            else t.reshape(-1).tolist()}
        for k, t in ts.items()
    }
    with open(os.path.join(OUT, "torch-sample.json"), "w") as f:
        json.dump({"metadata": header["__metadata__"], "tensors": expected}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
