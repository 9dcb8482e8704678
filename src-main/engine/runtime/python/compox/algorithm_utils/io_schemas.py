"""Data schemas of Compox 3.2: each describes the keys of one dataset item and checks them.

Compox builds these on pydantic 2; Debian ships pydantic 1.10, so this is a small model class of
our own with the part of pydantic's surface that algorithms use: `Schema(**fields)`,
`model_validate`, `model_dump`, `model_fields`, attribute access and `ValidationError` (a
ValueError, as in pydantic). Fields are declared as annotations, Compox's way:

    class MySchema(DataSchema):
        image: np.ndarray
        spacing: Optional[List[float]] = None

Validators of pydantic (`@field_validator`) are not run here; checks that a custom schema needs go
in `check_<field>(cls, value)` classmethods, which return the value or raise ValueError.
"""
import sys
import types
import typing

import numpy as np

_REQUIRED = object()


class FieldInfo:
    """One declared field: its annotation and default (pydantic's `FieldInfo` in brief)."""

    def __init__(self, annotation=typing.Any, default=_REQUIRED, description=None):
        self.annotation = annotation
        self.default = default
        self.description = description

    def is_required(self):
        return self.default is _REQUIRED

    def get_default(self):
        if self.default is _REQUIRED:
            return None
        return list(self.default) if isinstance(self.default, list) else self.default

    def __repr__(self):
        default = "required" if self.is_required() else f"default={self.default!r}"
        return f"FieldInfo(annotation={_type_name(self.annotation)}, {default})"


def Field(default=_REQUIRED, *, default_factory=None, description=None, **_ignored):
    """Declares a field's default as pydantic's `Field(default=…)` does."""
    if default_factory is not None:
        default = default_factory()
    return FieldInfo(default=default, description=description)


class ValidationError(ValueError):
    """The item does not match the schema; `errors()` lists each problem as pydantic does."""

    def __init__(self, title, errors, where=None):
        self.title = title
        self._errors = errors
        self.where = where
        lines = [f"{len(errors)} validation error{'s' if len(errors) != 1 else ''} for {title}"]
        for e in errors:
            lines.append(f"{'.'.join(map(str, e['loc']))}\n  {e['msg']}")
        text = "\n".join(lines)
        super().__init__(f"{where}: {text}" if where else text)

    def errors(self):
        return [dict(e) for e in self._errors]

    def error_count(self):
        return len(self._errors)


def _type_name(annotation):
    return getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")


