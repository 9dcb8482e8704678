from ._stacking import TypedRunner
from .io_schemas import SegmentationSchema


class Segmentation2SegmentationRunner(TypedRunner):
    """Masks in, one mask out per input."""

    algorithm_type = "Segmentation2Segmentation"
    input_schema = SegmentationSchema
    input_key = "mask"
    output_schema = SegmentationSchema

    def postprocess(self, data, args=None):
        return self._split(data, "mask")
