"""labcheck.core.record's `@dataclass` behaves as the standard library's for what labcheck uses:
each class below is made by both, and every behaviour is compared."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from collections.abc import Callable
from typing import Any, ClassVar

import pytest

from labcheck.core import record


def pair(frozen: bool) -> tuple[type[Any], type[Any]]:
    def body(dc: Callable[..., Any], field: Callable[..., Any]) -> type[Any]:
        class Point:
            LIMIT: ClassVar[int] = 3
            x: int
            label: str = "p"
            tags: dict[str, str] = field(default_factory=dict)
            items: list[int] = field(default_factory=list)

            @property
            def total(self) -> int:
                return self.x + len(self.items)

        return dc(frozen=frozen)(Point)  # type: ignore[no-any-return]

    return body(dataclasses.dataclass, dataclasses.field), body(record.dataclass, record.field)


def outcome(call: Callable[[Any], Any], value: Any) -> Any:
    try:
        return call(value)
    except Exception as exc:  # noqa: BLE001
        return type(exc)


@pytest.mark.parametrize("frozen", [True, False])
def test_same_behaviour_as_the_standard_library(frozen: bool) -> None:
    std, ours = pair(frozen)
    for args, kwargs in [((1,), {}), ((2, "q"), {"tags": {"a": "b"}}), ((), {"x": 3, "items": [1, 2]}),
                         ((4, "t", (), ()), {})]:
        a, b = std(*args, **kwargs), ours(*args, **kwargs)
        assert repr(a) == repr(b)
        assert (a.x, a.label, a.tags, a.items, a.total) == (b.x, b.label, b.tags, b.items, b.total)
        assert b == ours(*args, **kwargs) and b != ours(99) and (b == a) is False
        assert repr(record.replace(b, label="r")) == repr(dataclasses.replace(a, label="r"))
        assert outcome(hash, a) == outcome(hash, b)  # the same hash, or unhashable in both
        changed = record.replace(b, label="r")
        assert changed.label == "r" and changed.x == b.x and changed is not b
        assert copy.deepcopy(b) == b and copy.copy(b) == b
        if frozen:
            with pytest.raises(AttributeError, match="cannot assign to field 'x'"):
                b.x = 5
            with pytest.raises(AttributeError):
                del b.label
        else:
            b.x = 5
            assert b.x == 5
            with pytest.raises(TypeError):
                hash(b)  # eq without frozen: unhashable, as dataclasses makes it
    assert ours(1).tags is not ours(1).tags and ours(1).items is not ours(1).items  # new ones per record
    assert ours.LIMIT == 3 and ours.__record_fields__ == ("x", "label", "tags", "items")
    for bad in [((), {}), ((1, "a", {}, [], 5), {}), ((1,), {"nope": 1})]:
        with pytest.raises(TypeError):
            std(*bad[0], **bad[1])
        with pytest.raises(TypeError):
            ours(*bad[0], **bad[1])
    with pytest.raises(TypeError):
        record.replace(ours(1), nope=2)


def test_labcheck_records_pickle_and_refuse_changes() -> None:
    from labcheck.core.results import Finding, Outcome

    finding = Finding(Outcome.FAILED, "msg", {"image": "nginx"}, {"image": "ngnix"})  # type: ignore[arg-type]
    assert pickle.loads(pickle.dumps(finding)) == finding
    with pytest.raises(record.FrozenInstanceError):
        finding.outcome = Outcome.PASSED  # type: ignore[misc]


def test_a_field_without_default_after_one_with_is_refused() -> None:
    with pytest.raises(TypeError, match="non-default argument 'b'"):
        @record.dataclass(frozen=True)
        class Bad:
            a: int = 0
            b: int  # type: ignore[misc]


def test_labcheck_step_start_imports_no_dataclasses() -> None:
    import subprocess
    import sys

    code = ("import sys, labcheck.core; labcheck.core.light_models = True\n"
            "import labcheck.fast_cli, labcheck.commands, labcheck.session, labcheck.runner, labcheck.kube\n"
            "import labcheck.reporters.text, labcheck.labcache, labcheck.checks\n"
            "print(sorted(m for m in ('dataclasses', 'inspect', 'click', 'yaml', 'email', 'http.client', "
            "'pydantic', 'hashlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
