from ._stacking import TypedRunner
from .io_schemas import ImageSchema, SegmentationSchema


class Image2SegmentationRunner(TypedRunner):
    """Images in, one mask out per input (SegmentationSchema)."""

    algorithm_type = "Image2Segmentation"
    input_schema = ImageSchema
    output_schema = SegmentationSchema

    def preprocess(self, input_data, args=None):
        data = self._fetch_stack(input_data)
        self._input_images_count = data.shape[0]
        self._input_images_shape = data.shape
        return data

    def postprocess(self, data, args=None):
        return self._split(data, "mask")
