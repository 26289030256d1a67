"""Who the board grades and how it reads their cluster.

A roster's students are grouped by (kubeconfig, context). A cluster two or more students share
gets one WatchHub watching each kind across all namespaces; a student alone on a cluster gets a
hub watching their namespace. At most `max_watched` clusters are watched; students on the others
are graded by plain requests every interval (and the board says so).
"""

from __future__ import annotations

import builtins
import fnmatch
import sys
import threading
from pathlib import Path
from typing import Any

from labcheck.batch.roster import Student
from labcheck.board.state import Row, Target
from labcheck.core.answers import ExecResult, HttpResult
from labcheck.core.i18n import Lang, Text
from labcheck.core.kinds import kind_info
from labcheck.errors import ClusterError, LabcheckError


class WatchedReader:
    """A ClusterReader: lists from a hub (filtered to the namespace when the hub watches all of
    them), logs, exec and HTTP from the cluster."""

    def __init__(self, hub: Any, cluster: Any, all_namespaces: bool) -> None:
        self.hub, self.cluster, self.all_namespaces = hub, cluster, all_namespaces

    def list(self, kind: str, namespace: str | None) -> list[dict[str, Any]]:
        if not kind_info(kind).namespaced or namespace is None:
            return list(self.hub.list(kind, None))
        if not self.all_namespaces:
            return list(self.hub.list(kind, namespace))
        return [o for o in self.hub.list(kind, None)
                if (o.get("metadata") or {}).get("namespace") == namespace]

    def pod_logs(self, namespace: str, pod: str, container: str | None,
                 tail_lines: int, limit_bytes: int) -> str:
        return str(self.cluster.pod_logs(namespace, pod, container, tail_lines, limit_bytes))

    def exec(self, namespace: str, pod: str, container: str | None,
             command: builtins.list[str], timeout: float) -> ExecResult:
        result: ExecResult = self.cluster.exec(namespace, pod, container, command, timeout)
        return result

    def proxy_get(self, namespace: str, service: str, port: int, path: str, timeout: float) -> HttpResult:
        result: HttpResult = self.cluster.proxy_get(namespace, service, port, path, timeout)
        return result

    def port_forward_get(self, namespace: str, pod: str, port: int, path: str,
                         timeout: float) -> HttpResult:
        result: HttpResult = self.cluster.port_forward_get(namespace, pod, port, path, timeout)
        return result


def _connect(kubeconfig: str | None, context: str | None) -> Any:
    from labcheck.kube import connect

    try:
        cluster, target = connect(kubeconfig, context)
        cluster.version()
    except ClusterError as exc:
        raise LabcheckError(f"labcheck board: cannot use the cluster of context {context or '(current)'}: "
                            f"{exc.message}") from None
    return cluster, target


def namespace_students(kubeconfig: str | None, context: str | None, pattern: str) -> list[Student]:
    """--namespaces 'team-*': one student per matching namespace of the cluster, in name order."""
    cluster, _ = _connect(kubeconfig, context)
    names = sorted(str(n["metadata"]["name"]) for n in cluster.list("Namespace", None)
                   if fnmatch.fnmatchcase(str(n["metadata"]["name"]), pattern))
    if not names:
        raise LabcheckError(f"labcheck board: no namespace matches --namespaces {pattern!r}")
    return [Student(index=i, id=ns, name=ns, kubeconfig=kubeconfig, context=context, namespace=ns)
            for i, ns in enumerate(names)]


def build_rows(students: list[Student], kubeconfig: str | None, files: Path | None, default_namespace: str,
               cond: threading.Condition, lang: Lang, max_watched: int = 20) -> list[Row]:
    from labcheck.kube.http import http_get

    groups: dict[tuple[str | None, str | None], list[Student]] = {}
    for s in students:
        groups.setdefault((s.kubeconfig or kubeconfig, s.context), []).append(s)
    said: list[bool] = [False]

    def note(text: Text) -> None:
        if not said[0]:
            said[0] = True
            print(f"labcheck: {text.get(lang)}", file=sys.stderr)

    readers: dict[tuple[str | None, str | None], tuple[Any, Any, str]] = {}
    for key, members in groups.items():
        cluster, target = _connect(*key)
        hub = cluster.watch_hub(note, cond=cond) if len(readers) < max_watched else None
        reader = WatchedReader(hub, cluster, len(members) > 1) if hub is not None else cluster
        readers[key] = (reader, hub, target.namespace or default_namespace)
    if len(groups) > max_watched:
        print(f"labcheck board: {len(groups) - max_watched} clusters beyond --max-watched {max_watched} "
              "are graded every --interval without watches", file=sys.stderr)
    rows = []
    for index, s in enumerate(students):
        reader, hub, namespace = readers[(s.kubeconfig or kubeconfig, s.context)]
        folder = files / s.id if files is not None and (files / s.id).is_dir() else files or Path(".")
        rows.append(Row(index, s.id, s.name, Target(reader, hub, s.namespace or namespace, folder, http_get)))
    return rows
