import io
import json
import time

import numpy as np
from compox.algorithm_utils.Image2SegmentationRunner import Image2SegmentationRunner
from compox.algorithm_utils.io_schemas import SegmentationSchema


class Runner(Image2SegmentationRunner):
    def load_assets(self):
        self.model = json.load(self.fetch_asset("files/model.json"))

    def inference(self, data, args=None):
        level = self.model["threshold"] * args.get("scale", 1.0)
        self.log_message(f"threshold {level}")
        return (data > level).astype(np.uint8)

    def train(self, training_data, args=None):
        dataset = self.get_training_dataset(training_data)
        inside, outside = [], []
        for sample in dataset:
            for pair in sample.sample_manifest.files:
                images = self.fetch_data(pair["input"], "image")
                # The typed fetch_data reads the type's input schema; masks go through the handler, as in Compox.
                masks = self.task_handler.fetch_data(pair["target"], SegmentationSchema, "mask")
                for image, mask in zip(images, masks):
                    inside.append(float(image["image"][mask["mask"] > 0].mean()))
                    outside.append(float(image["image"][mask["mask"] == 0].mean()))
        threshold = (np.mean(inside) + np.mean(outside)) / 2 + args.get("margin", 0.0)
        self.set_state({"threshold": threshold, "samples": len(dataset)})
        self.set_progress(1.0)
        self.save_checkpoint({"files/model.json": io.BytesIO(json.dumps({"threshold": threshold}).encode())}, {"threshold": threshold})

    def benchmark(self, args=None):
        stack = np.random.default_rng(0).integers(0, 255, size=(4, 64, 64)).astype(np.uint8)
        start = time.perf_counter()
        self.inference(stack, {"scale": 1.0})
        return {"inference_time": time.perf_counter() - start, "images": int(stack.shape[0])}

