import pytest

from labcheck.checks.images import image_matches, parse_image

KUBENGINX = "stacksimplify/kubenginx:1.0.0"


@pytest.mark.parametrize(("actual", "accepted", "mirrors", "expected"), [
    ("stacksimplify/kubenginx:1.0.0", "docker.io/stacksimplify/kubenginx:1.0.0", False, True),
    ("docker.io/stacksimplify/kubenginx:1.0.0", KUBENGINX, False, True),
    ("index.docker.io/stacksimplify/kubenginx:1.0.0", KUBENGINX, False, True),
    ("nginx", "docker.io/library/nginx:latest", False, True),
    ("docker.io/library/nginx", "nginx:latest", False, True),
    ("nginx", KUBENGINX, True, False),
    ("stacksimplify/kubenginx:2.0.0", KUBENGINX, True, False),
    ("kubenginx:1.0.0", KUBENGINX, True, False),
    ("ghcr.io/stacksimplify/kubenginx:1.0.0", KUBENGINX, False, False),
    ("ghcr.io/stacksimplify/kubenginx:1.0.0", KUBENGINX, True, True),
    ("mirror.example.cn/docker.io/stacksimplify/kubenginx:1.0.0", KUBENGINX, True, True),
    ("mirror.example.cn/stacksimplify/kubenginx:1.0.0", KUBENGINX, True, True),
    ("stacksimplify/kubenginx", KUBENGINX, True, False),  # :latest is not 1.0.0
    ("stacksimplify/kubenginx@sha256:abc", KUBENGINX, True, False),
    ("stacksimplify/kubenginx@sha256:abc", "stacksimplify/kubenginx@sha256:abc", False, True),
    ("stacksimplify/kubenginx:1.0.0@sha256:abc", "stacksimplify/kubenginx:1.0.0", False, True),
])
def test_image_matches(actual: str, accepted: str, mirrors: bool, expected: bool) -> None:
    assert image_matches(actual, accepted, allow_mirrors=mirrors) is expected


def test_digest_from_image_id() -> None:
    accepted = "stacksimplify/kubenginx@sha256:abc"
    assert image_matches(KUBENGINX, accepted, image_id="docker.io/stacksimplify/kubenginx@sha256:abc")
    assert not image_matches(KUBENGINX, accepted, image_id="docker.io/stacksimplify/kubenginx@sha256:def")


def test_parse_registry_with_port() -> None:
    ref = parse_image("localhost:5000/team/app:v1")
    assert (ref.registry, ref.repository, ref.tag) == ("localhost:5000", "team/app", "v1")
    assert str(parse_image("nginx")) == "docker.io/library/nginx:latest"
