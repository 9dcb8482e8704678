"""Data schemas of Compox (SPEC section 3): each checks the fields of one dataset item."""
import numpy as np


class DataSchema:
    """A schema: `fields` maps a key to (required, allowed ndims or None)."""

    fields = {}

    def __init_subclass__(cls, **kwargs):
        # Compox authors declare fields as annotations (`image: np.ndarray`, `mask: np.ndarray | None = None`).
        super().__init_subclass__(**kwargs)
        annotations = cls.__dict__.get("__annotations__", {})
        if annotations and "fields" not in cls.__dict__:
            fields = dict(cls.fields)
            for key, annotation in annotations.items():
                optional = key in cls.__dict__ or "None" in str(annotation) or "Optional" in str(annotation)
                fields[key] = (not optional, None)
            cls.fields = fields

    def __init__(self, **items):
        self.__dict__.update(items)

    @classmethod
    def validate(cls, item, where="item", keys=None):
        """Checks a dict of arrays; with `keys`, only those fields (a partial read)."""
        for key, (required, ndims) in cls.fields.items():
            if keys is not None and key not in keys:
                continue
            if key not in item or item[key] is None:
                if required:
                    raise ValueError(f"{where} does not match {cls.__name__}: missing '{key}' (it has {', '.join(item) or 'nothing'})")
                continue
            value = np.asarray(item[key])
            if ndims is not None and value.ndim not in ndims:
                raise ValueError(f"{where} does not match {cls.__name__}: '{key}' has {value.ndim} dimensions {value.shape}, expected {' or '.join(map(str, ndims))}")
        return item


class GenericSchema(DataSchema):
    fields = {"data": (True, None)}


class ImageSchema(DataSchema):
    fields = {"image": (True, (2, 3)), "mask": (False, None), "points": (False, None)}


class VolumeSchema(DataSchema):
    fields = {"volume": (True, (3,)), "mask": (False, None), "points": (False, None), "stats": (False, None)}


class SegmentationSchema(DataSchema):
    fields = {"mask": (True, None)}


class AlignmentSchema(DataSchema):
    fields = {"points1": (False, None), "points2": (False, None), "confidence": (False, None), "transform_matrix": (True, (2,)), "translation_matrix": (True, (2,))}


class EmbeddingSchema(DataSchema):
    fields = {"features": (True, None), "input_size": (True, (1,)), "original_size": (True, (1,))}


class MeshSchema(DataSchema):
    fields = {"vertices": (True, (2,)), "faces": (True, (2,))}
