import numpy as np

from ._stacking import StackingRunner
from .io_schemas import EmbeddingSchema, ImageSchema


class Image2EmbeddingRunner(StackingRunner):
    input_key = "image"
    input_schema = ImageSchema

    def postprocess(self, data, args={}):
        shapes = self.__dict__["_run_state"].get("shapes", [])
        items = []
        for i, features in enumerate(self._split(data, "embedding")):
            size = np.array(shapes[i][-2:] if i < len(shapes) else [0, 0], dtype=np.int64)
            items.append({"features": features, "input_size": size, "original_size": size})
        return self.post_data(items, EmbeddingSchema)
