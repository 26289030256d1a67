"""Stand-ins for the few pydantic names the lab format's models use, for the grading path.

When a lab has not changed since it was last validated (labcheck/labcache.py), the models of
checks/<kind>.py, spec.py and Text are built on this BaseModel instead of pydantic's: the same
classes, methods and defaults, but no validation and no schema building, and pydantic is never
imported. Instances are frozen attribute holders; the cache fills them with values pydantic
validated before. `labcheck.core.model` picks one or the other once per process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from labcheck.core.record import is_classvar

_MISSING: Any = object()


class FieldInfo:
    __slots__ = ("annotation", "default", "default_factory", "description", "exclude")

    def __init__(self, default: Any = _MISSING, default_factory: Callable[[], Any] | None = None,
                 description: str | None = None, annotation: Any = None, exclude: bool = False) -> None:
        self.default, self.default_factory = default, default_factory
        self.description, self.annotation, self.exclude = description, annotation, exclude

    def is_required(self) -> bool:
        return self.default is _MISSING and self.default_factory is None

    def get_default(self, call_default_factory: bool = True) -> Any:
        if self.default_factory is not None:
            return self.default_factory() if call_default_factory else None
        return None if self.default is _MISSING else self.default


def Field(default: Any = _MISSING, *, default_factory: Callable[[], Any] | None = None,  # noqa: N802
          description: str | None = None, exclude: bool = False, **_constraints: Any) -> Any:
    return FieldInfo(default, default_factory, description, exclude=exclude)


class _Private:
    __slots__ = ("default",)

    def __init__(self, default: Any) -> None:
        self.default = default


def PrivateAttr(default: Any = None) -> Any:  # noqa: N802
    return _Private(default)


def ConfigDict(**settings: Any) -> dict[str, Any]:  # noqa: N802
    return settings


def field_validator(*_fields: str, **_options: Any) -> Callable[[Any], Any]:
    return lambda function: function  # the cache holds values already validated


def model_validator(**_options: Any) -> Callable[[Any], Any]:
    return lambda function: function


class BaseModel:
    """A frozen record with the fields its class annotates, in the order pydantic would list them."""

    model_config: ClassVar[dict[str, Any]] = {}
    model_fields: ClassVar[dict[str, FieldInfo]] = {}
    _privates: ClassVar[dict[str, Any]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields: dict[str, FieldInfo] = {}
        privates: dict[str, Any] = {}
        for base in reversed(cls.__mro__[1:]):  # what the bases made of their own annotations
            if issubclass(base, BaseModel):
                fields.update(vars(base).get("model_fields", {}))
                privates.update(vars(base).get("_privates", {}))
        for name, annotation in vars(cls).get("__annotations__", {}).items():
            if is_classvar(annotation):
                continue
            value = vars(cls).get(name, _MISSING)
            if name.startswith("_"):
                privates[name] = value.default if isinstance(value, _Private) else None
                continue
            info = value if isinstance(value, FieldInfo) else FieldInfo(value)
            fields[name] = FieldInfo(info.default, info.default_factory, info.description, annotation,
                                     info.exclude)
        cls.model_fields, cls._privates = fields, privates
        for name in (*fields, *privates):  # instances hold the values; no class-level FieldInfo shows
            if isinstance(vars(cls).get(name), FieldInfo | _Private):
                delattr(cls, name)

    def __init__(self, **data: Any) -> None:
        for name, info in self.model_fields.items():
            if name in data:
                value = data[name]
            elif info.is_required():
                raise TypeError(f"{type(self).__name__}: field {name} is required")
            else:
                value = info.get_default()
            object.__setattr__(self, name, value)
        for name, value in self._privates.items():
            object.__setattr__(self, name, value)

    @classmethod
    def model_construct(cls, **data: Any) -> Any:
        return cls(**data)

    @classmethod
    def model_validate(cls, value: Any) -> Any:
        if isinstance(value, cls):
            return value
        if isinstance(value, str) and set(cls.model_fields) == {"zh", "en"}:  # Text's plain-string form
            return cls(zh=value, en=value)
        return cls(**value)

    def __setattr__(self, name: str, value: Any) -> None:
        if not name.startswith("_"):
            raise TypeError(f"{type(self).__name__} is frozen")
        object.__setattr__(self, name, value)

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.model_fields)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._values() == other._values()

    def __hash__(self) -> int:
        return hash((type(self), tuple(_hashable(v) for v in self._values())))

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.model_fields)
        return f"{type(self).__name__}({inner})"

    def model_dump(self, *, exclude_defaults: bool = False, mode: str = "python") -> dict[str, Any]:
        out = {}
        for name, info in self.model_fields.items():
            value = getattr(self, name)
            if info.exclude:
                continue
            if exclude_defaults and not info.is_required() and value == info.get_default():
                continue
            out[name] = _dump(value, exclude_defaults, mode)
        return out


def _dump(value: Any, exclude_defaults: bool, mode: str) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(exclude_defaults=exclude_defaults, mode=mode)
    if isinstance(value, list | tuple):
        items = [_dump(v, exclude_defaults, mode) for v in value]
        return items if mode == "json" or isinstance(value, list) else tuple(items)
    if isinstance(value, dict):
        return {k: _dump(v, exclude_defaults, mode) for k, v in value.items()}
    return value


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    return value
