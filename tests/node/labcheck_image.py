"""labcheck's own container image, built locally for the real node (no registry): a Debian base
made by mmdebstrap from Debian's packages (python3, once, cached), and a layer with the wheel
and its dependencies installed from the local wheelhouse. Named labcheck:0.1.0, as
deploy/grade-job.yaml and deploy/merge-job.yaml ask for it.

    python -m tests.node.labcheck_image base    # scripts/test, outside the network namespace
"""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from tests.node.images import _image, _Layer, _named, write_archive

IMAGE = "docker.io/library/labcheck:0.1.0"
SUITE = "bookworm"
SKIP = ("./dev/", "./usr/share/doc/", "./usr/share/man/", "./usr/share/locale/", "./var/cache/apt/",
        "./var/lib/apt/lists/")
WRAPPER = b"#!/bin/sh\nPYTHONPATH=/opt/labcheck/lib exec python3 -m labcheck \"$@\"\n"


def base_path(cache: Path) -> Path:
    return cache / f"debian-{SUITE}-python3.tar"


def build_base(cache: Path) -> Path:
    """Debian minbase + python3 from Debian's packages (needs the network: run before the suite)."""
    out = base_path(cache)
    if out.exists():
        return out
    cache.mkdir(parents=True, exist_ok=True)
    raw = out.with_suffix(".raw.tar")
    subprocess.run(["mmdebstrap", "--quiet", "--variant=minbase", "--include=python3", SUITE, str(raw)],
                   check=True, timeout=900)
    layer = io.BytesIO()
    with tarfile.open(raw) as src, tarfile.open(fileobj=layer, mode="w", format=tarfile.PAX_FORMAT) as dst:
        for member in src:
            if member.name.startswith(SKIP) and member.name not in {p.rstrip("/") for p in SKIP}:
                continue
            dst.addfile(member, src.extractfile(member) if member.isfile() else None)
    tmp = out.with_suffix(".tmp")
    tmp.write_bytes(layer.getvalue())
    tmp.rename(out)
    raw.unlink()
    return out


def _app_layer(wheel: Path, wheelhouse: Path) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        lib = Path(tmp) / "lib"
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-index", "--find-links", str(wheelhouse),
                        "--target", str(lib), "--no-compile", str(wheel)], check=True, capture_output=True,
                       text=True, timeout=600)
        layer = _Layer()
        for d in ("opt", "opt/labcheck", "usr", "usr/local", "usr/local/bin", "work"):
            layer.dir(d)
        for path in sorted(lib.rglob("*")):
            rel = "opt/labcheck/lib/" + str(path.relative_to(lib))
            if path.is_dir():
                layer.dir(rel)
            elif path.is_file():
                layer.file(rel, path.read_bytes(), 0o755 if path.stat().st_mode & 0o111 else 0o644)
        layer.file("usr/local/bin/labcheck", WRAPPER, 0o755)
        return layer.bytes()


def build_labcheck_image(cache: Path, wheel: Path, wheelhouse: Path) -> Path:
    """The OCI archive of labcheck:0.1.0 for this wheel (cached by the wheel's content)."""
    base = base_path(cache)
    if not base.exists():
        raise FileNotFoundError(f"{base} is missing: ./scripts/test makes it (python -m tests.node.labcheck_image base)")
    key = hashlib.sha256(wheel.read_bytes() + base.name.encode()).hexdigest()[:16]
    archive = cache / f"labcheck-image-{key}.tar"
    if archive.exists():
        return archive
    blobs: dict[str, bytes] = {}
    layers = [base.read_bytes(), _app_layer(wheel, wheelhouse)]
    env = ["PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8", "PYTHONUNBUFFERED=1", "HOME=/tmp"]
    image = _image(blobs, layers, ["labcheck"], None, env=env)
    write_archive(archive, [_named(image, IMAGE)], blobs)
    return archive


if __name__ == "__main__":
    from tests.node.cluster import cache_dir
    if sys.argv[1:] == ["base"]:
        print(build_base(cache_dir()))
    else:
        print("usage: python -m tests.node.labcheck_image base", file=sys.stderr)
        raise SystemExit(2)
