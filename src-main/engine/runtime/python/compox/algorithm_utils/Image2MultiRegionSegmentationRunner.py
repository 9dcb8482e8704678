from ._stacking import TypedRunner
from .io_schemas import ImageSchema, MultiRegionSegmentationSchema


class Image2MultiRegionSegmentationRunner(TypedRunner):
    """Images in, named region masks out per input (MultiRegionSegmentationSchema).

    inference returns one dict per input image: {"region_names": [...], "region_masks": [...]},
    or {"<region name>": mask, ...} in the order the regions should be listed."""

    algorithm_type = "Image2MultiRegionSegmentation"
    input_schema = ImageSchema
    output_schema = MultiRegionSegmentationSchema

    def postprocess(self, data, args=None):
        if not isinstance(data, list):
            raise TypeError(f"inference must return a list with one dict per input image, got {type(data).__name__}")
        if len(data) != self._input_images_shape[0]:
            raise ValueError(f"Number of outputs {len(data)} does not correspond to the input images shape {tuple(self._input_images_shape)}.")
        items = []
        for n, item in enumerate(data):
            if not isinstance(item, dict):
                raise TypeError(f"output {n + 1} must be a dict of region masks, got {type(item).__name__}")
            if "region_names" in item or "region_masks" in item:
                if not ("region_names" in item and "region_masks" in item):
                    raise ValueError("Each output item using the explicit multi-region format must contain both 'region_names' and 'region_masks' keys.")
                names, masks = list(item["region_names"]), list(item["region_masks"])
            else:
                names, masks = [str(k) for k in item], list(item.values())
            if len(names) != len(masks):
                raise ValueError("Number of region names must match number of region masks.")
            items.append({"region_names": names, "region_masks": masks})
        return self.post_data(items)
