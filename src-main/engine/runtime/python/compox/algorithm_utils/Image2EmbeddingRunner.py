import numpy as np

from ._stacking import TypedRunner
from .io_schemas import EmbeddingSchema, ImageSchema


class Image2EmbeddingRunner(TypedRunner):
    """Images in, one feature array out per input (EmbeddingSchema)."""

    algorithm_type = "Image2Embedding"
    input_schema = ImageSchema
    output_schema = EmbeddingSchema

    def postprocess(self, data, args=None):
        # Compox posts only "features", which its own EmbeddingSchema then rejects; here the
        # sizes are filled in from the input shape so the default works.
        assert isinstance(data, np.ndarray), "Data is not a numpy array, please make sure that the inference method returns a numpy array."
        size = tuple(int(s) for s in self._input_images_shape[-2:])
        return self.post_data([{"features": data[i], "input_size": size, "original_size": size} for i in range(data.shape[0])])
