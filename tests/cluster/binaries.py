"""Where the locally built control plane lives: versions.env -> the cache's bin directory."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
VERSIONS_ENV = HERE / "versions.env"
BUILD_SCRIPT = "bash tests/cluster/build.sh"
BINARIES = ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl",
            "etcd", "kwok", "kwokctl")


class MissingBinaries(RuntimeError):
    """The control plane has not been built (or only partly)."""


def versions(path: Path = VERSIONS_ENV) -> dict[str, str]:
    """KEY=VALUE lines of versions.env (the single place where versions are pinned)."""
    out: dict[str, str] = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            out[key.strip()] = value.strip().strip('"')
    return out


@dataclass(frozen=True)
class Binaries:
    """The cache directory build.sh fills, e.g. ~/.cache/labcheck-testenv/v1.36.5-etcdv3.6.16-kwokv0.8.0."""

    dir: Path
    kubernetes_version: str
    etcd_version: str
    kwok_version: str

    @property
    def bin(self) -> Path:
        return self.dir / "bin"

    def __getitem__(self, name: str) -> Path:
        return self.bin / name

    @classmethod
    def from_versions(cls, cache_root: Path | None = None) -> Binaries:
        v = versions()
        root = cache_root or Path(
            os.environ.get("LABCHECK_TESTENV_CACHE") or Path.home() / ".cache" / "labcheck-testenv"
        )
        k8s, etcd, kwok = v["KUBERNETES_VERSION"], v["ETCD_VERSION"], v["KWOK_VERSION"]
        return cls(root / f"{k8s}-etcd{etcd}-kwok{kwok}", k8s, etcd, kwok)

    def missing(self) -> list[str]:
        gone = [b for b in BINARIES if not os.access(self[b], os.X_OK)]
        if not (self.dir / ".complete").exists():
            gone.append(".complete (build stamp)")
        return gone

    def require(self) -> Binaries:
        """Raise MissingBinaries, saying how to build them, unless every binary is there."""
        gone = self.missing()
        if gone:
            raise MissingBinaries(
                f"the local control plane is not built in {self.dir} (missing: {', '.join(gone)}). "
                f"Run `{BUILD_SCRIPT}` (about 6 minutes once; needs Go) or `./scripts/test`."
            )
        return self
