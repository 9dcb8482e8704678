import io
import json

import numpy as np
from compox.algorithm_utils.Image2SegmentationRunner import Image2SegmentationRunner


class Runner(Image2SegmentationRunner):
    def load_assets(self):
        self.model = json.load(self.fetch_asset("files/model.json"))

    def inference(self, data, args=None):
        return (data > self.model["mean"]).astype(np.uint8)

    def train(self, training_data, args=None):
        files = [f for s in self.get_training_dataset(training_data) for f in s.sample_manifest.files]
        means = []
        for n, pair in enumerate(files):
            means.extend(float(item["image"].mean()) for item in self.fetch_data(pair["input"], "image"))
            self.set_progress((n + 1) / len(files))
        self.set_state({"mean": float(np.mean(means))})
        self.save_checkpoint({"files/model.json": io.BytesIO(json.dumps({"mean": float(np.mean(means))}).encode())})
