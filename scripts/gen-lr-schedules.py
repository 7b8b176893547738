"""Writes test/fixtures/lr-schedules.json: learning-rate (and momentum) sequences from PyTorch's schedulers.

Run once at development time with a Python that has torch:  python3 scripts/gen-lr-schedules.py
The TypeScript test (test/optim/lr-scheduler.test.ts) reads the JSON and needs no Python.
Each case names the scheduler, its arguments in chainrule's camelCase, the optimizer's groups, and the
rates every group has after construction (index 0) and after each step() (index k).
"""
import json
import math
import os
import warnings

import torch

warnings.filterwarnings("ignore")

# LambdaLR functions, by the names the TypeScript test maps to the same formulas.
LAMBDAS = {
    "pow095": lambda e: 0.95**e,
    "warmup5": lambda e: min(1.0, (e + 1) / 5),
    "invSqrt": lambda e: 1.0 / math.sqrt(e + 1),
}

SNAKE = {
    "stepSize": "step_size", "etaMin": "eta_min", "tMax": "T_max", "startFactor": "start_factor",
    "endFactor": "end_factor", "totalIters": "total_iters", "totalSteps": "total_steps",
    "stepsPerEpoch": "steps_per_epoch", "pctStart": "pct_start", "annealStrategy": "anneal_strategy",
    "cycleMomentum": "cycle_momentum", "baseMomentum": "base_momentum", "maxMomentum": "max_momentum",
    "divFactor": "div_factor", "finalDivFactor": "final_div_factor", "threePhase": "three_phase",
    "thresholdMode": "threshold_mode", "minLr": "min_lr", "maxLr": "max_lr", "lrLambda": "lr_lambda",
}


def make_optimizer(spec):
    groups = [{"params": [torch.zeros(2, requires_grad=True)], **g} for g in spec["groups"]]
    if spec["type"] == "sgd":
        return torch.optim.SGD(groups, lr=0.1, momentum=spec.get("momentum", 0.0))
    return torch.optim.Adam(groups, lr=1e-3, betas=tuple(spec.get("betas", (0.9, 0.999))))


def make_scheduler(name, opt, args, options):
    cls = getattr(torch.optim.lr_scheduler, name)
    kw = {SNAKE.get(k, k): v for k, v in options.items()}
    if name == "LambdaLR":
        fns = args[0]
        args = [[LAMBDAS[f] for f in fns] if isinstance(fns, list) else LAMBDAS[fns]]
    return cls(opt, *args, **kw)


def momenta(opt):
    return [g["betas"][0] if "betas" in g else g.get("momentum", 0.0) for g in opt.param_groups]


def run(case):
    opt = make_optimizer(case["optimizer"])
    sched = make_scheduler(case["scheduler"], opt, case.get("args", []), case.get("options", {}))
    lrs = [[g["lr"] for g in opt.param_groups]]
    moms = [momenta(opt)]
    metrics = case.get("metrics")
    for k in range(case["steps"]):
        opt.step()
        if metrics is not None:
            sched.step(metrics[k])
        else:
            sched.step()
        lrs.append([g["lr"] for g in opt.param_groups])
        moms.append(momenta(opt))
    case["lr"] = lrs
    if case["scheduler"] == "OneCycleLR":
        case["momentum"] = moms
    return case


SGD2 = {"type": "sgd", "momentum": 0.9, "groups": [{"lr": 0.1}, {"lr": 0.02}]}
ADAM2 = {"type": "adam", "betas": [0.9, 0.999], "groups": [{"lr": 0.01}, {"lr": 0.003}]}

