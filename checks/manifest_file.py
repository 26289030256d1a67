"""manifest_file: a YAML file the learner saved describes the live object as it is now.

The uid tells a fresh `kubectl get -o yaml` from one saved before the object was re-created
(or copied from a classmate): same name, different uid.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from labcheck.checks.base import CheckSpec, EvalContext, being_deleted, one_line, relative_path
from labcheck.checks.nearby import where_is
from labcheck.checks.yaml_problems import yaml_problem
from labcheck.core import simple_yaml
from labcheck.core.i18n import Text, msg, register_messages
from labcheck.core.kinds import check_kind_name, kind_info
from labcheck.core.model import Field, field_validator
from labcheck.core.results import Finding, Outcome

MAX_FILE_BYTES = 1 << 20

register_messages({
    # what this kind checks, for `labcheck explain` in the learner's language
    "kind.manifest_file": {"en": "A YAML file you saved describes the live object.",
                           "zh": "你保存的 YAML 文件描述的是当前的对象。"},
    "manifest.missing": {"en": "no file {path} in {folder} yet", "zh": "{folder} 中还没有文件 {path}"},
    "manifest.unreadable": {"en": "{path}: {problem}", "zh": "{path}：{problem}"},
    "manifest.too_big": {
        "en": "{path} is larger than {limit} bytes: not a saved manifest",
        "zh": "{path} 超过 {limit} 字节：不是导出的清单文件",
    },
    "manifest.bad_yaml": {"en": "{path}:{line}: not valid YAML: {problem}",
                          "zh": "{path}:{line}：不是有效的 YAML：{problem}"},
    "manifest.empty": {"en": "{path} is empty", "zh": "{path} 是空文件"},
    "manifest.not_mapping": {
        "en": "{path} is not a Kubernetes object (a YAML mapping with kind and metadata)",
        "zh": "{path} 不是 Kubernetes 对象（应为含有 kind 和 metadata 的 YAML 映射）",
    },
    "manifest.multiple": {
        "en": "{path} holds {count} objects; save just {kind} {name}",
        "zh": "{path} 包含 {count} 个对象；只保存 {kind} {name}",
    },
    "manifest.wrong_object": {
        "en": "{path} describes {actual}, expected {expected}",
        "zh": "{path} 描述的是 {actual}，应为 {expected}",
    },
    "manifest.no_live": {
        "en": "{kind} {name} does not exist in the cluster, so {path} cannot be compared",
        "zh": "集群中不存在 {kind} {name}，无法与 {path} 比较",
    },
    "manifest.no_uid": {
        "en": "{path} has no metadata.uid: save it from the cluster with kubectl get -o yaml",
        "zh": "{path} 没有 metadata.uid：请用 kubectl get -o yaml 从集群导出",
    },
    "manifest.stale": {
        "en": "{path} is stale: saved from an earlier {kind} {name} (uid {actual}, now {expected})",
        "zh": "{path} 已过期：它导出自之前的 {kind} {name}（uid {actual}，现在是 {expected}）",
    },
    "manifest.fields": {
        "en": "{path} differs from the live {kind} {name} in {fields}",
        "zh": "{path} 与集群中的 {kind} {name} 在 {fields} 上不一致",
    },
    "manifest.ok": {
        "en": "{path} describes {kind} {name} as it is now (uid {uid})",
        "zh": "{path} 描述的是当前的 {kind} {name}（uid {uid}）",
    },
})


class Spec(CheckSpec):
    kind: Literal["manifest_file"] = Field(
        description="A YAML file the learner saved parses and describes the same live object."
    )
    path: str = Field(description="File path, relative to the files folder (--files).")
    object_kind: str = Field(description="Kubernetes kind the file must describe, e.g. Pod, Service.")
    name: str = Field(description="Name of the object the file must describe.")
    same_uid: bool = Field(
        True, description="The file's metadata.uid must equal the live object's uid (saved from it)."
    )
    fields: list[str] = Field(
        default_factory=list,
        description="Dotted paths compared file vs live, e.g. spec.containers.0.image, "
                    "spec.ports.0.nodePort.",
    )

    @field_validator("path")
    @classmethod
    def _relative(cls, value: str) -> str:
        return relative_path(value)

    @field_validator("object_kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        return check_kind_name(value)

    @field_validator("fields")
    @classmethod
    def _dotted(cls, value: list[str]) -> list[str]:
        for path in value:
            if not all(part.strip() for part in path.split(".")):
                raise ValueError(f"{path!r} is not a dotted path like spec.containers.0.image")
        return value


def _parse(text: str, multi: bool) -> list[Any]:
    """libyaml when present (a graded class parses thousands of files); the pure-Python loader's
    words for an error, so a learner reads the same message either way."""
    import yaml  # here: `labcheck list` and `explain` read no learner's file

    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return list(yaml.load_all(text, Loader=fast)) if multi else [yaml.load(text, Loader=fast)]
        except (yaml.YAMLError, RecursionError):
            pass
    return list(yaml.safe_load_all(text)) if multi else [yaml.safe_load(text)]


def load_small_yaml(path: Path, shown: str, prefix: str,
                    multi: bool) -> tuple[list[Any] | None, Finding | None]:
    """Parse a learner's YAML file: (documents, None), (None, None) if absent, or (None, a FAILED finding).

    Messages are `{prefix}.unreadable`, `.too_big` and `.bad_yaml`, with `path` and `problem`/`line`.
    """
    if not path.exists():
        return None, None

    def failed(key: str, expected: str | Text, actual: str | Text, **params: object) -> tuple[None, Finding]:
        return None, Finding(Outcome.FAILED, msg(f"{prefix}.{key}", path=shown, **params),
                             {"file": expected}, {"file": actual})

    try:
        if not path.is_file():
            not_a_file = msg("value.not_a_file")
            return failed("unreadable", msg("value.a_file"), not_a_file, problem=not_a_file)
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return failed("too_big", msg("value.max_bytes", n=MAX_FILE_BYTES), msg("value.bytes", n=size),
                          limit=MAX_FILE_BYTES)
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return failed("unreadable", msg("value.utf8"), msg("value.binary"), problem=msg("value.not_utf8"))
    except OSError as exc:
        problem = exc.strerror or str(exc)
        return failed("unreadable", msg("value.readable"), problem, problem=problem)
    if not multi:  # an answers file: plain `key: value` lines, read without importing PyYAML
        data = simple_yaml.parse(text)
        if data is not simple_yaml.NOT_SIMPLE:
            return ([] if data is None else [data]), None
    import yaml

    try:
        docs = _parse(text, multi)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        words = yaml_problem(one_line(str(exc.problem or exc.context or "")))
        return failed("bad_yaml", msg("value.valid_yaml"), msg("value.yaml_line", line=line, problem=words),
                      line=line, problem=words)
    except (yaml.YAMLError, RecursionError) as exc:
        words = yaml_problem(one_line(str(exc))) if str(exc) else msg("yaml.too_deep")
        return failed("bad_yaml", msg("value.valid_yaml"), words, line=1, problem=words)
    return [d for d in docs if d is not None], None


def field_value(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if isinstance(obj, dict):
            obj = obj.get(part)
        elif isinstance(obj, list) and part.isdigit() and int(part) < len(obj):
            obj = obj[int(part)]
        else:
            return None
    return obj


def _show(value: Any) -> str:
    if value is None:
        return "-"
    return one_line(value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str))


def evaluate(spec: Spec, ctx: EvalContext) -> Finding:
    kind, name, shown = spec.object_kind, spec.name, spec.path
    docs, problem = load_small_yaml(ctx.files_dir / spec.path, shown, "manifest", multi=True)
    if problem is not None:
        return problem
    if docs is None:
        return Finding(Outcome.PENDING, msg("manifest.missing", path=shown, folder=str(ctx.files_dir)),
                       {"file": shown}, {"file": "-"})
    if not docs:
        return Finding(Outcome.FAILED, msg("manifest.empty", path=shown), {"file": f"{kind} {name}"},
                       {"file": msg("value.empty")})
    doc = docs[0]
    # `kubectl get -o yaml` with several names (or -l) writes a List; one item is fine.
    if len(docs) == 1 and isinstance(doc, dict) and doc.get("kind") == "List":
        items = doc.get("items")
        docs = items if isinstance(items, list) else []
        doc = docs[0] if docs else None
    if len(docs) != 1:
        return Finding(Outcome.FAILED,
                       msg("manifest.multiple", path=shown, count=len(docs), kind=kind, name=name),
                       {"objects": "1"}, {"objects": str(len(docs))})
    if not isinstance(doc, dict) or not isinstance(doc.get("metadata"), dict):
        return Finding(Outcome.FAILED, msg("manifest.not_mapping", path=shown), {"file": f"{kind} {name}"},
                       {"file": type(doc).__name__})
    meta: dict[str, Any] = doc["metadata"]
    described = f"{doc.get('kind', '?')} {meta.get('name', '?')}"
    if doc.get("kind") != kind or meta.get("name") != name:
        return Finding(Outcome.FAILED,
                       msg("manifest.wrong_object", path=shown, actual=described, expected=f"{kind} {name}"),
                       {"kind": kind, "name": name},
                       {"kind": str(doc.get("kind", "-")), "name": str(meta.get("name", "-"))})
    live = ctx.get(kind, name, namespaced=kind_info(kind).namespaced)
    if live is None:
        text = msg("manifest.no_live", kind=kind, name=name, path=shown)
        if kind_info(kind).namespaced:
            text = where_is(ctx, kind, name) or text
        return Finding(Outcome.PENDING, text, {kind: name}, {kind: "-"})
    deleting = being_deleted(kind, live)
    if deleting:
        return deleting
    live_uid = str(live["metadata"].get("uid", ""))
    file_uid = str(meta.get("uid") or "")
    evidence = {"uid": live_uid, "file": shown}
    if spec.same_uid and file_uid != live_uid:
        key = "manifest.stale" if file_uid else "manifest.no_uid"
        return Finding(Outcome.FAILED,
                       msg(key, path=shown, kind=kind, name=name, actual=file_uid, expected=live_uid),
                       {"uid": live_uid}, {"uid": file_uid or "-"}, evidence)
    expected: dict[str, str] = {}
    actual: dict[str, str] = {}
    for dotted in spec.fields:
        want, have = field_value(live, dotted), field_value(doc, dotted)
        if want != have:
            expected[dotted], actual[dotted] = _show(want), _show(have)
    if expected:
        return Finding(Outcome.FAILED,
                       msg("manifest.fields", path=shown, kind=kind, name=name, fields=", ".join(expected)),
                       expected, actual, evidence)
    return Finding(Outcome.PASSED, msg("manifest.ok", path=shown, kind=kind, name=name, uid=live_uid),
                   evidence=evidence)
