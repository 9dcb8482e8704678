from ._stacking import TypedRunner
from .io_schemas import ImageSchema, SegmentationSchema


class Image2SegmentationRunner(TypedRunner):
    """Images in, one mask out per input (SegmentationSchema)."""

    algorithm_type = "Image2Segmentation"
    input_schema = ImageSchema
    output_schema = SegmentationSchema

    def postprocess(self, data, args=None):
        return self._split(data, "mask")
