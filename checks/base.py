"""The interface every check kind implements: a Pydantic spec model and an evaluator."""

from __future__ import annotations

import builtins
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar, Literal, Protocol

from labcheck.core.answers import ExecResult, HttpResult
from labcheck.core.i18n import Text, msg, register_messages
from labcheck.core.model import BaseModel, ConfigDict, Field, field_validator
from labcheck.core.record import dataclass, field
from labcheck.core.results import Finding, Outcome

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"

register_messages({
    # one wording for an object with a deletionTimestamp, whatever the check (issue 14)
    "object.terminating": {
        "en": "{kind} {name} is being deleted (since {since}){held}: for this check it is gone; wait until "
              "`kubectl get {resource} {name}` no longer finds it, then create it again",
        "zh": "{kind} {name} 正在被删除（自 {since} 起）{held}：对这项检查而言它已不存在；"
              "等到 `kubectl get {resource} {name}` 找不到它之后再重新创建",
    },
    "object.held": {"en": ", held by finalizers {finalizers}", "zh": "，被 finalizer {finalizers} 阻止删除"},
    "object.terminating_hint": {
        "en": "A finalizer keeps {kind} {name} until whoever set it removes it. If nothing will: "
              "`kubectl patch {resource} {name} --type=merge -p '{{\"metadata\":{{\"finalizers\":null}}}}'`",
        "zh": "finalizer 会一直保留 {kind} {name}，直到设置它的一方将其移除。如果没有谁会移除："
              "`kubectl patch {resource} {name} --type=merge -p '{{\"metadata\":{{\"finalizers\":null}}}}'`",
    },
})


class CheckSpec(BaseModel):
    """Fields every check has. Each kind subclasses this with a `kind` literal and its own fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="Unique id of the check within its step (lowercase, digits, '-').",
                    pattern=ID_PATTERN)
    points: float = Field(1.0, ge=0, le=1000, description="Points the check is worth.")
    title: Text = Field(description="What is checked, as the learner reads it (zh and en).")
    hint: Text | None = Field(None, description="How to fix it, shown when the check does not pass.")
    depends_on: list[str] = Field(
        default_factory=list,
        description="Ids of checks in the same step that must pass first; otherwise this one is skipped.",
    )
    timeout: float | None = Field(
        None, ge=0, le=3600, description="Seconds to keep polling (default: the lab's timeout)."
    )
    interval: float | None = Field(
        None, gt=0, le=600, description="Seconds between two looks (default: the lab's interval)."
    )
    visibility: Literal["visible", "hidden", "after_due_date"] = Field(
        "visible",
        description="Who sees the check: `hidden` and `after_due_date` checks count in a student's own "
                    "run, which shows only how many there are and their points (never what they check); "
                    "instructors' `grade` reports them in full; Gradescope gets the same visibility.",
    )

    #: False for kinds that only read local files: one look is enough.
    polls: ClassVar[bool] = True
    #: False for kinds that never read the cluster (they grade even when it is unreachable).
    needs_cluster: ClassVar[bool] = True


class ClusterReader(Protocol):
    """What checks may ask of a cluster. grader/kube/ implements it; unit tests use plain data."""

    def list(self, kind: str, namespace: str | None) -> list[dict[str, Any]]: ...

    def pod_logs(self, namespace: str, pod: str, container: str | None,
                 tail_lines: int, limit_bytes: int) -> str: ...

    def exec(self, namespace: str, pod: str, container: str | None,
             command: builtins.list[str], timeout: float) -> ExecResult: ...  # `list` is a method here

    def proxy_get(self, namespace: str, service: str, port: int, path: str,
                  timeout: float) -> HttpResult: ...

    def port_forward_get(self, namespace: str, pod: str, port: int, path: str,
                         timeout: float) -> HttpResult: ...


@dataclass
class EvalContext:
    cluster: ClusterReader
    namespace: str
    files_dir: Path  # where the learner saved files (manifests, quiz answers)
    http_get: Callable[[str, float], HttpResult] | None = None  # plain HTTP from where labcheck runs
    extra: dict[str, Any] = field(default_factory=dict)

    def get(self, kind: str, name: str, namespaced: bool = True) -> dict[str, Any] | None:
        """One object by name, from the shared list of its kind."""
        for obj in self.cluster.list(kind, self.namespace if namespaced else None):
            if obj.get("metadata", {}).get("name") == name:
                return obj
        return None


Evaluator = Callable[[Any, EvalContext], Finding]

DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container"


def container_names(pod: Mapping[str, Any]) -> list[str]:
    return [str(c.get("name")) for c in pod.get("spec", {}).get("containers") or []]


def default_container(pod: Mapping[str, Any]) -> str | None:
    """The container `kubectl logs` and `kubectl exec` pick when none is named: the one the
    kubectl.kubernetes.io/default-container annotation names (if the Pod has it), else the first."""
    names = container_names(pod)
    named = (pod.get("metadata", {}).get("annotations") or {}).get(DEFAULT_CONTAINER_ANNOTATION)
    if named in names:
        return str(named)
    return names[0] if names else None


def resolve_port(pod: Mapping[str, Any], target: object) -> int | None:
    """A Service's targetPort as a number for this Pod: a number as it is, a name through the Pod's
    container ports (what the EndpointSlice controller does); None when the Pod has no such port."""
    if isinstance(target, int) or str(target).isdigit():
        return int(str(target))
    for container in pod.get("spec", {}).get("containers") or []:
        for cport in container.get("ports") or []:
            if cport.get("name") == target:
                return int(cport["containerPort"])
    return None


def container_status(pod: Mapping[str, Any], name: str | None, init: bool = False) -> dict[str, Any]:
    """A container's status by name: the kubelet sorts containerStatuses by name, not by spec order."""
    key = "initContainerStatuses" if init else "containerStatuses"
    for status in pod.get("status", {}).get(key) or []:
        if status.get("name") == name:
            return dict(status)
    return {}


