import io
import json

import numpy as np
from compox.algorithm_utils.BaseRunner import BaseRunner


class Runner(BaseRunner):
    def load_assets(self):
        self.model = json.loads(self.fetch_asset("files/model.json").read())

    def inference(self, data, args={}):
        return [f"mean={self.model['mean']}"]

    def train(self, training_sample_ids, args={}):
        values = []
        for sample in self.get_training_dataset(training_sample_ids):
            for pair in sample["files"]:
                for item in self.fetch_data(pair["input"]):
                    values.append(float(np.asarray(item["image"]).mean()))
        self.set_state({"loss": 0.25, "samples": len(values)})
        self.set_progress(0.9)
        self.save_checkpoint({"files/model.json": io.BytesIO(json.dumps({"mean": round(sum(values) / len(values), 3)}).encode())}, {"inputs": len(values)})
