"""Field matchers for any object: `spec.containers.*.image` with `*` for every list element.

They let course authors check shapes no built-in kind covers, without writing Python.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from labcheck.core.i18n import Text, msg
from labcheck.core.model import BaseModel, ConfigDict, Field, field_validator, model_validator


def values_at(obj: Any, path: str) -> Iterator[Any]:
    """Every value at a dotted path; `*` walks all list items (or map values), digits index lists."""
    parts = path.split(".") if path else []

    def walk(node: Any, rest: list[str]) -> Iterator[Any]:
        if not rest:
            yield node
            return
        head, tail = rest[0], rest[1:]
        if head == "*":
            children = node if isinstance(node, list) else list(node.values()) \
                if isinstance(node, dict) else []
            for child in children:
                yield from walk(child, tail)
        elif isinstance(node, list) and head.isdigit() and int(head) < len(node):
            yield from walk(node[int(head)], tail)
        elif isinstance(node, dict) and head in node:
            yield from walk(node[head], tail)

    yield from walk(obj, parts)


def scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class FieldMatch(BaseModel):
    """One condition on an object's fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str = Field(description="Dotted path, `*` for every list item: `spec.containers.*.image`.")
    equals: str | int | bool | None = Field(None, description="A value must equal this (as text).")
    pattern: str | None = Field(None, description="A value must match this regular expression.")
    min_matches: int = Field(1, ge=0, description="At least this many values must satisfy it "
                                                   "(0 with `equals`/`pattern`: none may).")

    @field_validator("path")
    @classmethod
    def _valid_path(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_\-/*]+(\.[A-Za-z0-9_\-/*]+)*", value):
            raise ValueError("use dotted keys like spec.containers.*.image")
        return value

    @field_validator("pattern")
    @classmethod
    def _valid_pattern(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a regular expression: {exc}") from None
        return value

    @model_validator(mode="after")
    def _one_test(self) -> FieldMatch:
        if self.equals is not None and self.pattern is not None:
            raise ValueError("give `equals` or `pattern`, not both")
        return self

    def _ok(self, value: Any) -> bool:
        if isinstance(value, (dict, list)):
            return self.equals is None and self.pattern is None  # presence test only
        text = scalar_text(value)
        if self.equals is not None:
            return text == scalar_text(self.equals)
        if self.pattern is not None:
            return re.search(self.pattern, text) is not None
        return True

    def check(self, obj: Any) -> tuple[bool, str | Text, str | Text]:
        """(satisfied, expected, actual) as the learner reads them."""
        values = list(values_at(obj, self.path))
        good = sum(1 for v in values if self._ok(v))
        want: str | Text = (f"= {scalar_text(self.equals)}" if self.equals is not None else
                            f"~ /{self.pattern}/" if self.pattern is not None else msg("value.present"))
        if self.min_matches > 1:
            want = want + Text.same(f" (x{self.min_matches})") if isinstance(want, Text) else \
                f"{want} (x{self.min_matches})"
        shown = ", ".join(scalar_text(v) if not isinstance(v, (dict, list)) else "{...}"
                          for v in values[:5])
        satisfied = good >= self.min_matches if self.min_matches else good == 0
        return satisfied, want, shown[:200] or msg("value.missing")
