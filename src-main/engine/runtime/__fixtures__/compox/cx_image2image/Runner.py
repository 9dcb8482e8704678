import json
import os

import numpy as np
from compox.algorithm_debug import debug
from compox.algorithm_utils.Image2ImageRunner import Image2ImageRunner
from filters.box import box_blur


class Runner(Image2ImageRunner):
    def load_assets(self):
        self.kernel = json.load(self.fetch_asset("files/kernel.json"))

    def preprocess(self, input_data, args=None):
        # Compox's typed fetch: ids and the keys to read, no schema argument.
        images = self.fetch_data(input_data["input_dataset_ids"], "image")
        self._input_images_count = len(images)
        return np.stack([item["image"] for item in images])

    def inference(self, data, args=None):
        size = int(self.kernel["size"])
        self.task_handler.logger.info(f"blurring {data.shape[0]} images with a {size}x{size} box")
        out = []
        for i, image in enumerate(data):
            blurred = box_blur(image, size) * args["gain"] + sum(args["offsets"])
            out.append(blurred.astype(np.float32))
            self.set_progress((i + 1) / data.shape[0])
        return np.stack(out)


if __name__ == "__main__":
    debug(algo_dir=os.path.dirname(__file__), data="slices", params={"gain": 1.5, "offsets": [0, 0]}, device="cpu")
