"""The Python shim's Compox 3.2 surface, without a server: schemas, HDF5 layout, attribute rules,
and compox.algorithm_debug. Run by python-shim.test.ts (or: python3 -m unittest discover -s tests)."""
import io
import os
import sys
import tempfile
import unittest

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from compox.algorithm_utils import io_schemas as s  # noqa: E402
from compox.algorithm_utils._hdf5_io import read_item, write_item  # noqa: E402
from compox.algorithm_utils.BaseRunner import BaseRunner  # noqa: E402
from compox.algorithm_utils.LocalDebugSession import LocalDebugSession  # noqa: E402


class Schemas(unittest.TestCase):
    def test_pydantic_surface(self):
        item = s.ImageSchema(image=np.zeros((4, 5), np.uint8))
        self.assertIsNone(item.mask)
        self.assertEqual(item.model_dump().keys(), {"image", "mask", "points"})
        self.assertTrue(s.ImageSchema.model_fields["image"].is_required())
        self.assertFalse(s.ImageSchema.model_fields["mask"].is_required())
        again = s.ImageSchema.model_validate(item)
        self.assertIs(again.image, item.image)
        self.assertEqual(s.AlignmentSchema().points1, [])

    def test_compox_messages(self):
        with self.assertRaises(s.ValidationError) as e:
            s.ImageSchema(image=np.zeros((2, 2, 2, 2), np.uint8))
        self.assertIn("Image must be 2D (got 4 dimensions), grayscale or RGB (got 2 channels).", str(e.exception))
        self.assertIsInstance(e.exception, ValueError)
        self.assertEqual(e.exception.errors()[0]["loc"], ("image",))
        with self.assertRaises(s.ValidationError) as e:
            s.ImageSchema(image=np.zeros((2, 2), np.int32))
        self.assertIn("Image must be uint8, uint16, float64, float32 or float16 (got int32).", str(e.exception))
        with self.assertRaises(s.ValidationError) as e:
            s.VolumeSchema(volume=np.zeros((2, 2)))
        self.assertIn("Volume must be a 3 dimensional array.", str(e.exception))
        with self.assertRaises(s.ValidationError) as e:
            s.MeshSchema(vertices=np.zeros((3, 3), np.float32), faces=np.zeros((1, 3), np.int64))
        self.assertIn("Mesh vertices must be Nx3 numpy array of floats", str(e.exception))
        with self.assertRaises(s.ValidationError) as e:
            s.SegmentationSchema()
        self.assertIn("Field required", str(e.exception))

    def test_multi_region_rules(self):
        ok = s.MultiRegionSegmentationSchema(region_names=["a", "b"], region_masks=[np.zeros((2, 3), bool), np.ones((2, 3), bool)])
        self.assertEqual(ok.region_names, ["a", "b"])
        cases = [
            ({"region_names": ["a"], "region_masks": []}, "must match number of region masks"),
            ({"region_names": ["a"], "region_masks": [[[0, 1]]]}, "Region mask at index 0 must be a numpy array."),
            ({"region_names": ["a"], "region_masks": [np.zeros((2, 2, 2))]}, "Region mask at index 0 must be a 2D numpy array"),
            ({"region_names": ["a", "b"], "region_masks": [np.zeros((2, 2)), np.zeros((3, 3))]}, "All region masks for one output item must have the same shape."),
        ]
        for data, message in cases:
            with self.assertRaises(s.ValidationError) as e:
                s.MultiRegionSegmentationSchema(**data)
            self.assertIn(message, str(e.exception))
        # Read back from HDF5 the masks are one R×H×W array: a list of 2-D masks, as pydantic reads it.
        back = s.MultiRegionSegmentationSchema.model_validate({"region_names": ["a", "b"], "region_masks": np.zeros((2, 4, 4), bool)})
        self.assertEqual(len(back.region_masks), 2)

    def test_annotated_custom_schema(self):
        from typing import List, Optional

        class Custom(s.DataSchema):
            data: np.ndarray
            label: str
            weights: Optional[List[float]] = None

        c = Custom.validate({"data": np.zeros(2), "label": b"x", "weights": np.array([1, 2])})
        self.assertEqual(c["label"], "x")
        self.assertEqual(c["weights"], [1.0, 2.0])
        with self.assertRaises(s.ValidationError):
            Custom.validate({"data": [1, 2], "label": "x"})  # not an ndarray, as pydantic says


class Hdf5Layout(unittest.TestCase):
    def test_strings_and_none(self):
        f = io.BytesIO()
        write_item(f, {"names": ["a", "é"], "one": "text", "empty": [], "skip": None, "mask": np.ones((2, 2), bool)})
        back = read_item(io.BytesIO(f.getvalue()))
        self.assertEqual(back["names"], ["a", "é"])
        self.assertEqual(back["one"], "text")
        self.assertEqual(back["empty"], [])
        self.assertNotIn("skip", back)
        self.assertEqual(back["mask"].dtype, bool)
        self.assertIsNone(read_item(io.BytesIO(f.getvalue()), ["missing"])["missing"])


class AttributeRules(unittest.TestCase):
    def make(self):
        class Runner(BaseRunner):
            def __init__(self):
                self.scratch = []
                self.model = "from __init__"

            def load_assets(self):
                self.model = {"weights": 1}

        session = LocalDebugSession(verbose=False)
        runner = Runner.__new__(Runner)
        runner.initialize("cpu")
        locked = runner._load_assets()
        return session, runner, locked

    def test_locked_and_context(self):
        _, runner, locked = self.make()
        self.assertEqual(locked, ["model"])
        runner.initialize()  # before each execution: __init__ re-runs, its write to a locked name is ignored
        self.assertEqual(runner.model, {"weights": 1})
        runner.scratch.append(1)
        self.assertEqual(runner.runner_context["scratch"], [1])
        with self.assertRaises(AttributeError) as e:
            runner.model = {}
        self.assertIn("Attribute 'model' is locked and cannot be modified.", str(e.exception))
        runner.initialize()
        self.assertEqual(runner.scratch, [], "per-execution attributes are reset")
        self.assertEqual(runner.device, "cpu")


class AlgorithmDebug(unittest.TestCase):
    def test_load_data_forms(self):
        session = LocalDebugSession(verbose=False)
        with tempfile.TemporaryDirectory() as d:
            np.save(os.path.join(d, "v.npy"), np.zeros((3, 4, 5), np.uint8))
            self.assertEqual(len(session.load_data(os.path.join(d, "v.npy"))), 3)
            with self.assertRaises(ValueError):
                session.load_data(os.path.join(d, "x.gif"))


if __name__ == "__main__":
    unittest.main()
