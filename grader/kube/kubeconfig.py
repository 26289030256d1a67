"""KUBECONFIG files read and merged by client-go's rules (clientcmd/loader.go, client_config.go).

- `--kubeconfig` names one file, which must exist; otherwise every file of KUBECONFIG in order
  (missing and empty files skipped), otherwise ~/.kube/config.
- The first file to set a key wins: current-context, and each cluster, user and context by name.
- Relative paths (CA, client cert and key, tokenFile, an exec command with a slash) are resolved
  against the file their stanza came from; `~` is not expanded (kubectl does not either).
- Field types are checked as Go's decoder does (`insecure-skip-tls-verify: "false"` is refused),
  with the file, line and field in the message.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from labcheck.core import simple_yaml
from labcheck.core.record import dataclass, field
from labcheck.errors import ClusterError

_B64 = "base64"
# client-go's api/v1 types: what each field must be (fields not listed are ignored, as in Go)
_CLUSTER = {"server": str, "tls-server-name": str, "insecure-skip-tls-verify": bool,
            "certificate-authority": str, "certificate-authority-data": _B64, "proxy-url": str,
            "disable-compression": bool, "extensions": list}
_USER = {"client-certificate": str, "client-certificate-data": _B64, "client-key": str,
         "client-key-data": _B64, "token": str, "tokenFile": str, "as": str, "as-uid": str,
         "as-groups": list, "as-user-extra": dict, "username": str, "password": str,
         "auth-provider": dict, "exec": dict, "extensions": list}
_EXEC = {"command": str, "args": list, "env": list, "apiVersion": str, "installHint": str,
         "provideClusterInfo": bool, "interactiveMode": str}
_CONTEXT: dict[str, Any] = {"cluster": str, "user": str, "namespace": str, "extensions": list}
_PATH_FIELDS = {"clusters": ("certificate-authority",),
                "users": ("client-certificate", "client-key", "tokenFile")}
_SECTIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "clusters": ("cluster", _CLUSTER), "users": ("user", _USER), "contexts": ("context", _CONTEXT)}


def config_error(message: str) -> ClusterError:
    return ClusterError("config", message)


@dataclass(frozen=True)
class Stanza:
    """A named cluster, user or context, and the file it came from."""

    name: str
    data: dict[str, Any]
    origin: Path


@dataclass
class Merged:
    """The KUBECONFIG files merged: what `kubectl config view` would show."""

    files: list[Path] = field(default_factory=list)
    current_context: str = ""
    clusters: dict[str, Stanza] = field(default_factory=dict)
    users: dict[str, Stanza] = field(default_factory=dict)
    contexts: dict[str, Stanza] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.current_context or self.clusters or self.users or self.contexts)


def kubeconfig_files(explicit: str | None) -> tuple[list[Path], bool]:
    """The files to read, and whether they were named (then a missing one is an error)."""
    if explicit:
        return [Path(explicit)], True
    env = os.environ.get("KUBECONFIG")
    if env:
        return [Path(p) for p in dict.fromkeys(env.split(os.pathsep)) if p], False
    return [Path.home() / ".kube" / "config"], False


def load_merged(explicit: str | None) -> Merged:
    paths, named = kubeconfig_files(explicit)
    merged = Merged()
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            if named:
                raise config_error(f"kubeconfig {path} does not exist") from None
            continue
        except IsADirectoryError:
            raise config_error(f"cannot load kubeconfig {path}: it is a directory") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise config_error(f"cannot load kubeconfig {path}: {exc.__class__.__name__}: "
                               f"{getattr(exc, 'strerror', '') or exc}") from None
        merged.files.append(path)
        _merge(merged, path, text)
    return merged


def _load(path: Path, text: str) -> Any:
    data = simple_yaml.parse(text)
    if data is not simple_yaml.NOT_SIMPLE:
        return data
    import yaml  # only for what simple_yaml leaves to it: PyYAML costs start-up time

    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark is not None else ""
        # PyYAML's own message quotes the broken line, which may hold a secret
        raise config_error(f"cannot load kubeconfig {path}{line}: not valid YAML") from None


def _merge(merged: Merged, path: Path, text: str) -> None:
    data = _load(path, text)
    if data is None:
        return  # an empty file, as client-go
    if not isinstance(data, dict):
        raise _type_error(path, text, [], "a mapping", data)
    current = data.get("current-context")
    if current is not None and not isinstance(current, str):
        raise _type_error(path, text, ["current-context"], "a string", current)
    if current and not merged.current_context:
        merged.current_context = current
    base = path.absolute().parent
    for section, (inner, fields) in _SECTIONS.items():
        items = data.get(section)
        if items is None:
            continue
        if not isinstance(items, list):
            raise _type_error(path, text, [section], "a list", items)
        for index, item in enumerate(items):
            where: list[str | int] = [section, index]
            if not isinstance(item, dict):
                raise _type_error(path, text, where, "a mapping", item)
            name = item.get("name")
            if name is not None and not isinstance(name, str):
                raise _type_error(path, text, [*where, "name"], "a string", name)
            body = item.get(inner)
            if body is None:
                body = {}
            if not isinstance(body, dict):
                raise _type_error(path, text, [*where, inner], "a mapping", body)
            _check_types(path, text, [*where, inner], body, fields)
            if section == "users" and isinstance(body.get("exec"), dict):
                _check_types(path, text, [*where, inner, "exec"], body["exec"], _EXEC)
            body = _resolved(section, body, base)
            table: dict[str, Stanza] = getattr(merged, section)
            table.setdefault(name or "", Stanza(name or "", body, path))


def _resolved(section: str, body: dict[str, Any], base: Path) -> dict[str, Any]:
    out = dict(body)
    for key in _PATH_FIELDS.get(section, ()):
        if out.get(key) and not os.path.isabs(out[key]):
            out[key] = str(base / out[key])
    plugin = out.get("exec")
    command = str(plugin.get("command") or "") if isinstance(plugin, dict) else ""
    if section == "users" and isinstance(plugin, dict) and "/" in command and not os.path.isabs(command):
        out["exec"] = {**plugin, "command": str(base / command)}
    return out


_NAMES = {str: "a string", bool: "true or false", list: "a list", dict: "a mapping", _B64: "base64 text"}


def _check_types(path: Path, text: str, where: list[str | int], body: dict[str, Any],
                 fields: dict[str, Any]) -> None:
    import base64
    import binascii

    for key, value in body.items():
        want = fields.get(key)
        if want is None or value is None:
            continue
        if want == _B64:
            ok = isinstance(value, str)
            if ok:
                try:
                    base64.b64decode(value, validate=True)
                except (binascii.Error, ValueError):
                    raise config_error(f"cannot load kubeconfig {path}{_line(text, [*where, key])}: "
                                       f"{_dotted([*where, key])} is not valid base64") from None
        else:
            ok = isinstance(value, want) and not (want is str and isinstance(value, bool))
        if not ok:
            raise _type_error(path, text, [*where, key], _NAMES[want], value)


def _type_error(path: Path, text: str, where: list[str | int], expected: str, value: Any) -> ClusterError:
    got = {bool: "true/false", int: "a number", float: "a number", str: "a string", list: "a list",
           dict: "a mapping"}.get(type(value), type(value).__name__)
    shown = f" ({value!r})" if isinstance(value, bool | int | float) or value in ("true", "false") else ""
    return config_error(f"cannot load kubeconfig {path}{_line(text, where)}: {_dotted(where) or 'the file'} "
                        f"must be {expected}, not {got}{shown}")


def _dotted(where: list[str | int]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p) for i, p in enumerate(where))


def _line(text: str, where: list[str | int]) -> str:
    """', line N' of the value at `where`, from the YAML node tree (only built for a message)."""
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return ""
    for part in where:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            node = None
        if node is None:
            return ""
    return f", line {node.start_mark.line + 1}" if node is not None else ""
