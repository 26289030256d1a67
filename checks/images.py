"""Container image references compared the way a person means them.

`nginx`, `docker.io/library/nginx:latest` and `index.docker.io/library/nginx` are one image;
`ghcr.io/stacksimplify/kubenginx:1.0.0` is another registry's copy of stacksimplify/kubenginx.
"""

from __future__ import annotations

from labcheck.core.record import dataclass

DOCKER_HUB = "docker.io"
_HUB_ALIASES = {"docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"}


@dataclass(frozen=True)
class ImageRef:
    registry: str
    repository: str  # path without registry: "library/nginx", "stacksimplify/kubenginx"
    tag: str | None
    digest: str | None

    def __str__(self) -> str:
        text = f"{self.registry}/{self.repository}"
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def parse_image(reference: str) -> ImageRef:
    ref = reference.strip()
    digest = None
    if "@" in ref:
        ref, digest = ref.split("@", 1)
    tag = None
    last = ref.rsplit("/", 1)[-1]
    if ":" in last:
        ref, tag = ref.rsplit(":", 1)
    parts = ref.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        registry, path = parts[0].lower(), "/".join(parts[1:])
    else:
        registry, path = DOCKER_HUB, ref
    if registry in _HUB_ALIASES:
        registry = DOCKER_HUB
        if "/" not in path:
            path = f"library/{path}"
    if tag is None and digest is None:
        tag = "latest"
    return ImageRef(registry, path.lower(), tag, digest)


def _strip_library(path: str) -> str:
    return path[len("library/"):] if path.startswith("library/") else path


def image_matches(actual: str, accepted: str, *, allow_mirrors: bool = False,
                  image_id: str | None = None) -> bool:
    """True when `actual` (from a Pod spec or status) is the image `accepted` names.

    With allow_mirrors, any registry serving the same repository path counts, including
    mirrors that prefix the path (`mirror.example/docker.io/stacksimplify/kubenginx`).
    A digest in `accepted` must equal the digest in `actual` or in the status imageID.
    """
    a, want = parse_image(actual), parse_image(accepted)
    if want.digest:
        digests = {a.digest}
        if image_id and "@" in image_id:
            digests.add(image_id.rsplit("@", 1)[1])
        if want.digest not in digests:
            return False
    elif a.tag is not None and want.tag != a.tag:
        return False
    elif a.tag is None and a.digest is not None:
        return False  # pinned by digest only: the tag can't be told; list the digest to accept it
    if a.registry == want.registry and a.repository == want.repository:
        return True
    if not allow_mirrors:
        return False
    actual_path, wanted_path = _strip_library(a.repository), _strip_library(want.repository)
    return actual_path == wanted_path or actual_path.endswith("/" + wanted_path)


def matches_any(actual: str, accepted: list[str], *, allow_mirrors: bool = False,
                image_id: str | None = None) -> bool:
    return any(image_matches(actual, want, allow_mirrors=allow_mirrors, image_id=image_id)
               for want in accepted)
