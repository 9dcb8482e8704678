from ._stacking import TypedRunner
from .io_schemas import ImageSchema


class Image2ImageRunner(TypedRunner):
    """Images in, one image out per input (ImageSchema both ways)."""

    algorithm_type = "Image2Image"
    input_schema = ImageSchema
    output_schema = ImageSchema

    def postprocess(self, data, args=None):
        return self._split(data, "image")
