#!/usr/bin/env python3
"""Replays `digits export-plan` directories with torch.nn and torch.optim and compares the
weights after each epoch with those digits wrote (Scripts/check-against-pytorch runs it).

    check_against_pytorch.py DIR... --tolerance T [--mistakes] [--json FILE]

Each DIR holds plan.json, initial.safetensors, train-images.u8, train-labels.u8 and
epoch-N.safetensors. The replay starts from digits' initial weights and takes, step by step,
the samples plan.json lists (every shard's micro-batch in shard order), in float32:
Linear+ReLU layers, inputs x·Float32(1/255), F.cross_entropy(reduction='sum'), the gradient
multiplied by Float32(1/count) as digits does, then torch.optim's SGD, SGD(momentum,
dampening=0) or Adam(betas, eps) with the plan's learning rate of that step.

After each epoch it prints, per optimiser, the relative difference
    max over tensors of max|torch − digits| / max|digits|
and, as the scale of float32 rounding alone, the same between the float32 replay and one in
float64 (identical arithmetic, other rounding). Passes when every epoch's difference to digits
is at most --tolerance. With --mistakes it also replays each plan with a deliberate mistake
(MISTAKES below) and requires every one of them to exceed the tolerance after every epoch, so
that the check is seen to fail when it should.
"""
import argparse
import copy
import json
import struct
import sys

import torch
import torch.nn.functional as F


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    body = data[8 + length :]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise SystemExit(f"{path}: tensor {name} is {info['dtype']}, expected F32")
        start, end = info["data_offsets"]
        tensors[name] = torch.frombuffer(bytearray(body[start:end]), dtype=torch.float32).reshape(info["shape"])
    return tensors


def read_bytes(path):
    with open(path, "rb") as f:
        return torch.frombuffer(bytearray(f.read()), dtype=torch.uint8)


def network(plan, initial, dtype):
    sizes = plan["layers"]
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1], dtype=dtype))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    with torch.no_grad():
        for l, linear in enumerate(m for m in model if isinstance(m, torch.nn.Linear)):
            linear.weight.copy_(initial[f"layers.{l}.weight"])
            linear.bias.copy_(initial[f"layers.{l}.bias"])
    return model


def optimizer(plan, parameters):
    o = plan["optimizer"]
    if o["kind"] == "sgd":
        return torch.optim.SGD(parameters, lr=o["learning_rate"])
    if o["kind"] == "momentum":
        return torch.optim.SGD(parameters, lr=o["learning_rate"], momentum=o["momentum"], dampening=0, nesterov=False)
    if o["kind"] == "adam":
        return torch.optim.Adam(parameters, lr=o["learning_rate"], betas=(o["beta1"], o["beta2"]), eps=o["epsilon"])
    raise SystemExit(f"unknown optimizer {o['kind']}")


def replay(directory, plan, dtype):
    """The weights after each epoch (a list of {name: tensor}), trained by torch in `dtype`."""
    initial = read_safetensors(f"{directory}/{plan['files']['initial_weights']}")
    model = network(plan, initial, dtype)
    opt = optimizer(plan, model.parameters())
    features = plan["image_height"] * plan["image_width"]
    pixels = read_bytes(f"{directory}/{plan['files']['images']}").reshape(-1, features)
    scale = torch.tensor(plan["input_scale"], dtype=torch.float32)
    inputs = (pixels.to(torch.float32) * scale).to(dtype)
    labels = read_bytes(f"{directory}/{plan['files']['labels']}").to(torch.int64)
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    epochs = []
    for t, micro_batches in enumerate(plan["steps"]):
        rows = torch.tensor([i for batch in micro_batches for i in batch], dtype=torch.int64)
        for group in opt.param_groups:
            group["lr"] = plan["learning_rates"][t]
        opt.zero_grad()
        F.cross_entropy(model(inputs[rows]), labels[rows], reduction="sum").backward()
        mean = torch.tensor(1.0 / len(rows), dtype=torch.float32).to(dtype)
        for p in model.parameters():
            p.grad.mul_(mean)
        opt.step()
        if (t + 1) % plan["steps_per_epoch"] == 0:
            epochs.append({name: tensor.detach().to(torch.float32).clone()
                           for l, linear in enumerate(linears)
                           for name, tensor in ((f"layers.{l}.weight", linear.weight), (f"layers.{l}.bias", linear.bias))})
    return epochs


def relative_difference(a, b):
    """max over tensors of max|a − b| / max|b|."""
    worst = 0.0
    for name, reference in b.items():
        scale = reference.abs().max().item()
        worst = max(worst, (a[name] - reference).abs().max().item() / (scale if scale > 0 else 1.0))
    return worst


