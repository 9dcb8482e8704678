import numpy as np

from ._stacking import StackingRunner
from .io_schemas import AlignmentSchema, ImageSchema


class Image2AlignmentRunner(StackingRunner):
    input_key = "image"
    input_schema = ImageSchema

    def postprocess(self, data, args={}):
        n = max(0, self.__dict__["_run_state"].get("count", 1) - 1)
        items = []
        for m in self._split(data, "matrix", n):
            m = np.asarray(m, dtype=np.float64)
            t = np.eye(3)
            t[0, 2], t[1, 2] = m[0, 2], m[1, 2]
            items.append({"transform_matrix": m, "translation_matrix": t})
        return self.post_data(items, AlignmentSchema)
