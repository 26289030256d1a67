"""The class as the board shows it: every student's last grade, kept current from watches.

Students on one cluster share its WatchHub (one watch per kind, all namespaces); a student graded
on a cluster of their own gets a hub of that cluster (watches of their namespace). A change
re-grades only the students whose namespace (or a cluster-scoped object) changed; every
`interval` seconds everyone is graded again, for the logs, exec and HTTP checks no watch sees.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from labcheck.core.record import dataclass, field
from labcheck.core.results import Outcome, RunResult
from labcheck.runner import RunOptions, run_lab
from labcheck.spec import Lab


@dataclass
class Target:
    """Where one student is graded: a reader over a hub, and that hub (None: not watched)."""

    reader: Any
    hub: Any
    namespace: str
    files_dir: Path
    http_get: Callable[[str, float], Any] | None = None


@dataclass
class Row:
    index: int
    id: str
    name: str
    target: Target
    result: RunResult | None = None
    fingerprint: Any = None
    version: int = 0  # the board's version when this row last changed
    passed: dict[str, frozenset[str]] = field(default_factory=dict)
    progress_at: dict[str, float] = field(default_factory=dict)  # step -> when it last moved


def _cluster_scoped(obj: dict[str, Any]) -> str:
    """What a check reads of a Node (or PV, StorageClass): not its resourceVersion, which every
    heartbeat moves, and every student's fingerprint holds the cluster-scoped objects."""
    status = obj.get("status") or {}
    conditions = sorted((str(c.get("type")), str(c.get("status"))) for c in status.get("conditions") or [])
    return repr((obj.get("metadata", {}).get("uid"), status.get("phase"), conditions, obj.get("spec")))


Prints = dict[tuple[str, str], int]  # (namespace or "" for cluster-scoped, kind) -> digest


def fingerprints(hub: Any) -> Prints:
    """A digest of the objects of each kind per namespace: resourceVersions (namespaced objects)."""
    parts: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for (kind, _ns), informer in list(hub.informers.items()):
        parts.setdefault(("", kind), [])
        for (namespace, name), obj in list(informer.objects.items()):
            rv = (str((obj.get("metadata") or {}).get("resourceVersion", "")) if namespace
                  else _cluster_scoped(obj))
            parts.setdefault((namespace, kind), []).append((name, rv))
        if informer.error is not None:
            parts[("", kind)].append(("error", str(informer.error)))
    return {key: hash(tuple(sorted(items))) for key, items in parts.items()}


def _mine(prints: Prints, namespace: str) -> dict[str, tuple[int | None, int | None]]:
    """What one student's grade read: per watched kind, their namespace's and the cluster's digest."""
    return {kind: (prints.get((namespace, kind)), prints.get(("", kind))) for (ns, kind) in prints if not ns}


def _moved(before: Any, now: dict[str, Any]) -> bool:
    """A kind this student's last grade could have read changed (a kind first watched since then
    was not read by it: watching it for another student re-grades nobody else)."""
    return before is None or any(now.get(kind, (None, None)) != value for kind, value in before.items())


class Board:
    def __init__(self, lab: Lab, step_ids: list[str], rows: list[Row], stuck_minutes: float = 10.0,
                 interval: float = 30.0, clock: Callable[[], float] = time.monotonic,
                 cond: threading.Condition | None = None) -> None:
        self.lab, self.step_ids, self.rows = lab, step_ids, rows
        self.stuck_seconds, self.interval, self.clock = stuck_minutes * 60, interval, clock
        self.cond = cond or threading.Condition()  # the hubs' too: a change anywhere wakes the board
        self.version = 0
        self.listeners: set[Callable[[], None]] = set()
        self.gradings = 0
        self.started = clock()

    def hubs(self) -> list[Any]:
        return list({id(r.target.hub): r.target.hub for r in self.rows if r.target.hub is not None}.values())

    def grade(self, row: Row) -> bool:
        """Grade one student now (one look); True when what the board shows changed."""
        target = row.target
        options = RunOptions(namespace=target.namespace, files_dir=target.files_dir, wait=0,
                             http_get=target.http_get)
        result = run_lab(self.lab, self.step_ids, target.reader, options)
        self.gradings += 1
        now = self.clock()
        before = row.result
        row.result = result
        changed = before is None or _cells(before) != _cells(result)
        for step in result.steps:
            passed = frozenset(c.check_id for c in step.checks if c.outcome is Outcome.PASSED)
            if row.passed.get(step.step_id) != passed:
                row.passed[step.step_id] = passed
                row.progress_at[step.step_id] = now
        return changed

    def refresh(self, everyone: bool = False) -> list[Row]:
        """Grade the students whose objects changed (all of them with `everyone`); the changed rows."""
        prints = {id(h): fingerprints(h) for h in self.hubs()}
        changed: list[Row] = []
        for row in self.rows:
            hub = row.target.hub
            now = _mine(prints.get(id(hub), {}), row.target.namespace) if hub is not None else {}
            if everyone or hub is None or row.result is None or _moved(row.fingerprint, now):
                watched = len(hub.informers) if hub is not None else 0
                if self.grade(row):
                    changed.append(row)
                if hub is not None and len(hub.informers) != watched:  # it read a kind first watched now
                    prints[id(hub)] = fingerprints(hub)
                    now = _mine(prints[id(hub)], row.target.namespace)
                row.fingerprint = now
        if changed:
            with self.cond:
                self.version += 1
                for row in changed:
                    row.version = self.version
                self.cond.notify_all()
            for listener in list(self.listeners):
                listener()
        return changed

    def hub_versions(self) -> int:
        return sum(int(h.version) for h in self.hubs())

    def run(self, stop: threading.Event, debounce: float = 0.05) -> None:
        """Grade everyone, then again on every change (after `debounce`) and every `interval`."""
        self.refresh(everyone=True)
        seen, last_full = self.hub_versions(), self.clock()
        while not stop.is_set():
            with self.cond:
                self.cond.wait_for(partial(self._woken, seen, stop),
                                   max(0.0, last_full + self.interval - self.clock()))
            if stop.is_set():
                return
            stop.wait(debounce)  # a kubectl command changes several objects in a burst
            seen = self.hub_versions()
            everyone = self.clock() >= last_full + self.interval
            if everyone:
                last_full = self.clock()
            self.refresh(everyone)

    def _woken(self, seen: int, stop: threading.Event) -> bool:
        return self.hub_versions() > seen or stop.is_set()

    def stuck(self, row: Row) -> str | None:
        """The step this student has made no progress on for --stuck-minutes, if any."""
        result = row.result
        if result is None:
            return None
        for step in result.steps:
            scored = [c for c in step.checks if c.points > 0]
            if all(c.outcome is Outcome.PASSED for c in scored):
                continue
            since = row.progress_at.get(step.step_id, self.started)
            return step.step_id if self.clock() - since >= self.stuck_seconds else None
        return None


def _cells(result: RunResult) -> tuple[tuple[str, str, str], ...]:
    return tuple((c.step_id, c.check_id, c.outcome.value + c.message.en) for c in result.checks)
