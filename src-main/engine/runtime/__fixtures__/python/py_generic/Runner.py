import numpy as np
from compox.algorithm_utils.BaseRunner import BaseRunner
from compox.algorithm_utils.io_schemas import DataSchema


class CountSchema(DataSchema):
    fields = {"count": (True, (1,))}


class Runner(BaseRunner):
    def __init__(self):
        super().__init__()

    def load_assets(self):
        self.table = {"hits": 0}

    def inference(self, data, args={}):
        self.table["hits"] += 1
        try:
            count = self.load_item_from_session("count") + 1
        except KeyError:  # as in Compox: a key not saved yet
            count = 1
        self.save_item_to_session(count, "count")
        try:
            self.table = {}
            locked = "no"
        except AttributeError:
            locked = "yes"
        ids = self.post_data([{"count": np.array([count], dtype=np.int64)}], CountSchema)
        return [f"count={count}", f"hits={self.table['hits']}", f"locked={locked}", *ids]
