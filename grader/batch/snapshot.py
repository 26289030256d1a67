"""One kind's cluster-wide list as a batch round keeps it (batch/shared.py): packed, not parsed.

A parsed Kubernetes object takes about five times its JSON in Python (a learner's dozen Events
alone ~60 kB), so a class of 500 held parsed for the round would be ~50 MB. A snapshot keeps each
roster namespace's objects as one compact JSON text, zlib-compressed (fast level: ~0.1 s of CPU
for a class of 500), parsed again when a student reads them (a student's run reads a kind once
per round: cached.py), and every object's metadata (STUB_FIELDS, in the API's order) for a look
across namespaces. Pages are packed as they come, so the whole list is never parsed at once
either. Cluster-scoped kinds (nodes, namespaces) stay parsed.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable
from typing import Any

from labcheck.core.kinds import kind_info
from labcheck.core.record import dataclass, field
from labcheck.errors import ClusterError

STUB_FIELDS = ("name", "namespace", "uid", "creationTimestamp", "deletionTimestamp")


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))  # ASCII: \u escapes for the rest


def _pack(parts: list[str]) -> bytes:
    return zlib.compress(("[" + ",".join(parts) + "]").encode("ascii"), 1)


def _unpack(blob: bytes) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = json.loads(zlib.decompress(blob))
    return objects


@dataclass
class Snapshot:
    taken: float
    error: ClusterError | None = None
    cluster_scoped: list[dict[str, Any]] = field(default_factory=list)
    packed: dict[str, bytes] = field(default_factory=dict)  # roster namespace -> its objects, packed
    stubs: bytes = field(default_factory=lambda: _pack([]))  # every object's metadata, API order, packed
    _everywhere: list[dict[str, Any]] | None = None

    @classmethod
    def of_pages(cls, taken: float, kind: str, pages: Iterable[list[dict[str, Any]]],
                 namespaces: set[str]) -> Snapshot:
        """The snapshot of a list's pages: ClusterError if one of them fails."""
        found = cls(taken)
        if not kind_info(kind).namespaced:
            for page in pages:
                found.cluster_scoped += page
            return found
        groups: dict[str, list[str]] = {}
        stubs: list[str] = []
        for page in pages:
            for item in page:
                meta = item.get("metadata") or {}
                stub = {"kind": kind, "metadata": {k: meta[k] for k in STUB_FIELDS if k in meta}}
                stubs.append(_dumps(stub))
                if meta.get("namespace") in namespaces:
                    groups.setdefault(meta["namespace"], []).append(_dumps(item))
        found.packed = {ns: _pack(parts) for ns, parts in groups.items()}
        found.stubs = _pack(stubs)
        return found

    def in_namespace(self, namespace: str | None) -> list[dict[str, Any]]:
        """A namespace's objects (a fresh copy for each caller), or the cluster-scoped objects (None)."""
        if namespace is None:
            return self.cluster_scoped
        blob = self.packed.get(namespace)
        return _unpack(blob) if blob else []

    def everywhere(self) -> list[dict[str, Any]]:
        """Every object's metadata, in all namespaces: parsed at the first look, then shared."""
        if self._everywhere is None:
            self._everywhere = _unpack(self.stubs)
        return self._everywhere
