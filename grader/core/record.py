"""`@dataclass` for labcheck's data classes: the frozen result records and the small option bags.

They behave as the standard library's `@dataclass` / `@dataclass(frozen=True)` classes do (the same
__init__, __repr__, __eq__, __hash__, frozen __setattr__/__delattr__; `field(default_factory=...)`;
`replace`) for the subset labcheck uses: no inheritance between them, no __post_init__, no field
options but default_factory; modules import `dataclass` from here, not from `dataclasses`. Why:
the standard library compiles each generated method apart and inspects every class, ~1.4 ms per
frozen class on the machines we measure, and importing it pulls in `inspect`; a `labcheck step-04`
defines twenty such classes before it grades anything. Here the methods are plain functions that
read the class's field list: nothing is compiled (making a record costs a few microseconds more,
which a graded class of 500 does not notice). tests/unit/test_record.py holds both side by side.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform, overload

T = TypeVar("T")
_MISSING: Any = object()


class FrozenInstanceError(AttributeError):
    """Assigning to a field of a frozen record (dataclasses raises its own class of the same name)."""


class _Factory:
    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


def field(*, default_factory: Callable[[], T]) -> T:
    """A field whose default is made anew for each record (`field(default_factory=dict)`)."""
    return _Factory(default_factory)  # type: ignore[return-value]


def is_classvar(annotation: object) -> bool:
    """`ClassVar[...]`, as a string (`from __future__ import annotations`) or an object: not a field."""
    text = annotation if isinstance(annotation, str) else str(annotation)
    return text.split("[", 1)[0].strip() in ("ClassVar", "typing.ClassVar")


def _fields(cls: type) -> tuple[tuple[str, Any], ...]:
    """(name, default) in declaration order; the default is _MISSING, a value or a _Factory."""
    out: list[tuple[str, Any]] = []
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        if is_classvar(annotation):
            continue
        default = cls.__dict__.get(name, _MISSING)
        if default is _MISSING and out and out[-1][1] is not _MISSING:
            raise TypeError(f"non-default argument {name!r} follows default argument")
        if isinstance(default, _Factory):
            delattr(cls, name)
        out.append((name, default))
    return tuple(out)


def _build(cls: type[T], frozen: bool) -> type[T]:
    fields = _fields(cls)
    names = tuple(name for name, _ in fields)
    qualname = cls.__qualname__
    put = object.__setattr__ if frozen else setattr

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:  # noqa: N807
        if len(args) > len(fields):
            raise TypeError(f"{qualname}() takes {len(fields)} arguments but {len(args)} were given")
        for name, value in zip(names, args, strict=False):
            put(self, name, value)
        for name, default in fields[len(args):]:
            if name in kwargs:
                put(self, name, kwargs.pop(name))
            elif default is _MISSING:
                raise TypeError(f"{qualname}() missing required argument {name!r}")
            else:
                put(self, name, default.make() if isinstance(default, _Factory) else default)
        if kwargs:
            bad = next(iter(kwargs))
            raise TypeError(f"{qualname}() got an unexpected or repeated argument {bad!r}")

    def __repr__(self: Any) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{self.__class__.__qualname__}({shown})"

    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is self.__class__:
            return tuple(getattr(self, n) for n in names) == tuple(getattr(other, n) for n in names)
        return NotImplemented

    methods: dict[str, Any] = {"__init__": __init__, "__repr__": __repr__, "__eq__": __eq__}
    if frozen:
        def __hash__(self: Any) -> int:  # noqa: N807
            return hash(tuple(getattr(self, n) for n in names))

        def __setattr__(self: Any, name: str, value: Any) -> None:  # noqa: N807
            if type(self) is cls or name in names:
                raise FrozenInstanceError(f"cannot assign to field {name!r}")
            super(cls, self).__setattr__(name, value)

        def __delattr__(self: Any, name: str) -> None:  # noqa: N807
            if type(self) is cls or name in names:
                raise FrozenInstanceError(f"cannot delete field {name!r}")
            super(cls, self).__delattr__(name)

        methods |= {"__hash__": __hash__, "__setattr__": __setattr__, "__delattr__": __delattr__}
    else:
        methods["__hash__"] = None  # eq without frozen: unhashable, as dataclasses makes it
    for method, function in methods.items():
        if function is not None:
            function.__qualname__ = f"{qualname}.{method}"
        setattr(cls, method, function)
    cls.__record_fields__ = names  # type: ignore[attr-defined]
    return cls


@overload
def dataclass(cls: type[T], /) -> type[T]: ...


@overload
def dataclass(*, frozen: bool = False) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(field_specifiers=(field,))
def dataclass(cls: type[T] | None = None, /, *, frozen: bool = False) -> Any:
    """`@dataclass` or `@dataclass(frozen=True)`, as the standard library's."""
    if cls is None:
        return lambda c: _build(c, frozen)
    return _build(cls, frozen)


def replace(obj: T, /, **changes: Any) -> T:
    """A copy of `obj` with some fields changed (dataclasses.replace)."""
    names: tuple[str, ...] = type(obj).__record_fields__  # type: ignore[attr-defined]
    unknown = set(changes) - set(names)
    if unknown:
        raise TypeError(f"{type(obj).__qualname__} has no field {sorted(unknown)[0]!r}")
    return type(obj)(**{n: changes[n] if n in changes else getattr(obj, n) for n in names})
