import numpy as np
from compox.algorithm_utils.Image2ImageRunner import Image2ImageRunner
from image_utils.ops import scale


class Runner(Image2ImageRunner):
    def __init__(self, task_handler, device="cpu"):
        super().__init__(task_handler, device)
        self.loads = 0

    def load_assets(self):
        self.gain = float(self.fetch_asset("files/gain.txt").read().decode())

    def inference(self, data, args={}):
        print("a print from the algorithm")
        self.log_message(f"scaling {data.shape[0]} images by {self.gain}")
        self.set_progress(0.5)
        return scale(data, self.gain, args["offset"])
