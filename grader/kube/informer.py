"""One kind in one namespace (or all) kept in memory: LIST, then WATCH from its resourceVersion.

As client-go's reflector: bookmarks asked for (they move the resourceVersion on, so a reconnect
rarely needs a relist); `410 Gone` (the HTTP status, or an ERROR event with code 410) relists;
a dropped connection watches again from the last resourceVersion after a back-off. A watch the
server refuses (403, 405) or does not answer falls back to listing every `poll_interval`.
"""

from __future__ import annotations

import contextlib
import random
import threading
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from labcheck.errors import ClusterError

Key = tuple[str, str | None]  # (kind, namespace or None for all)


class Stream(Protocol):
    def events(self) -> Iterator[dict[str, Any]]: ...

    def close(self) -> None: ...


class Source(Protocol):
    """What an informer needs of a cluster; grader/kube/watch.py's KubeSource, fakes in tests."""

    def list_all(self, kind: str, namespace: str | None) -> tuple[list[dict[str, Any]], str]: ...

    def watch(self, kind: str, namespace: str | None, resource_version: str) -> Stream: ...


class Expired(Exception):
    """The resourceVersion is too old to watch from (410 Gone): list again."""


class Refused(Exception):
    """The server will not watch (403, 405, no answer): poll instead. `why` says which."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


def _object_key(obj: dict[str, Any]) -> tuple[str, str]:
    meta = obj.get("metadata") or {}
    return str(meta.get("namespace") or ""), str(meta.get("name") or "")


class Informer:
    """The objects of `key`; `on_change()` is called (from its thread) after every change."""

    def __init__(self, source: Source, key: Key, on_change: Callable[[], None],
                 on_refused: Callable[[Key, str], None], poll_interval: float = 1.0,
                 max_backoff: float = 5.0) -> None:
        self.source, self.key = source, key
        self._on_change, self._on_refused = on_change, on_refused
        self.poll_interval, self.max_backoff = poll_interval, max_backoff
        self.objects: dict[tuple[str, str], dict[str, Any]] = {}
        self.error: ClusterError | None = None
        self.synced = threading.Event()  # the first list is in (or failed)
        self.polling = False
        self.lists = self.watches = self.relists = self.reconnects = 0  # for tests and benchmarks
        self.resource_version = ""
        self._stop = threading.Event()
        self._stream: Stream | None = None
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"watch-{key[0]}")

    def start(self) -> Informer:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ends the watch; the thread (a daemon) finishes on its own: nobody waits for it."""
        self._stop.set()
        stream = self._stream
        if stream is not None:
            with contextlib.suppress(Exception):
                stream.close()

    def items(self) -> list[dict[str, Any]]:
        """The objects in the API server's list order (namespace, then name)."""
        if self.error is not None:
            raise self.error
        return [self.objects[k] for k in sorted(self.objects)]

    def _list(self) -> bool:
        """A fresh list replaces what is held; True when it differs (or the error did). The first
        is no change: whoever asked for the list reads it."""
        self.lists += 1
        first = not self.synced.is_set()
        try:
            items, version = self.source.list_all(*self.key)
        except ClusterError as exc:
            changed = self.error is None or str(self.error) != str(exc)
            self.error, self.resource_version = exc, ""
            return changed and not first
        fresh = {_object_key(o): o for o in items}
        changed = self.error is not None or _versions(fresh) != _versions(self.objects)
        self.objects, self.error, self.resource_version = fresh, None, version
        return changed and not first

    def _changed(self, changed: bool) -> None:
        self.synced.set()
        if changed:
            self._on_change()

    def _run(self) -> None:
        backoff = 0.1
        while not self._stop.is_set():
            if not self.resource_version or self.polling:
                self._changed(self._list())
                if self.error is not None or self.polling:
                    self._stop.wait(self.poll_interval if self.polling else backoff)
                    backoff = min(backoff * 2, self.max_backoff)
                    continue
            try:
                self._watch()
                backoff = 0.1  # the server ended the watch (its timeout): watch again at once
            except Expired:
                self.relists += 1
                self.resource_version = ""
            except Refused as exc:
                self._on_refused(self.key, exc.why)  # said before anyone sees it polling
                self.polling = True
            except Exception:  # dropped, reset, cut mid-line (ClusterError, OSError, ValueError, ...)
                if self._stop.is_set():
                    return
                self.reconnects += 1
                self._stop.wait(backoff * random.uniform(0.8, 1.2))
                backoff = min(backoff * 2, self.max_backoff)

    def _watch(self) -> None:
        self.watches += 1
        stream = self.source.watch(*self.key, self.resource_version)
        self._stream = stream
        try:
            if self._stop.is_set():  # stop() came while the watch was opening and saw no stream
                return
            for event in stream.events():
                if self._stop.is_set():
                    return
                self._apply(event)
        finally:
            self._stream = None
            with contextlib.suppress(Exception):
                stream.close()

    def _apply(self, event: dict[str, Any]) -> None:
        kind, obj = event.get("type"), event.get("object") or {}
        if kind == "ERROR":
            if obj.get("code") == 410:
                raise Expired()
            raise ClusterError("server_error", f"watch: {obj.get('message', 'error event')}")
        version = str((obj.get("metadata") or {}).get("resourceVersion") or "")
        if version:
            self.resource_version = version
        if kind == "BOOKMARK":
            return
        obj.setdefault("kind", self.key[0])
        if kind == "DELETED":
            self.objects = {k: o for k, o in self.objects.items() if k != _object_key(obj)}
        elif kind in ("ADDED", "MODIFIED"):
            self.objects = {**self.objects, _object_key(obj): obj}  # readers hold the old dict
        else:
            return
        self._changed(True)


def _versions(objects: dict[tuple[str, str], dict[str, Any]]) -> dict[tuple[str, str], str]:
    return {k: str((o.get("metadata") or {}).get("resourceVersion", "")) for k, o in objects.items()}



def timeout_seconds() -> int:
    """How long one watch request lasts on the server: 5-10 minutes, spread as client-go does."""
    return int(300 * (1 + random.random()))
