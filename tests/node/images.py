"""Container images without a registry: OCI archives built from Debian's busybox-static and three
small static C programs (images/), imported into the node's containerd with `ctr images import`.

- registry.k8s.io/pause:3.10: the sandbox's pause process.
- docker.io/stacksimplify/kubenginx:1.0.0 (also named as from ghcr.io and a mirror; and 2.0.0,
  whose page says V2): the lab's app, an HTTP
  server on port 80 serving /usr/share/nginx/html with an nginx-style access log on stdout; busybox
  for sh/cat/ls and a /bin/bash that runs sh. `--exit N` and `--status N` (in a Pod's args) make the
  crash-loop and broken-app cases of the mistakes matrix from the same image.

Built once per content (sources, busybox, this file) into the cache.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "images"
BUSYBOX = Path("/bin/busybox")
PAUSE_IMAGE = "registry.k8s.io/pause:3.10"
APP_IMAGE = "docker.io/stacksimplify/kubenginx:1.0.0"
APP_V2_IMAGE = "docker.io/stacksimplify/kubenginx:2.0.0"
# the same app as a learner's cluster may have pulled it: from Docker Hub, ghcr, or a mirror
APP_NAMES = (APP_IMAGE, "ghcr.io/stacksimplify/kubenginx:1.0.0", "mirror.example.org/stacksimplify/kubenginx:1.0.0",
             # the sidecar lab's nginx (the same server and page folder) and busybox (sh, date, sleep)
             "docker.io/library/nginx:1.27", "docker.io/library/busybox:1.36")
APPLETS = ("sh", "ash", "cat", "ls", "echo", "env", "head", "tail", "grep", "wc", "sleep", "ps", "id",
           "mkdir", "rm", "touch", "test", "[", "true", "false", "printf", "pwd", "hostname", "wget",
           "kill", "date", "uname", "vi", "stat", "find", "du", "df", "mount", "ip", "nc")
PAGE = ("<!DOCTYPE html>\n<html>\n<body style=\"background-color:lightgoldenrodyellow;\">\n"
        "<h1>Welcome to Stack Simplify</h1>\n<p>Kubernetes Fundamentals Demo</p>\n"
        "<p>Application Version: {version}</p>\n</body>\n</html>\n")


def _content_key() -> str:
    h = hashlib.sha256(Path(__file__).read_bytes())
    for f in sorted(SOURCES.glob("*.c")):
        h.update(f.name.encode() + f.read_bytes())
    h.update(BUSYBOX.read_bytes())
    return h.hexdigest()[:16]


def _compile(out: Path) -> dict[str, bytes]:
    out.mkdir(parents=True, exist_ok=True)
    built = {}
    for src in sorted(SOURCES.glob("*.c")):
        binary = out / src.stem
        subprocess.run(["gcc", "-static", "-O2", "-s", "-o", str(binary), str(src)], check=True,
                       capture_output=True, text=True, timeout=120)
        built[src.stem] = binary.read_bytes()
    return built


class _Layer:
    """A deterministic tar layer (fixed owners and times, so equal content gives equal digests)."""

    def __init__(self) -> None:
        self.buf = io.BytesIO()
        self.tar = tarfile.open(fileobj=self.buf, mode="w", format=tarfile.PAX_FORMAT)  # noqa: SIM115

    def _info(self, name: str, kind: bytes, mode: int) -> tarfile.TarInfo:
        info = tarfile.TarInfo(name)
        info.type, info.mode, info.mtime, info.uid, info.gid = kind, mode, 0, 0, 0
        return info

    def dir(self, name: str) -> None:
        self.tar.addfile(self._info(name, tarfile.DIRTYPE, 0o755 if name != "tmp" else 0o1777))

    def file(self, name: str, data: bytes, mode: int = 0o644) -> None:
        info = self._info(name, tarfile.REGTYPE, mode)
        info.size = len(data)
        self.tar.addfile(info, io.BytesIO(data))

    def link(self, name: str, target: str) -> None:
        info = self._info(name, tarfile.SYMTYPE, 0o777)
        info.linkname = target
        self.tar.addfile(info)

    def bytes(self) -> bytes:
        self.tar.close()
        return self.buf.getvalue()


def _pause_layer(bins: dict[str, bytes]) -> bytes:
    layer = _Layer()
    layer.file("pause", bins["pause"], 0o755)
    return layer.bytes()


def _app_layer(bins: dict[str, bytes], version: str) -> bytes:
    layer = _Layer()
    for d in ("bin", "etc", "tmp", "usr", "usr/share", "usr/share/nginx", "usr/share/nginx/html", "proc",
              "sys", "dev", "var", "var/run"):
        layer.dir(d)
    layer.file("bin/busybox", BUSYBOX.read_bytes(), 0o755)
    for applet in APPLETS:
        layer.link(f"bin/{applet}", "busybox")
    layer.file("bin/bash", bins["bash"], 0o755)
    layer.file("kubenginx", bins["kubenginx"], 0o755)
    layer.file("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\nnginx:x:101:101:nginx:/:/bin/false\n")
    layer.file("etc/group", b"root:x:0:\nnginx:x:101:\n")
    layer.file("usr/share/nginx/html/index.html", PAGE.format(version=version).encode())
    return layer.bytes()


def _blob(blobs: dict[str, bytes], data: bytes) -> dict[str, object]:
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    blobs[digest] = data
    return {"digest": digest, "size": len(data)}


def _image(blobs: dict[str, bytes], layers: bytes | list[bytes], entrypoint: list[str], port: int | None,
           env: list[str] | None = None) -> dict[str, object]:
    layers = [layers] if isinstance(layers, bytes) else layers
    config: dict[str, object] = {"Entrypoint": entrypoint, "Env": env or ["PATH=/bin:/usr/bin"],
                                 "WorkingDir": "/", "StopSignal": "SIGTERM"}
    if port:
        config["ExposedPorts"] = {f"{port}/tcp": {}}
    image_config = {"architecture": "amd64", "os": "linux", "config": config,
                    "rootfs": {"type": "layers",
                               "diff_ids": ["sha256:" + hashlib.sha256(layer).hexdigest() for layer in layers]},
                    "history": [{"created_by": "tests/node/images.py"}]}
    cfg = _blob(blobs, json.dumps(image_config, sort_keys=True).encode())
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **cfg},
                "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", **_blob(blobs, layer)}
                           for layer in layers]}
    return {"mediaType": "application/vnd.oci.image.manifest.v1+json",
            **_blob(blobs, json.dumps(manifest, sort_keys=True).encode()),
            "platform": {"architecture": "amd64", "os": "linux"}}


def _named(manifest: dict[str, object], name: str) -> dict[str, object]:
    return {**manifest, "annotations": {"io.containerd.image.name": name,
                                        "org.opencontainers.image.ref.name": name.rsplit(":", 1)[1]}}


def build_images(cache: Path) -> Path:
    """The OCI archive holding every test image; reused while its content key is the same."""
    key = _content_key()
    archive = cache / f"images-{key}.tar"
    if archive.exists():
        return archive
    bins = _compile(cache / f"images-{key}-bin")
    blobs: dict[str, bytes] = {}
    app = _image(blobs, _app_layer(bins, "V1"), ["/kubenginx"], 80)
    manifests = [
        _named(_image(blobs, _pause_layer(bins), ["/pause"], None), PAUSE_IMAGE),
        _named(_image(blobs, _app_layer(bins, "V2"), ["/kubenginx"], 80), APP_V2_IMAGE),
        *(_named(app, name) for name in APP_NAMES),
    ]
    write_archive(archive, manifests, blobs)
    return archive


def write_archive(archive: Path, manifests: list[dict[str, object]], blobs: dict[str, bytes]) -> None:
    """An OCI image layout as one tar, for `ctr images import`."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        def add(name: str, data: bytes) -> None:
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 0
            tar.addfile(info, io.BytesIO(data))
        add("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
        add("index.json", json.dumps({"schemaVersion": 2, "manifests": manifests}).encode())
        for digest, data in blobs.items():
            add(f"blobs/sha256/{digest.split(':', 1)[1]}", data)
    tmp = archive.with_suffix(".tmp")
    tmp.write_bytes(out.getvalue())
    tmp.rename(archive)
