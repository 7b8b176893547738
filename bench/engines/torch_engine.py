# Bench worker for the PyTorch anchor: the same inputs, models and optimizers as chainrule's worker.
# Threads: the runner gives OpenBLAS (Debian's torch does its GEMMs there) the job's thread count and
# torch's own OpenMP pool one thread: both at 2 on two cores spin against each other (10x slower W2).
# Usage (by bench/run.ts): python3 bench/engines/torch_engine.py '<job json>'
import json
import os
import sys
import time

import numpy as np
import torch

MLP = [784, 512, 256, 10]
XOR = [2, 8, 1]
TRAIN_BATCH = 128

job = json.loads(sys.argv[1])
torch.set_num_threads(1)


def read(name):
    return torch.from_numpy(np.fromfile(os.path.join(job["dir"], name + ".f32"), dtype="<f4").copy())


def rel_err(a, ref):
    return float(torch.linalg.norm((a - ref).double()) / torch.linalg.norm(ref.double()))


def summarize(samples):
    s = sorted(samples)
    q = lambda p: s[min(len(s) - 1, int(p * (len(s) - 1) + 0.5))]
    return {"median": q(0.5), "p10": q(0.1), "p90": q(0.9), "n": len(s)}


def measure(fn, budget=3.0, warmup=3, min_samples=5, max_samples=41, too_slow=5.0, warmup_time=None):
    # Same protocol as bench/lib/common.ts: timed warm-up rounds, then samples of >= 2 ms each.
    warmup_time = min(1.0, budget / 3) if warmup_time is None else warmup_time
    t0 = time.perf_counter()
    fn()
    first = time.perf_counter() - t0
    if first > too_slow:
        return summarize([first])
    per_call, calls, k, warm_start = first, 1, 1, time.perf_counter()
    while calls < warmup or time.perf_counter() - warm_start < warmup_time:
        t0 = time.perf_counter()
        for _ in range(k):
            fn()
        per_call = (time.perf_counter() - t0) / k
        calls += k
        k *= 2
    inner = max(1, int(0.002 / max(per_call, 1e-7)) + 1)
    samples, start = [], time.perf_counter()
    while len(samples) < max_samples and (len(samples) < min_samples or time.perf_counter() - start < budget):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - t0) / inner)
    return summarize(samples)


def mlp(prefix, sizes, act, last=None):
    mods = []
    for i in range(len(sizes) - 1):
        lin = torch.nn.Linear(sizes[i], sizes[i + 1])
        with torch.no_grad():
            lin.weight.copy_(read(f"{prefix}_w{i}").view(sizes[i + 1], sizes[i]))
            lin.bias.copy_(read(f"{prefix}_b{i}"))
        mods.append(lin)
        if i + 2 < len(sizes):
            mods.append(act())
    if last is not None:
        mods.append(last)
    return torch.nn.Sequential(*mods)


def peak_rss_mb():
    # VmHWM, not getrusage's maxrss: Linux carries the parent's peak over fork and exec.
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmHWM:")) / 1024


def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def w1():
    out = []
    for n in job["sizes"]:
        a, b = read(f"w1_A_{n}").view(n, n), read(f"w1_B_{n}").view(n, n)
        err = rel_err(a @ b, read(f"w1_C_{n}").view(n, n))
        t = measure(lambda: a @ b, budget=1 if job["quick"] else 3)
        out.append({"name": f"n={n}", "timing": t, "extra": {"err": err, "gflops": 2 * n**3 / t["median"] / 1e9}})
    return out


def w4():
    model = mlp("mlp", MLP, torch.nn.ReLU).eval()
    out = []
    for batch in job["sizes"]:
        x = read(f"w4_x_{batch}").view(batch, MLP[0])

        def fwd():
            with torch.no_grad():
                return model(x)

        err = rel_err(fwd(), read(f"w4_y_{batch}").view(batch, MLP[-1]))
        t = measure(fwd, budget=1 if job["quick"] else 3)
        out.append({"name": f"batch={batch}", "timing": t, "extra": {"err": err, "samplesPerS": batch / t["median"]}})
    return out


def trainer(model, opt, loss_fn, x, y):
    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


def w2():
    x = read("w2_x").view(TRAIN_BATCH, MLP[0])
    y = read("w2_y").long()
    out = []
    for name in ["sgd", "adam"]:
        model = mlp("mlp", MLP, torch.nn.ReLU)
        if name == "sgd":
            opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        else:
            opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        step = trainer(model, opt, torch.nn.CrossEntropyLoss(), x, y)
        check = [step().item() for _ in range(5)]
        t = measure(step, budget=2 if job["quick"] else 5)
        out.append({"name": name, "timing": t, "check": check, "extra": {"samplesPerS": TRAIN_BATCH / t["median"]}})
    return out


def w3():
    model = mlp("xor", XOR, torch.nn.Tanh, torch.nn.Sigmoid())
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    x = torch.tensor([[0.0, 0], [0, 1], [1, 0], [1, 1]])
    y = torch.tensor([[0.0], [1], [1], [0]])
    step = trainer(model, opt, torch.nn.MSELoss(), x, y)
    check = [step().item() for _ in range(5)]
    t = measure(step, budget=1 if job["quick"] else 3)
    for _ in range(1000):
        step()
    rss1k = rss_mb()
    for _ in range(9000):
        step()
    rss10k = rss_mb()
    return [{"name": "step", "timing": t, "check": check, "extra": {"us": t["median"] * 1e6, "rss1k": rss1k, "rss10k": rss10k}}]


runs = {"W1": w1, "W2": w2, "W3": w3, "W4": w4}
measurements = runs[job["workload"]]()
blas = "OpenBLAS" if "openblas" in open("/proc/self/maps").read().lower() else "BLAS"
result = {
    "engine": "pytorch",
    "version": f"PyTorch {torch.__version__} ({blas} with {os.environ.get('OPENBLAS_NUM_THREADS')} thread(s), intra-op pool 1)",
    "measurements": measurements,
    "peakRssMb": peak_rss_mb(),
}
print("RESULT " + json.dumps(result), flush=True)
