"""Writes two small bioimage.io model packages that the real fixture (unet2d_nuclei_broad) does not cover.

Run with Debian's /usr/bin/python3 (numpy and python3-torch): `python3 make_models.py [out_dir]`.

- two_in_two_out (spec 0.5): inputs `raw` and `mask`, outputs `smooth` (input size, halo 2) and
  `half` (half the input's size: an output axis of scale 2), percentile normalisation of `raw`,
  `scale_mean_variance` and `scale_range` with a reference tensor in postprocessing; ONNX,
  TorchScript and state-dict weights (its network in network.py).
- valid_conv_v04 (spec 0.4 only, rdf.yaml): two valid 3×3 convolutions, so the output is the input
  less 2 pixels on each side (`shape: {reference_tensor, scale, offset: -2}`), per-sample
  percentile normalisation and a sigmoid; TorchScript and ONNX weights.

The test outputs are computed here, whole-image, with the spec's processing written in NumPy (not
with Compox Desktop's code), so the import's reproduction test checks our implementation.
"""
import hashlib
import importlib.util
import io
import os
import sys

import numpy as np
import torch

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
EPS = 1e-6


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def scale_range(t, lo_p, hi_p, ref=None):
    """scale_range over y and x of a bcyx tensor (per batch and channel), statistics of `ref` (or t)."""
    ref = t if ref is None else ref
    lo = np.percentile(ref, lo_p, axis=(2, 3), keepdims=True)
    hi = np.percentile(ref, hi_p, axis=(2, 3), keepdims=True)
    return ((t - lo) / (hi - lo + EPS)).astype(np.float32)


def scale_mean_variance(t, ref):
    """scale_mean_variance over every axis jointly (its default)."""
    return ((t - t.mean()) / (t.std() + EPS) * (ref.std() + EPS) + ref.mean()).astype(np.float32)


# The network of two_in_two_out, also shipped in the package (network.py) for its state-dict weights.
NETWORK = """import torch


class TwoInTwoOut(torch.nn.Module):
    def __init__(self, hidden=4):
        super().__init__()
        self.a = torch.nn.Conv2d(1, hidden, 3, padding=1)
        self.b = torch.nn.Conv2d(hidden, 1, 3, padding=1)
        self.c = torch.nn.Conv2d(1, 1, 3, padding=1)

    def forward(self, raw, mask):
        smooth = self.b(torch.tanh(self.a(raw * mask)))
        half = self.c(torch.nn.functional.avg_pool2d(raw, 2))
        return smooth, half
"""


