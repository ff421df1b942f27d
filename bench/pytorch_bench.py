"""Reference throughput of the bench's two nets in PyTorch CPU (run by train-throughput.ts).

Usage: python3 pytorch_bench.py '{"batch":128,"warmup":3,"steps":10,"threads":2,"nets":[...]}'
Prints one JSON object: {"torch": version, "results": [{"net", "trainSps", "inferSps"}]}.
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv_bn_relu(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU())


class Residual(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.body = nn.Sequential(conv_bn_relu(c, c), conv_bn_relu(c, c))

    def forward(self, x):
        return x + self.body(x)


class SmallCnn(nn.Module):
    def __init__(self, channels, size, classes):
        super().__init__()
        self.features = nn.Sequential(
            conv_bn_relu(channels, 16), nn.MaxPool2d(2), conv_bn_relu(16, 32), nn.MaxPool2d(2)
        )
        self.head = nn.Linear(32 * (size // 4) ** 2, classes)

    def forward(self, x):
        return self.head(self.features(x).flatten(1)) * 0.125


class ResNet9(nn.Module):
    def __init__(self, channels, classes, width):
        super().__init__()
        w = lambda c: max(1, round(c * width))
        self.features = nn.Sequential(
            conv_bn_relu(channels, w(64)),
            conv_bn_relu(w(64), w(128)),
            nn.MaxPool2d(2),
            Residual(w(128)),
            conv_bn_relu(w(128), w(256)),
            nn.MaxPool2d(2),
            conv_bn_relu(w(256), w(512)),
            nn.MaxPool2d(2),
            Residual(w(512)),
        )
        self.head = nn.Linear(w(512), classes, bias=False)

    def forward(self, x):
        return self.head(torch.amax(self.features(x), dim=(2, 3))) * 0.125


def build(net):
    if net["arch"] == "small-cnn":
        return SmallCnn(net["channels"], net["size"], net["classes"])
    return ResNet9(net["channels"], net["classes"], net["width"])


def measure(net, batch, warmup, steps):
    torch.manual_seed(0)
    model = build(net)
    x = torch.rand(batch, net["channels"], net["size"], net["size"])
    y = torch.randint(0, net["classes"], (batch,))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)

    def train_step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()

    model.train()
    for _ in range(warmup):
        train_step()
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in range(steps):
        train_step()
    train_sps = batch * steps / (time.perf_counter() - start)
    train_cpu_sps = batch * steps / (time.process_time() - cpu_start)

    model.eval()
    with torch.no_grad():
        for _ in range(warmup):
            model(x)
        start = time.perf_counter()
        for _ in range(steps):
            model(x)
        infer_sps = batch * steps / (time.perf_counter() - start)
    return {"net": net["name"], "trainSps": train_sps, "trainCpuSps": train_cpu_sps, "inferSps": infer_sps}


def main():
    cfg = json.loads(sys.argv[1])
    torch.set_num_threads(cfg["threads"])
    results = [measure(net, cfg["batch"], cfg["warmup"], cfg["steps"]) for net in cfg["nets"]]
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "results": results}))


if __name__ == "__main__":
    main()
