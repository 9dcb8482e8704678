import io
import json
import time

import numpy as np
from compox.algorithm_utils.Image2ImageRunner import Image2ImageRunner


class Runner(Image2ImageRunner):
    def inference(self, data, args=None):
        self.log_message("This is Foo!")
        out = []
        for i, image in enumerate(data):
            time.sleep(0.05)
            out.append(255 - image)
            self.set_progress((i + 1) / len(data))
        return np.stack(out)

    def train(self, training_data, args=None):
        samples = self.get_training_dataset(training_data)
        self.save_checkpoint({"files/weights.json": io.BytesIO(json.dumps({"samples": len(samples)}).encode())})
