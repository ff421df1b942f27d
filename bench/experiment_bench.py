"""One protocol seed in PyTorch CPU, on the data Permanence used (run by experiment-time.ts).

Usage: python3 experiment_bench.py <dir> where <dir> holds meta.json and the raw arrays the
TypeScript side wrote (NHWC float32 images, int32 labels): D0 with its poison, the update
sets D_1..D_k (drifted pool) and the clean and triggered test sets of every drift step.
Trains F0 and the k updates exactly as the simulator's protocol does (SGD with momentum 0.9
and coupled weight decay 5e-4, fresh momentum per call, STLR or constant lr per step,
BatchNorm momentum 0.1) and evaluates clean accuracy and attack success rate after every
model, and F0 on every drift step (the static baseline). The timed part excludes loading.
Prints one JSON object: {"torch", "threads", "seconds", "cpuSeconds", "models": [{"acc", "asr"}],
"static"}.
"""
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from pytorch_bench import SmallCnn


def load(folder, name, meta):
    entry = meta["arrays"][name]
    dtype = np.float32 if entry["dtype"] == "float32" else np.int32
    data = np.fromfile(os.path.join(folder, name), dtype=dtype)
    if dtype == np.float32:
        h, w, c = meta["shape"]
        return torch.from_numpy(data.reshape(-1, h, w, c).transpose(0, 3, 1, 2).copy())
    return torch.from_numpy(data.astype(np.int64))


def stlr(max_lr, cut, step, total):
    """sim/train/schedules.ts stlr: linear rise over the first cut share, then linear fall."""
    if total <= 1:
        return max_lr
    peak = max(1, int(cut * total))
    t = step + 1
    if t <= peak:
        return max_lr * t / peak
    return max_lr * (total - t) / max(1, total - peak)


def lr_at(schedule, step, total):
    if schedule["kind"] == "constant":
        return schedule["lr"]
    return stlr(schedule["maxLr"], schedule["cut"], step, total)


def train(model, x, y, training, seed):
    epochs, batch, schedule = training["epochs"], training["batchSize"], training["schedule"]
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    generator = torch.Generator().manual_seed(seed)
    steps_per_epoch = (len(y) + batch - 1) // batch
    total = steps_per_epoch * epochs
    step = 0
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(y), generator=generator)
        for start in range(0, len(y), batch):
            idx = order[start : start + batch]
            for group in opt.param_groups:
                group["lr"] = lr_at(schedule, step, total)
            opt.zero_grad()
            F.cross_entropy(model(x[idx]), y[idx]).backward()
            opt.step()
            step += 1


def accuracy(model, x, y, batch=500):
    model.eval()
    hits = 0
    with torch.no_grad():
        for start in range(0, len(y), batch):
            hits += (model(x[start : start + batch]).argmax(1) == y[start : start + batch]).sum().item()
    return hits / len(y)


def main():
    folder = sys.argv[1]
    with open(os.path.join(folder, "meta.json")) as f:
        meta = json.load(f)
    torch.set_num_threads(meta["threads"])
    torch.manual_seed(meta["seed"])
    a = lambda name: load(folder, name, meta)
    d0 = (a("d0.images"), a("d0.labels"))
    updates = [(a(f"update{i}.images"), a(f"update{i}.labels")) for i in range(1, meta["updates"] + 1)]
    tests = [
        (a(f"test{i}.clean.images"), a(f"test{i}.clean.labels"), a(f"test{i}.triggered.images"),
         a(f"test{i}.triggered.labels"))
        for i in range(0, meta["updates"] + 1)
    ]
    h, w, c = meta["shape"]
    model = SmallCnn(c, h, meta["classes"])

    started, cpu_started = time.perf_counter(), time.process_time()
    models, static = [], []
    for index in range(0, meta["updates"] + 1):
        x, y = d0 if index == 0 else updates[index - 1]
        train(model, x, y, meta["f0"] if index == 0 else meta["update"], meta["seed"] * 1000 + index)
        cx, cy, tx, ty = tests[index]
        models.append({"acc": accuracy(model, cx, cy), "asr": accuracy(model, tx, ty)})
        if index == 0 and meta["staticBaseline"]:
            for cx, cy, tx, ty in tests:
                static.append({"acc": accuracy(model, cx, cy), "asr": accuracy(model, tx, ty)})
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "seconds": seconds, "cpuSeconds": cpu_seconds,
                      "models": models, "static": static}))


main()
