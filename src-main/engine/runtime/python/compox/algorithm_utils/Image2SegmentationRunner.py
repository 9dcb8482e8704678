from ._stacking import StackingRunner
from .io_schemas import ImageSchema, SegmentationSchema


class Image2SegmentationRunner(StackingRunner):
    input_key = "image"
    input_schema = ImageSchema

    def postprocess(self, data, args={}):
        return self.post_data([{"mask": x} for x in self._split(data, "mask")], SegmentationSchema)
