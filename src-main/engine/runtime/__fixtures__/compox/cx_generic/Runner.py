from typing import List, Optional

import numpy as np
from compox.algorithm_utils.BaseRunner import BaseRunner
from compox.algorithm_utils.io_schemas import DataSchema, Field, GenericSchema


class StatsSchema(DataSchema):
    data: np.ndarray
    label: str
    tags: List[str] = Field(default=[])
    note: Optional[str] = None


class Runner(BaseRunner):
    def __init__(self):
        self.per_run = []  # reset before every execution (runner_context)

    def load_assets(self):
        self.counter = {"loads": 0}
        self.counter["loads"] += 1

    def preprocess(self, input_data, args=None):
        return self.fetch_data(input_data["input_dataset_ids"], GenericSchema)

    def inference(self, data, args=None):
        self.per_run.append("x")
        try:
            runs = self.load_item_from_session("runs") + 1
        except KeyError:
            runs = 1
        self.save_item_to_session(runs, "runs")
        checks = []
        for value in (1, 0.5, np.float32(0.5)):
            self.set_progress(value)  # Compox takes only floats; we take any real number
        for bad in (1.5, "half", True):
            try:
                self.set_progress(bad)
                checks.append("accepted")
            except ValueError as err:
                checks.append(str(err))
        try:
            self.log_message("x", "info")
        except ValueError as err:
            checks.append(str(err))
        try:
            self.counter = {}
        except AttributeError as err:
            checks.append(str(err).split(".")[0])
        items = []
        for item in data:
            items.append(StatsSchema(data=np.array([item["data"].sum()]), label=f"run {runs}", tags=checks + [f"per_run={len(self.per_run)}", f"loads={self.counter['loads']}"]))
        return items

    def postprocess(self, data, args=None):
        return self.post_data(data, StatsSchema)
