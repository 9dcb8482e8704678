import numpy as np

from ._stacking import TypedRunner
from .io_schemas import AlignmentSchema, ImageSchema


class Image2AlignmentRunner(TypedRunner):
    """N images in, N-1 alignments out: image i+1 onto image 1 (AlignmentSchema)."""

    algorithm_type = "Image2Alignment"
    input_schema = ImageSchema
    output_schema = AlignmentSchema

    def postprocess(self, data, args=None):
        count = self._input_images_count
        if isinstance(data, np.ndarray) and data.ndim == 3:
            data = list(data)  # Compox wants a list; a stack of matrices is read as one
        assert isinstance(data, (list, tuple)) and len(data) == count - 1, (
            f"inference must return a list of {count - 1} transform matrices (one per input after the first), got "
            + (f"a list of {len(data)}" if isinstance(data, (list, tuple)) else type(data).__name__)
        )
        items = []
        for m in data:
            m = np.asarray(m, dtype=np.float64)
            # As Compox writes it: no points, and the same matrix in both fields.
            items.append({"points1": [], "points2": [], "confidence": [], "transform_matrix": m, "translation_matrix": m})
        return self.post_data(items)
