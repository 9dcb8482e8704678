from ._stacking import StackingRunner
from .io_schemas import ImageSchema


class Image2ImageRunner(StackingRunner):
    input_key = "image"
    input_schema = ImageSchema

    def postprocess(self, data, args={}):
        return self.post_data([{"image": x} for x in self._split(data, "image")], ImageSchema)