class ValidConv(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Conv2d(1, 3, 3)
        self.b = torch.nn.Conv2d(3, 1, 3)

    def forward(self, x):
        return self.b(torch.relu(self.a(x)))


def save_weights(model, example, folder, names_in, names_out, dynamic):
    model.eval()
    torch.jit.trace(model, example).save(os.path.join(folder, "weights.pt"))
    buf = io.BytesIO()
    torch.onnx.export(model, example, buf, input_names=names_in, output_names=names_out, dynamic_axes=dynamic, opset_version=13)
    with open(os.path.join(folder, "weights.onnx"), "wb") as f:
        f.write(buf.getvalue())


def two_in_two_out():
    folder = os.path.join(OUT, "two_in_two_out")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "network.py"), "w") as f:
        f.write(NETWORK)
    spec = importlib.util.spec_from_file_location("network", os.path.join(folder, "network.py"))
    network = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(network)
    torch.manual_seed(1)
    model = network.TwoInTwoOut(hidden=4)
    torch.save(model.state_dict(), os.path.join(folder, "state_dict.pt"))
    rng = np.random.default_rng(7)
    raw = (rng.gamma(2.0, 40.0, size=(1, 1, 64, 48)) + np.linspace(0, 60, 48)).astype(np.float32)
    mask_in = rng.random((1, 1, 64, 48)).astype(np.float32)
    yx = {0: "b", 2: "y", 3: "x"}
    save_weights(model, (torch.zeros(1, 1, 32, 32), torch.zeros(1, 1, 32, 32)), folder, ["raw", "mask"], ["smooth", "half"],
                 {"raw": yx, "mask": yx, "smooth": yx, "half": {0: "b", 2: "hy", 3: "hx"}})
    # The spec's pipeline, whole image: preprocessing, the network, postprocessing.
    raw_p = scale_range(raw, 1, 99.5)
    mask_p = (mask_in > 0.5).astype(np.float32)
    with torch.no_grad():
        smooth, half = (r.numpy() for r in model(torch.from_numpy(raw_p), torch.from_numpy(mask_p)))
    smooth = scale_mean_variance(smooth, raw_p)
    half = scale_range(half, 5, 95, ref=raw_p)
    for name, a in [("test_raw.npy", raw), ("test_mask.npy", mask_in), ("test_smooth.npy", smooth), ("test_half.npy", half)]:
        np.save(os.path.join(folder, name), a)
    f = lambda name: f"{{source: {name}, sha256: {sha256(os.path.join(folder, name))}}}"
    flexible = "{min: 16, step: 8}"
    with open(os.path.join(folder, "bioimageio.yaml"), "w") as out:
        out.write(f"""format_version: 0.5.4
type: model
id: two-in-two-out
name: Two in, two out
version: 1.2.0
description: A small test network with two inputs and two outputs, one of them half the input's size.
authors: [{{name: Compox Desktop}}]
license: MIT
tags: [test]
cite: [{{text: Compox Desktop test models, url: "https://example.com/compox"}}]
inputs:
  - id: raw
    axes:
      - {{type: batch}}
      - {{type: channel, channel_names: [intensity]}}
      - {{type: space, id: y, size: {flexible}}}
      - {{type: space, id: x, size: {flexible}}}
    test_tensor: {f("test_raw.npy")}
    preprocessing:
      - {{id: scale_range, kwargs: {{axes: [y, x], min_percentile: 1, max_percentile: 99.5}}}}
  - id: mask
    axes:
      - {{type: batch}}
      - {{type: channel, channel_names: [weight]}}
      - {{type: space, id: y, size: {{tensor_id: raw, axis_id: y}}}}
      - {{type: space, id: x, size: {{tensor_id: raw, axis_id: x}}}}
    test_tensor: {f("test_mask.npy")}
    preprocessing:
      - {{id: binarize, kwargs: {{threshold: 0.5}}}}
outputs:
  - id: smooth
    axes:
      - {{type: batch}}
      - {{type: channel, channel_names: [smooth]}}
      - {{type: space, id: y, size: {{tensor_id: raw, axis_id: y}}, halo: 2}}
      - {{type: space, id: x, size: {{tensor_id: raw, axis_id: x}}, halo: 2}}
    test_tensor: {f("test_smooth.npy")}
    postprocessing:
      - {{id: scale_mean_variance, kwargs: {{reference_tensor: raw}}}}
  - id: half
    axes:
      - {{type: batch}}
      - {{type: channel, channel_names: [half]}}
      - {{type: space, id: y, size: {{tensor_id: raw, axis_id: y}}, scale: 2, halo: 1}}
      - {{type: space, id: x, size: {{tensor_id: raw, axis_id: x}}, scale: 2, halo: 1}}
    test_tensor: {f("test_half.npy")}
    postprocessing:
      - {{id: scale_range, kwargs: {{axes: [y, x], min_percentile: 5, max_percentile: 95, reference_tensor: raw}}}}
weights:
  onnx: {{source: weights.onnx, sha256: {sha256(os.path.join(folder, "weights.onnx"))}, opset_version: 13}}
  torchscript: {{source: weights.pt, sha256: {sha256(os.path.join(folder, "weights.pt"))}, pytorch_version: "{torch.__version__.split('+')[0]}"}}
  pytorch_state_dict:
    source: state_dict.pt
    sha256: {sha256(os.path.join(folder, "state_dict.pt"))}
    pytorch_version: "{torch.__version__.split('+')[0]}"
    architecture: {{source: network.py, sha256: {sha256(os.path.join(folder, "network.py"))}, callable: TwoInTwoOut, kwargs: {{hidden: 4}}}}
""")


def valid_conv_v04():
    folder = os.path.join(OUT, "valid_conv_v04")
    os.makedirs(folder, exist_ok=True)
    torch.manual_seed(2)
    model = ValidConv()
    rng = np.random.default_rng(11)
    image = rng.normal(100, 20, size=(1, 1, 48, 64)).astype(np.float32)
    yx = {0: "b", 2: "y", 3: "x"}
    save_weights(model, torch.zeros(1, 1, 32, 32), folder, ["input"], ["output"], {"input": yx, "output": {0: "b", 2: "oy", 3: "ox"}})
    with torch.no_grad():
        out = model(torch.from_numpy(scale_range(image, 2, 98))).numpy()
    out = (1 / (1 + np.exp(-out))).astype(np.float32)
    np.save(os.path.join(folder, "test_input.npy"), image)
    np.save(os.path.join(folder, "test_output.npy"), out)
    with open(os.path.join(folder, "rdf.yaml"), "w") as f:
        f.write(f"""format_version: 0.4.10
type: model
name: Valid conv (0.4)
version: 0.3.1
description: Two valid 3x3 convolutions; the output is the input less 2 pixels on each side.
authors: [{{name: Compox Desktop}}]
license: CC0-1.0
tags: [test]
cite: [{{text: Compox Desktop test models, url: "https://example.com/compox"}}]
timestamp: 2026-12-07T00:00:00
test_inputs: [test_input.npy]
test_outputs: [test_output.npy]
inputs:
  - name: input
    axes: bcyx
    data_type: float32
    shape: {{min: [1, 1, 32, 32], step: [0, 0, 16, 16]}}
    preprocessing:
      - name: scale_range
        kwargs: {{mode: per_sample, axes: yx, min_percentile: 2, max_percentile: 98}}
outputs:
  - name: output
    axes: bcyx
    data_type: float32
    shape: {{reference_tensor: input, scale: [1, 1, 1, 1], offset: [0, 0, -2, -2]}}
    postprocessing:
      - name: sigmoid
weights:
  torchscript: {{source: weights.pt, sha256: {sha256(os.path.join(folder, "weights.pt"))}}}
  onnx: {{source: weights.onnx, sha256: {sha256(os.path.join(folder, "weights.onnx"))}, opset_version: 13}}
""")


two_in_two_out()
valid_conv_v04()
