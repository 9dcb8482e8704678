from ._stacking import StackingRunner
from .io_schemas import SegmentationSchema


class Segmentation2SegmentationRunner(StackingRunner):
    input_key = "mask"
    input_schema = SegmentationSchema

    def postprocess(self, data, args={}):
        return self.post_data([{"mask": x} for x in self._split(data, "mask")], SegmentationSchema)