def match_labels(selector: str | None, labels: Mapping[str, str] | None) -> bool:
    """Equality-based label selector, as kubectl -l accepts: `a=b,c!=d,e` (and `!e`)."""
    labels = labels or {}
    for term in filter(None, (t.strip() for t in (selector or "").split(","))):
        if "!=" in term:
            key, value = (s.strip() for s in term.split("!=", 1))
            if labels.get(key) == value:
                return False
        elif "=" in term:
            key, value = (s.strip() for s in term.split("=", 1))
            if labels.get(key.rstrip("=")) != value.lstrip("="):
                return False
        elif term.startswith("!"):
            if term[1:] in labels:
                return False
        elif term not in labels:
            return False
    return True


def being_deleted(kind: str, obj: Mapping[str, Any] | None,
                  evidence: Mapping[str, str] | None = None) -> Finding | None:
    """`not done yet` in the same words for every check when obj has a deletionTimestamp (a Pod in
    its grace period, or held by a finalizer): it is neither there to grade nor gone."""
    meta = (obj or {}).get("metadata") or {}
    since = meta.get("deletionTimestamp")
    if not since:
        return None
    name, resource = str(meta.get("name", "?")), kind.lower()  # as one types it: kubectl get pod NAME
    finalizers = ", ".join(str(f) for f in meta.get("finalizers") or [])
    held = msg("object.held", finalizers=finalizers) if finalizers else Text.same("")
    hint = msg("object.terminating_hint", kind=kind, name=name, resource=resource) if finalizers else None
    actual: dict[str, str | Text] = {"deletionTimestamp": str(since)}
    if finalizers:
        actual["finalizers"] = finalizers
    return Finding(Outcome.PENDING, msg("object.terminating", kind=kind, name=name, since=since, held=held,
                                        resource=resource),
                   {"deletionTimestamp": "-"}, actual,
                   {"uid": str(meta.get("uid", "")), **(evidence or {})}, hint=hint)


class SelectorMixin(BaseModel):
    """Objects picked by name or by label selector."""

    name: str | None = Field(None, description="Object name (metadata.name).")
    label_selector: str | None = Field(
        None, description="Label selector like kubectl -l: `app=web,tier!=db`."
    )

    @field_validator("label_selector")
    @classmethod
    def _valid_selector(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[\w./!=,\s-]*", value):
            raise ValueError("only equality-based selectors are supported (a=b, a!=b, a, !a)")
        return value

    def selects(self, obj: Mapping[str, Any]) -> bool:
        meta = obj.get("metadata", {})
        if self.name is not None and meta.get("name") != self.name:
            return False
        return match_labels(self.label_selector, meta.get("labels"))

    def describe(self) -> str:
        return self.name if self.name else f"-l {self.label_selector}" if self.label_selector else "*"


def one_line(text: str, limit: int = 120) -> str:
    """Text squeezed onto one line and cut to `limit` characters, for reports."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def valid_regex(value: str) -> str:
    """Pydantic validator helper: the pattern compiles (so the error shows at load time)."""
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"invalid regular expression {value!r}: {exc}") from None
    return value


def relative_path(value: str) -> str:
    """Pydantic validator helper: a path inside the learner's files folder, never outside it."""
    if not value.strip():
        raise ValueError("the path is empty")
    posix = value.replace("\\", "/")
    if posix.startswith("/") or re.match(r"^[A-Za-z]:", posix):
        raise ValueError(f"{value!r} must be relative to the files folder, not absolute")
    if ".." in posix.split("/"):
        raise ValueError(f"{value!r} must not leave the files folder ('..')")
    return value
