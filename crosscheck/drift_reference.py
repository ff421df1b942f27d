"""Reference drift transforms from torchvision, for Permanence's drift tests.

Reads one JSON request on stdin: {"images": [[...]], "shape": [H, W, C], "cases":
[{"op": "rotate", "angle": 4, "interpolation": "nearest"} | {"op": "hue", "amount": 0.02}
| {"op": "brightness", "factor": 1.1} | {"op": "saturation", "factor": 0.5}]}; images are
flattened HWC float32 in [0, 1]. Writes {"results": [[image, ...] per case]} as JSON.
"""
import json
import sys

import torch
import torchvision.transforms.functional as F
from torchvision.transforms import InterpolationMode


def apply(case, img):
    op = case["op"]
    if op == "rotate":
        mode = {"nearest": InterpolationMode.NEAREST, "bilinear": InterpolationMode.BILINEAR}
        return F.rotate(img, case["angle"], interpolation=mode[case["interpolation"]])
    if op == "hue":
        return F.adjust_hue(img, case["amount"])
    if op == "brightness":
        return F.adjust_brightness(img, case["factor"])
    if op == "saturation":
        return F.adjust_saturation(img, case["factor"])
    raise ValueError(f"unknown op {op}")


def main():
    request = json.load(sys.stdin)
    h, w, c = request["shape"]
    batch = torch.tensor(request["images"], dtype=torch.float32).reshape(-1, h, w, c)
    chw = batch.permute(0, 3, 1, 2).contiguous()
    results = []
    for case in request["cases"]:
        out = torch.stack([apply(case, img) for img in chw])
        results.append(out.permute(0, 2, 3, 1).reshape(out.shape[0], -1).tolist())
    json.dump({"torch": torch.__version__, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
