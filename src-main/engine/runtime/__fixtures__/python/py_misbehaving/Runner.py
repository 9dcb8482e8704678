import os
import time
from compox.algorithm_utils.BaseRunner import BaseRunner


class Runner(BaseRunner):
    def inference(self, data, args={}):
        if args["mode"] == "raise":
            raise ValueError("bad voxel spacing")
        if args["mode"] == "crash":
            os._exit(3)
        i = 0
        while True:
            i += 1
            self.set_progress(min(0.9, i / 1000))
            time.sleep(0.01)
