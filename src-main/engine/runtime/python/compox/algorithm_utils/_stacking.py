"""Default pre/post-processing of the typed runners: stack inputs on axis 0, split outputs."""
import numpy as np

from .BaseRunner import BaseRunner


class StackingRunner(BaseRunner):
    input_key = "image"
    input_schema = None

    def preprocess(self, input_data, args={}):
        ids = input_data["input_dataset_ids"]
        items = self.fetch_data(ids, self.input_schema)
        arrays = [np.asarray(item[self.input_key]) for item in items]
        self.__dict__["_run_state"]["count"] = len(arrays)
        self.__dict__["_run_state"]["shapes"] = [a.shape for a in arrays]
        if not arrays:
            raise ValueError("no input datasets")
        first = arrays[0]
        for n, a in enumerate(arrays):
            if a.shape != first.shape or a.dtype != first.dtype:
                raise ValueError(f"input {n + 1} is {a.dtype} {a.shape} but input 1 is {first.dtype} {first.shape}; all inputs must share dtype and shape to be stacked")
        return np.stack(arrays)

    def _split(self, data, what, count=None):
        data = np.asarray(data)
        n = count if count is not None else self.__dict__.get("_run_state", {}).get("count", data.shape[0])
        if data.ndim == 0 or data.shape[0] != n:
            raise ValueError(f"inference returned {data.shape[0] if data.ndim else 0} {what}s (shape {list(data.shape)}) for {n} inputs; the default postprocess splits axis 0 and needs exactly one per input")
        return [data[i] for i in range(n)]
