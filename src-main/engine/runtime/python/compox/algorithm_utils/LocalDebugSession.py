"""Runs a Runner on local data without a server, as Compox's LocalDebugSession does: datasets
live in memory, assets are read from the algorithm folder, logs are printed."""
import glob
import importlib
import io
import os
import sys
import time
import uuid

import numpy as np

from . import _context
from ._hdf5_io import read_item, write_item
from .BaseRunner import create

IMAGE_EXTENSIONS = (".tif", ".tiff", ".png", ".jpg", ".jpeg")


class _MemoryContext:
    """The engine's side of a runner, in memory."""

    def __init__(self, session):
        self.session = session
        self.device = session.device

    def job_id(self):
        return self.session.task_id

    def session_token(self):
        return None

    def assets(self):
        root = self.session.algo_dir
        out = {}
        for path in glob.glob(os.path.join(root, "**", "*"), recursive=True):
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            if os.path.isfile(path) and "__pycache__" not in rel and not rel.endswith(".py"):
                out[rel] = path
        return out

    def fetch_asset(self, path):
        root = os.path.abspath(self.session.algo_dir)
        target = os.path.abspath(os.path.join(root, path))
        if not target.startswith(root + os.sep):
            raise ValueError(f'fetch_asset("{path}"): asset paths are relative to the algorithm folder and may not leave it')
        with open(target, "rb") as f:
            return f.read()

    def read_dataset(self, dataset_id, keys=None):
        raw = self.session.datasets.get(dataset_id)
        if raw is None:
            raise KeyError(f"no dataset {dataset_id} in this debug session")
        return read_item(io.BytesIO(raw), keys)

    def write_dataset(self, item):
        dataset_id = self.session.put(item)
        self.session.output_dataset_ids.append(dataset_id)
        return dataset_id

    def log(self, message, level):
        line = f"{time.strftime('%Y-%m-%d %H:%M:%S')} {level} {message}"
        self.session.log.append(line)
        if level != "DEBUG" and self.session.verbose:
            print(line)

    def progress(self, value):
        self.session.progress = value

    def stop_requested(self):
        return False

    def session_save(self, key, value):
        self.session.items[key] = value

    def session_load(self, key):
        if key not in self.session.items:
            raise KeyError(f'no item "{key}" in this session')
        return self.session.items[key]

    def session_remove(self, key):
        del self.session.items[key]

    def set_state(self, value):
        pass

    def get_state(self):
        return {}

    def _no_training(self, *_args, **_kwargs):
        raise NotImplementedError("LocalDebugSession runs executions; deploy the algorithm to train it")

    training_dataset = temp_save = temp_load = save_checkpoint = _no_training


class LocalDebugSession:
    """An in-memory place to run one algorithm folder: load data, run, read the outputs."""

    def __init__(self, task_id="local-debug", device="cpu", tmp_bucket="data-store", verbose=True):
        self.task_id = task_id
        self.device = device
        self.verbose = verbose
        self.algo_dir = "."
        self.datasets = {}
        self.items = {}
        self.log = []
        self.progress = 0.0
        self.output_dataset_ids = []
        self._runners = {}
        _context.install(_MemoryContext(self))

    # --- data in ---
    def put(self, item):
        """Stores one dataset item (a dict of arrays, e.g. {"image": array}); returns its id."""
        bio = io.BytesIO()
        write_item(bio, item)
        dataset_id = str(uuid.uuid4())
        self.datasets[dataset_id] = bio.getvalue()
        return dataset_id

    def load_arrays(self, arrays, key="image"):
        """Stores arrays as datasets under `key`; returns their ids."""
        return [self.put({key: np.asarray(a)}) for a in arrays]

    def load_data(self, source):
        """Stores images from a folder, TIFF (one dataset per page), PNG/JPEG, .npy or HDF5 file; returns the ids."""
        if os.path.isdir(source):
            paths = [p for p in sorted(glob.glob(os.path.join(source, "*"))) if p.lower().endswith(IMAGE_EXTENSIONS)]
            if not paths:
                raise ValueError(f"No supported image slices found in folder '{source}'. Supported extensions: {IMAGE_EXTENSIONS}")
            return [i for p in paths for i in self.load_arrays(_image_pages(p))]
        ext = os.path.splitext(source)[1].lower()
        if ext in IMAGE_EXTENSIONS:
            return self.load_arrays(_image_pages(source))
        if ext == ".npy":
            arr = np.load(source)
            if arr.ndim not in (2, 3):
                raise ValueError(f"Unsupported numpy array ndim={arr.ndim} in '{source}'. Expected 2D (H, W) or 3D (Z, H, W).")
            return self.load_arrays(arr if arr.ndim == 3 else [arr])
        if ext in (".h5", ".hdf5"):
            import h5py

            with h5py.File(source, "r") as f:
                found = []
                f.visititems(lambda name, obj: found.append(obj[()]) if isinstance(obj, h5py.Dataset) and obj.ndim in (2, 3) and not found else None)
                if not found:
                    raise KeyError(f"No suitable 2D/3D dataset found anywhere in '{source}'. Available top-level groups: {list(f.keys())}")
            arr = found[0]
            return self.load_arrays(arr if arr.ndim == 3 else [arr])
        raise ValueError(f"Unsupported file type: {ext}")

    # --- run ---
    def _runner(self, algo_dir):
        algo_dir = os.path.abspath(algo_dir)
        if algo_dir not in self._runners:
            if algo_dir not in sys.path:
                sys.path.insert(0, algo_dir)
            sys.modules.pop("Runner", None)
            module = importlib.import_module("Runner")
            self.algo_dir = algo_dir
            self._runners[algo_dir] = create(module.Runner, self.device)[0]
        self.algo_dir = algo_dir
        return self._runners[algo_dir]

    def run(self, algo_dir, inputs, args=None):
        """Runs the folder's Runner on {"input_dataset_ids": [...]}; returns what run() returns (None, as in Compox)."""
        runner = self._runner(algo_dir)
        handler = _context.new_job_handler()
        runner.initialize()
        self.output_dataset_ids = []
        returned = runner.run(inputs, args or {})
        if isinstance(returned, (list, tuple)):
            self.output_dataset_ids = [str(i) for i in returned]
        elif handler.output_dataset_ids is not None:
            self.output_dataset_ids = list(handler.output_dataset_ids)
        return returned

    def benchmark(self, algo_dir, args=None):
        """Runs the Runner's benchmark(args); returns its dict."""
        runner = self._runner(algo_dir)
        _context.new_job_handler()
        runner.initialize()
        return runner.run_benchmark(args or {})

    # --- data out ---
    def fetch(self, dataset_id, *keys):
        """One stored dataset as a dict of arrays."""
        return _context.current().read_dataset(dataset_id, list(keys) or None)

    def outputs(self):
        """The last run's outputs, each a dict of arrays."""
        return [self.fetch(i) for i in self.output_dataset_ids]


def _image_pages(path):
    """The pages of an image file as arrays (a multi-page TIFF gives several)."""
    from PIL import Image, ImageSequence

    with Image.open(path) as im:
        return [np.asarray(frame) for frame in ImageSequence.Iterator(im)]
