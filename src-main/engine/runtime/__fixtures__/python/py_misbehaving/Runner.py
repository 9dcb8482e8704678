import os
import time
from compox.algorithm_utils.BaseRunner import BaseRunner


class Runner(BaseRunner):
    def inference(self, data, args={}):
        if args["mode"] == "raise":
            raise ValueError("bad voxel spacing")
        if args["mode"] == "crash":
            os._exit(3)
        if args["mode"] == "garbage":
            os.write(4, b"not json\n")  # fd 4 is the runner's channel to the engine
            time.sleep(5)
            return []
        if args["mode"] == "flood":
            # Ignores the stop and writes 16 MB lines until it is killed, mid-write.
            import json
            line = json.dumps({"kind": "event", "jobId": None, "event": {"type": "log", "level": "INFO", "message": "x" * (16 * 2**20), "time": 0}}) + "\n"
            try:
                self.log_message("flooding")  # what the test waits for before it asks to stop
            except BaseException:
                pass  # a stop that came already is ignored too
            while True:
                os.write(4, line.encode())
        if args["mode"] == "busy":
            self.log_message("busy")
            while True:
                self.check_stop()
        i = 0
        while True:
            i += 1
            self.set_progress(min(0.9, i / 1000))
            time.sleep(0.01)
