"""The suite runs where no packet can leave the machine: a network namespace of its own
(scripts/hermetic, which the README's test command uses), loopback and the test clusters' devices."""

from __future__ import annotations

import errno
import os
import socket
import subprocess
import time

import pytest

from tests.cluster.handle import KubeCluster
from tests.node import netns

# The way out (the machine's default gateway, its own addresses outside the namespace, read by
# scripts/hermetic before it entered), and addresses off the machine (TEST-NET ranges, RFC 5737).
OUTSIDE = ["203.0.113.1", "198.51.100.7", "192.0.2.77"]
OUR_DEVICES = ("lo", netns.NODE_DEV, f"{netns.NODE_DEV}p", "lcbr0")


def _outside() -> list[str]:
    seen = os.environ.get("LABCHECK_HOST_GATEWAY", "").split() + os.environ.get(
        "LABCHECK_HOST_ADDRESSES", "").split()
    return list(dict.fromkeys(seen + OUTSIDE))


def test_the_suite_runs_in_a_namespace_of_its_own() -> None:
    assert os.environ.get("LABCHECK_HERMETIC") == "inside", "run the suite with ./scripts/test"
    assert netns.default_route() == ""
    others = [d for d in netns.devices() if d not in OUR_DEVICES and not d.startswith("veth")]
    assert others == []


@pytest.mark.parametrize("port", [80, 443, 6443])
def test_no_connection_leaves_the_namespace(port: int) -> None:
    for address in _outside():
        began = time.monotonic()
        with pytest.raises(OSError) as caught, socket.socket() as s:
            s.settimeout(5)
            s.connect((address, port))
        assert caught.value.errno == errno.ENETUNREACH, (address, caught.value)
        assert time.monotonic() - began < 1.0, address  # refused here, not timed out somewhere


def test_names_do_not_resolve_to_anywhere_reachable() -> None:
    """An image pull or a DNS lookup of a registry host cannot get out either."""
    began = time.monotonic()
    try:
        infos = socket.getaddrinfo("registry-1.docker.io", 443, proto=socket.IPPROTO_TCP)
    except OSError:
        infos = []
    for *_, sockaddr in infos:
        with pytest.raises(OSError), socket.create_connection(sockaddr[:2], timeout=2):
            pass
    assert time.monotonic() - began < 15


def test_the_test_networks_exist_only_inside_the_namespace(real_cluster: KubeCluster) -> None:
    """With the real node up, its node, Pod and Service ranges are on devices here and nowhere on
    the machine's own namespace (read through a process of the run's that stayed outside)."""
    host_ns = os.environ.get("LABCHECK_HOST_NETNS", "")
    assert host_ns and os.path.exists(host_ns), "run the suite with ./scripts/test"
    inside = subprocess.run(["ip", "-o", "addr"], capture_output=True, text=True, timeout=30).stdout
    assert "10.213.0.2" in inside
    for what in (["ip", "-o", "addr"], ["ip", "route"], ["ip", "-o", "link"]):
        outside = subprocess.run(["nsenter", f"--net={host_ns}", *what], capture_output=True, text=True, timeout=30)
        assert outside.returncode == 0, outside.stderr
        for mark in ("10.213.", "10.214.", "10.215.", netns.NODE_DEV, "lcbr0"):
            assert mark not in outside.stdout, (what, mark)