def shift_learning_rates(plan):
    plan["learning_rates"] = plan["learning_rates"][1:] + [0.0]


def full_batch_mean(plan):
    """A partial last step divided by the full batch instead of its own samples."""
    n, batch = plan["steps_per_epoch"], plan["settings"]["batch"]
    for t in range(n - 1, len(plan["steps"]), n):
        plan["learning_rates"][t] *= sum(len(b) for b in plan["steps"][t]) / batch


def swap_two_samples(plan):
    steps = plan["steps"]
    steps[0][0][0], steps[1][0][0] = steps[1][0][0], steps[0][0][0]


def set_optimizer(key, value):
    def mutate(plan):
        plan["optimizer"][key] = value
    return mutate


# (name, the optimisers it applies to, how it changes the plan)
MISTAKES = [
    ("learning-rate schedule one step ahead", ("sgd", "momentum", "adam"), shift_learning_rates),
    ("partial last step divided by the full batch", ("sgd", "momentum", "adam"), full_batch_mean),
    ("two samples of steps 1 and 2 swapped", ("sgd", "momentum", "adam"), swap_two_samples),
    ("momentum 0.89", ("momentum",), set_optimizer("momentum", 0.89)),
    ("Adam epsilon 1e-6", ("adam",), set_optimizer("epsilon", 1e-6)),
    ("Adam beta2 0.99", ("adam",), set_optimizer("beta2", 0.99)),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directories", nargs="+", help="digits export-plan --out directories")
    parser.add_argument("--tolerance", type=float, required=True, help="largest relative difference allowed after any epoch")
    parser.add_argument("--mistakes", action="store_true", help="also require deliberate mistakes to exceed the tolerance")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)

    results, mistakes = [], []
    for directory in args.directories:
        with open(f"{directory}/plan.json") as f:
            plan = json.load(f)
        digits = [read_safetensors(f"{directory}/{name}") for name in plan["files"]["epochs"]]
        single, double = replay(directory, plan, torch.float32), replay(directory, plan, torch.float64)
        s = plan["settings"]
        for epoch, (d, t32, t64) in enumerate(zip(digits, single, double), start=1):
            results.append({
                "optimizer": plan["optimizer"]["kind"], "learning_rate": s["learningRate"], "schedule": s["schedule"],
                "epoch": epoch, "digits_vs_torch": relative_difference(t32, d),
                "torch_float32_vs_float64": relative_difference(t32, t64), "digits_vs_torch_float64": relative_difference(t64, d),
            })
        for name, kinds, mutate in MISTAKES if args.mistakes else []:
            if plan["optimizer"]["kind"] not in kinds:
                continue
            wrong = copy.deepcopy(plan)
            mutate(wrong)
            differences = [relative_difference(t, d) for t, d in zip(replay(directory, wrong, torch.float32), digits)]
            mistakes.append({"optimizer": plan["optimizer"]["kind"], "mistake": name, "smallest": min(differences)})

    print(f"{'optimiser':<10} {'lr':>7} {'epoch':>5}  {'digits vs torch f32':>19}  {'torch f32 vs f64':>16}  {'digits vs torch f64':>19}")
    for r in results:
        print(f"{r['optimizer']:<10} {r['learning_rate']:>7g} {r['epoch']:>5}  {r['digits_vs_torch']:>19.2e}  "
              f"{r['torch_float32_vs_float64']:>16.2e}  {r['digits_vs_torch_float64']:>19.2e}")
    if mistakes:
        print(f"\nthe same replay with a deliberate mistake (smallest difference over the epochs; each must exceed {args.tolerance:g}):")
        for m in mistakes:
            print(f"{m['optimizer']:<10} {m['mistake']:<45} {m['smallest']:.2e}")
    worst = max(r["digits_vs_torch"] for r in results)
    missed = [m for m in mistakes if not m["smallest"] > args.tolerance]
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"tolerance": args.tolerance, "worst": worst, "rows": results, "mistakes": mistakes}, f, indent=2)
    if worst > args.tolerance:
        print(f"FAILED: digits and PyTorch differ by {worst:.2e} (relative), more than the tolerance {args.tolerance:g}")
        return 1
    if missed:
        print(f"FAILED: the tolerance {args.tolerance:g} does not tell these mistakes from digits: "
              + ", ".join(f"{m['optimizer']}: {m['mistake']}" for m in missed))
        return 1
    print(f"passed: digits and PyTorch agree within {worst:.2e} (relative; tolerance {args.tolerance:g})"
          + (f"; all {len(mistakes)} deliberate mistakes exceed it" if mistakes else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