CASES = [
    {"id": "StepLR/size3_gamma0.5", "scheduler": "StepLR", "args": [3], "options": {"gamma": 0.5}, "optimizer": SGD2, "steps": 14},
    {"id": "StepLR/default_gamma", "scheduler": "StepLR", "args": [2], "options": {}, "optimizer": ADAM2, "steps": 9},
    {"id": "MultiStepLR/repeated", "scheduler": "MultiStepLR", "args": [[2, 5, 5, 9]], "options": {"gamma": 0.3}, "optimizer": SGD2, "steps": 12},
    {"id": "ExponentialLR/0.9", "scheduler": "ExponentialLR", "args": [0.9], "options": {}, "optimizer": SGD2, "steps": 30},
    {"id": "CosineAnnealingLR/tmax10_etamin", "scheduler": "CosineAnnealingLR", "args": [10], "options": {"etaMin": 0.001}, "optimizer": SGD2, "steps": 45},
    {"id": "CosineAnnealingLR/tmax7", "scheduler": "CosineAnnealingLR", "args": [7], "options": {}, "optimizer": ADAM2, "steps": 20},
    {"id": "LinearLR/default", "scheduler": "LinearLR", "args": [], "options": {}, "optimizer": SGD2, "steps": 8},
    {"id": "LinearLR/warmup", "scheduler": "LinearLR", "args": [], "options": {"startFactor": 0.1, "endFactor": 1.0, "totalIters": 8}, "optimizer": ADAM2, "steps": 12},
    {"id": "LinearLR/decay", "scheduler": "LinearLR", "args": [], "options": {"startFactor": 1.0, "endFactor": 0.2, "totalIters": 4}, "optimizer": SGD2, "steps": 7},
    {"id": "LambdaLR/shared", "scheduler": "LambdaLR", "args": ["pow095"], "options": {}, "optimizer": SGD2, "steps": 10},
    {"id": "LambdaLR/per_group", "scheduler": "LambdaLR", "args": [["warmup5", "invSqrt"]], "options": {}, "optimizer": ADAM2, "steps": 10},
    {"id": "OneCycleLR/sgd_default", "scheduler": "OneCycleLR", "args": [0.1], "options": {"totalSteps": 50}, "optimizer": SGD2, "steps": 50},
    {"id": "OneCycleLR/adam_per_group", "scheduler": "OneCycleLR", "args": [[0.01, 0.005]], "options": {"totalSteps": 40, "pctStart": 0.25, "divFactor": 10.0, "finalDivFactor": 100.0}, "optimizer": ADAM2, "steps": 40},
    {"id": "OneCycleLR/linear_epochs", "scheduler": "OneCycleLR", "args": [0.2], "options": {"epochs": 4, "stepsPerEpoch": 7, "annealStrategy": "linear", "baseMomentum": 0.8, "maxMomentum": 0.9}, "optimizer": SGD2, "steps": 28},
    {"id": "OneCycleLR/three_phase", "scheduler": "OneCycleLR", "args": [0.05], "options": {"totalSteps": 30, "threePhase": True}, "optimizer": ADAM2, "steps": 30},
    {"id": "OneCycleLR/no_momentum_cycle", "scheduler": "OneCycleLR", "args": [0.1], "options": {"totalSteps": 20, "cycleMomentum": False}, "optimizer": SGD2, "steps": 20},
    {"id": "ReduceLROnPlateau/min_rel", "scheduler": "ReduceLROnPlateau", "options": {"patience": 2, "factor": 0.5, "cooldown": 1, "minLr": [0.01, 0.004]},
     "optimizer": SGD2, "metrics": [1.0, 0.9, 0.95, 0.91, 0.9, 0.9, 0.89995, 0.8, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85]},
    {"id": "ReduceLROnPlateau/max_abs", "scheduler": "ReduceLROnPlateau", "options": {"mode": "max", "patience": 1, "threshold": 0.05, "thresholdMode": "abs", "factor": 0.2},
     "optimizer": ADAM2, "metrics": [0.5, 0.52, 0.6, 0.61, 0.64, 0.66, 0.7, 0.7, 0.69, 0.8, 0.81, 0.82]},
    {"id": "ReduceLROnPlateau/max_rel_eps", "scheduler": "ReduceLROnPlateau", "options": {"mode": "max", "patience": 0, "factor": 0.1, "eps": 1e-3},
     "optimizer": SGD2, "metrics": [1.0, 1.0, 1.0, 1.0, 2.0, 2.0]},
]


def main():
    cases = []
    for c in CASES:
        if "metrics" in c:
            c["steps"] = len(c["metrics"])
        cases.append(run(json.loads(json.dumps(c))))
    out = {
        "generator": f"PyTorch {torch.__version__} via scripts/gen-lr-schedules.py",
        "lambdas": {"pow095": "0.95 ** epoch", "warmup5": "min(1, (epoch + 1) / 5)", "invSqrt": "1 / sqrt(epoch + 1)"},
        "cases": cases,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "lr-schedules.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {os.path.normpath(path)}")


if __name__ == "__main__":
    main()
