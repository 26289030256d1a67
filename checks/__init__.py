"""Check kinds: one module each, registered here from one list.

A new kind touches three places: its module (a `Spec` model with a `kind` literal and an
`evaluate` function), one line in CHECK_MODULES, and its test.
"""

from __future__ import annotations

import re
from types import ModuleType
from typing import Annotated, Any, Union, get_args

from labcheck.checks import (
    events_evidence,
    exec_output,
    http_reachable,
    logs_contain,
    manifest_file,
    nodes_ready,
    object_absent,
    object_exists,
    pod_state,
    quiz,
    service_shape,
)
from labcheck.checks.base import CheckSpec, Evaluator
from labcheck.core.model import Field

CHECK_MODULES: tuple[ModuleType, ...] = (
    nodes_ready,
    object_exists,
    object_absent,
    pod_state,
    service_shape,
    http_reachable,
    logs_contain,
    exec_output,
    events_evidence,
    manifest_file,
    quiz,
)


def _kind_of(module: ModuleType) -> str:
    annotation = module.Spec.model_fields["kind"].annotation
    if isinstance(annotation, str):  # light models (labcheck.core.light) keep the source text
        return re.fullmatch(r"""Literal\[["'](.+)["']\]""", annotation).group(1)  # type: ignore[union-attr]
    return str(get_args(annotation)[0])


AnyCheck: Any = Annotated[
    Union[tuple(m.Spec for m in CHECK_MODULES)],  # noqa: UP007  (built from the list at run time)
    Field(discriminator="kind"),
]

EVALUATORS: dict[str, Evaluator] = {_kind_of(m): m.evaluate for m in CHECK_MODULES}
SPECS: dict[str, type[CheckSpec]] = {_kind_of(m): m.Spec for m in CHECK_MODULES}