def _optional_inner(annotation):
    """(True, X) for Optional[X] / X | None, else (False, annotation)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Union or (sys.version_info >= (3, 10) and origin is types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) < len(typing.get_args(annotation)):
            return True, (args[0] if len(args) == 1 else typing.Union[tuple(args)])
    return False, annotation


def _coerce(annotation, value):
    """The value as the annotation wants it, or raises ValueError with pydantic-like wording."""
    optional, annotation = _optional_inner(annotation)
    if value is None:
        if optional or annotation is typing.Any:
            return None
        raise ValueError("Input should not be None")
    if annotation is typing.Any or annotation is object:
        return value
    if annotation is np.ndarray:
        if isinstance(value, np.ndarray):
            return value
        if isinstance(value, np.generic):
            return np.asarray(value)
        raise ValueError(f"Input should be an instance of ndarray (got {type(value).__name__})")
    if annotation is str:
        if isinstance(value, bytes):
            return value.decode()
        if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "US":
            return str(value[()])
        if not isinstance(value, str):
            raise ValueError(f"Input should be a valid string (got {type(value).__name__})")
        return value
    if annotation in (int, float):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise ValueError(f"Input should be a valid {annotation.__name__} (got {type(value).__name__})")
        return annotation(value)
    if annotation is bool:
        if not isinstance(value, (bool, np.bool_)):
            raise ValueError(f"Input should be a valid boolean (got {type(value).__name__})")
        return bool(value)
    origin = typing.get_origin(annotation) or annotation
    if origin in (list, tuple):
        if isinstance(value, np.ndarray):
            # pydantic reads a 3-D array as a list of 2-D arrays: HDF5 stores list[ndarray] stacked.
            value = list(value) if value.ndim > 0 else [value[()]]
        if not isinstance(value, (list, tuple)):
            raise ValueError(f"Input should be a valid {origin.__name__} (got {type(value).__name__})")
        args = typing.get_args(annotation)
        if args and origin is list:
            value = [_coerce(args[0], v) for v in value]
        return list(value) if origin is list else tuple(value)
    if isinstance(annotation, type) and not isinstance(value, annotation):
        raise ValueError(f"Input should be an instance of {annotation.__name__} (got {type(value).__name__})")
    return value


class DataSchema:
    """The base of every schema; subclass it and declare fields as annotations."""

    model_fields = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        fields = dict(cls.model_fields)
        legacy = cls.__dict__.get("fields")
        if isinstance(legacy, dict):  # Compox Desktop 1.x style: {key: (required, ndims)}
            for key, (required, ndims) in legacy.items():
                fields[key] = FieldInfo(np.ndarray if ndims else typing.Any, _REQUIRED if required else None)
                if ndims:
                    fields[key].ndims = tuple(ndims)
        try:
            hints = typing.get_type_hints(cls)
        except Exception:  # noqa: BLE001 - an unresolvable annotation: read it as written
            hints = dict(cls.__dict__.get("__annotations__", {}))
        for key in cls.__dict__.get("__annotations__", {}):
            if key.startswith("_") or key in ("model_fields", "model_config"):
                continue
            declared = cls.__dict__.get(key, _REQUIRED)
            if isinstance(declared, FieldInfo):
                info = FieldInfo(hints.get(key, typing.Any), declared.default, declared.description)
            else:
                info = FieldInfo(hints.get(key, typing.Any), declared)
            fields[key] = info
            if key in cls.__dict__:
                delattr(cls, key)  # instances carry the value; the class keeps only the FieldInfo
        cls.model_fields = fields

    def __init__(self, **data):
        values = type(self)._check(data)
        object.__setattr__(self, "__dict__", values)

    @classmethod
    def _check(cls, data, where=None, keys=None):
        """The validated field values (defaults filled in); `keys` checks only those fields."""
        errors = []
        values = {}
        for name, info in cls.model_fields.items():
            present = name in data and not (keys is not None and name not in keys)
            if not present or (data[name] is None and info.is_required()):
                if info.is_required() and (keys is None or name in keys):
                    have = ", ".join(k for k, v in data.items() if v is not None) or "nothing"
                    errors.append({"type": "missing", "loc": (name,), "msg": f"Field required (the item has {have})"})
                values[name] = info.get_default()
                continue
            try:
                value = _coerce(info.annotation, data[name])
                ndims = getattr(info, "ndims", None)
                if ndims and value is not None and np.ndim(value) not in ndims:
                    raise ValueError(f"has {np.ndim(value)} dimensions {list(np.shape(value))}, expected {' or '.join(map(str, ndims))}")
                check = getattr(cls, f"check_{name}", None)
                if check is not None and value is not None:
                    value = check(value)
                values[name] = value
            except ValueError as err:
                errors.append({"type": "value_error", "loc": (name,), "msg": f"Value error, {err}"})
        for name, value in data.items():
            if name not in cls.model_fields:
                values[name] = value  # pydantic drops extras; Compox items keep them through HDF5 anyway
        if not errors:
            try:
                values = cls.check_model(values)
            except ValueError as err:
                errors.append({"type": "value_error", "loc": (), "msg": f"Value error, {err}"})
        if errors:
            raise ValidationError(cls.__name__, errors, where)
        return values

    @classmethod
    def check_model(cls, values):
        """Checks across fields; override to add rules (returns the values or raises ValueError)."""
        return values

    @classmethod
    def model_validate(cls, obj):
        """An instance from a dict (or another instance), validated."""
        data = obj.model_dump() if isinstance(obj, DataSchema) else dict(obj)
        instance = cls.__new__(cls)
        object.__setattr__(instance, "__dict__", cls._check(data))
        return instance

    @classmethod
    def validate(cls, item, where="item", keys=None):
        """Checks a dict; returns it with defaults filled in (Compox Desktop 1.x name)."""
        return cls._check(dict(item), where, keys)

    def model_dump(self, exclude_none=False):
        """The fields as a dict."""
        return {k: v for k, v in self.__dict__.items() if not (exclude_none and v is None)}

    def model_copy(self, update=None):
        return type(self).model_validate({**self.__dict__, **(update or {})})

    def __iter__(self):
        return iter(self.__dict__.items())

    def __getitem__(self, key):
        return self.__dict__[key]

    def __repr__(self):
        def short(v):
            return f"ndarray({v.dtype}, {list(v.shape)})" if isinstance(v, np.ndarray) else repr(v)

        return f"{type(self).__name__}({', '.join(f'{k}={short(v)}' for k, v in self.__dict__.items())})"


class GenericSchema(DataSchema):
    data: np.ndarray


class SegmentationSchema(DataSchema):
    mask: np.ndarray


IMAGE_DTYPES = (np.uint8, np.uint16, np.float64, np.float32, np.float16)


class ImageSchema(DataSchema):
    image: np.ndarray
    mask: typing.Optional[np.ndarray] = None
    points: typing.Optional[typing.List[np.ndarray]] = None

    @classmethod
    def check_image(cls, v):
        if v.ndim != 2 and (v.ndim != 3 or v.shape[0] != 3):
            raise ValueError(f"Image must be 2D (got {v.ndim} dimensions), grayscale or RGB (got {1 if v.ndim == 2 else (v.shape[0] if v.ndim else 0)} channels).")
        if v.dtype not in IMAGE_DTYPES:
            raise ValueError(f"Image must be uint8, uint16, float64, float32 or float16 (got {v.dtype}).")
        return v


class VolumeSchema(DataSchema):
    volume: np.ndarray
    mask: typing.Optional[np.ndarray] = None
    points: typing.Optional[typing.List[np.ndarray]] = None
    stats: typing.Optional[str] = None

    @classmethod
    def check_volume(cls, v):
        if v.ndim != 3:
            raise ValueError("Volume must be a 3 dimensional array.")
        return v


class MeshSchema(DataSchema):
    vertices: np.ndarray
    faces: np.ndarray
    stats: typing.Optional[str] = None

    @classmethod
    def check_vertices(cls, v):
        if v.ndim != 2 or v.shape[1] != 3 or v.dtype != np.float64:
            raise ValueError("Mesh vertices must be Nx3 numpy array of floats")
        return v

    @classmethod
    def check_faces(cls, v):
        if v.ndim != 2 or v.shape[1] != 3 or v.dtype != np.int64:
            raise ValueError("Mesh faces must be Nx3 numpy array of integers pointing into vertices array.")
        return v


class AlignmentSchema(DataSchema):
    points1: typing.Optional[typing.List[np.ndarray]] = Field(default=[])
    points2: typing.Optional[typing.List[np.ndarray]] = Field(default=[])
    confidence: typing.Optional[typing.List[float]] = Field(default=[])
    transform_matrix: typing.Optional[np.ndarray] = None
    translation_matrix: typing.Optional[np.ndarray] = None


class EmbeddingSchema(DataSchema):
    features: np.ndarray
    input_size: tuple
    original_size: tuple


class MultiRegionSegmentationSchema(DataSchema):
    """Named masks of one image: region i is called region_names[i]; all masks 2-D, one shape."""

    region_names: typing.List[str]
    region_masks: typing.List[typing.Any]

    @classmethod
    def check_model(cls, values):
        names, masks = values["region_names"], values["region_masks"]
        if len(names) != len(masks):
            raise ValueError(f"Number of region names ({len(names)}) must match number of region masks ({len(masks)}).")
        for i, mask in enumerate(masks):
            if not isinstance(mask, np.ndarray):
                raise ValueError(f"Region mask at index {i} must be a numpy array.")
            if mask.ndim != 2:
                raise ValueError(f"Region mask at index {i} must be a 2D numpy array (got shape {list(mask.shape)}).")
        if len({m.shape for m in masks}) > 1:
            raise ValueError("All region masks for one output item must have the same shape.")
        return values
