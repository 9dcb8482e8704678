"""Trains the bundled onnx_denoiser's small convolutional network and exports it to ONNX.

    /usr/bin/python3 scripts/train_onnx_denoiser.py     (Debian: python3-torch, python3-h5py)

A residual CNN (DnCNN-style, 5 layers, 16 channels) learns to remove Gaussian noise (sigma 0.1)
from synthetic images of smooth shapes in [0, 1]. It writes:
  algorithms/onnx_denoiser/files/model.onnx            the model (dynamic height and width)
  algorithms/tests/__fixtures__/onnx-reference.h5      a held-out noisy image, PyTorch's output
                                                       and the clean image, for the tests
and prints the PSNR gain on the held-out image (recorded in the algorithm's README).
"""
import math
import os
import time

import h5py
import numpy as np
import torch
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIGMA = 0.1
torch.manual_seed(0)
rng = np.random.default_rng(0)


def synthetic(h, w, rng):
    """Smooth shapes (ellipses, ramps, bars) in [0, 1]."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.full((h, w), rng.uniform(0.1, 0.4), np.float32)
    img += rng.uniform(-0.2, 0.2) * (x / w) + rng.uniform(-0.2, 0.2) * (y / h)
    for _ in range(rng.integers(3, 8)):
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        rx, ry = rng.uniform(4, w / 3), rng.uniform(4, h / 3)
        img[((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 < 1] = rng.uniform(0.2, 0.9)
    for _ in range(rng.integers(0, 3)):
        x0 = rng.integers(0, w - 4)
        img[:, x0:x0 + rng.integers(2, 6)] += rng.uniform(-0.2, 0.2)
    return np.clip(img, 0, 1)


class Denoiser(nn.Module):
    def __init__(self, channels=16, layers=5):
        super().__init__()
        body = [nn.Conv2d(1, channels, 3, padding=1), nn.ReLU()]
        for _ in range(layers - 2):
            body += [nn.Conv2d(channels, channels, 3, padding=1), nn.ReLU()]
        body += [nn.Conv2d(channels, 1, 3, padding=1)]
        self.body = nn.Sequential(*body)

    def forward(self, x):
        return x - self.body(x)  # predicts the noise


def psnr(a, b):
    return 10 * math.log10(1.0 / float(np.mean((a - b) ** 2)))


def main():
    torch.set_num_threads(2)
    model = Denoiser()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    start = time.time()
    for step in range(1500):
        clean = np.stack([synthetic(48, 48, rng) for _ in range(16)])[:, None]
        noisy = clean + rng.normal(0, SIGMA, clean.shape).astype(np.float32)
        loss = nn.functional.mse_loss(model(torch.from_numpy(noisy)), torch.from_numpy(clean))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step == 1000:
            for g in opt.param_groups:
                g["lr"] = 5e-4
        if step % 250 == 0:
            print(f"step {step} loss {loss.item():.5f} ({time.time() - start:.0f} s)")
    model.eval()

    held_rng = np.random.default_rng(12345)
    clean = synthetic(200, 300, held_rng)
    noisy = (clean + held_rng.normal(0, SIGMA, clean.shape)).astype(np.float32)
    with torch.no_grad():
        out = model(torch.from_numpy(noisy)[None, None])[0, 0].numpy()
    before, after = psnr(noisy, clean), psnr(out, clean)
    print(f"held-out PSNR: noisy {before:.2f} dB, denoised {after:.2f} dB, gain {after - before:.2f} dB")

    onnx_path = os.path.join(ROOT, "algorithms", "onnx_denoiser", "files", "model.onnx")
    torch.onnx.export(model, torch.zeros(1, 1, 64, 64), onnx_path, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {2: "height", 3: "width"}, "output": {2: "height", 3: "width"}}, opset_version=13)
    with h5py.File(os.path.join(ROOT, "algorithms", "tests", "__fixtures__", "onnx-reference.h5"), "w") as f:
        f.create_dataset("noisy", data=noisy)
        f.create_dataset("clean", data=clean.astype(np.float32))
        f.create_dataset("torch_output", data=out.astype(np.float32))
        f.create_dataset("psnr", data=np.array([before, after], np.float64))
    print(f"wrote {onnx_path} ({os.path.getsize(onnx_path)} bytes)")


if __name__ == "__main__":
    main()
