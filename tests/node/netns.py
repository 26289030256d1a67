"""The network the real node lives in: a namespace the test run made, with no route off the machine.

The README's test command runs pytest inside `unshare --net --mount` (scripts/hermetic); a manual
`python -m tests.node up` makes a named namespace (`ip netns add`) and enters it with nsenter (the
network only, so every component shares the host's mounts). Inside, the node's address lives on a
veth pair of its own and Pods on the CNI bridge; nothing routes anywhere else.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

NODE_DEV = "lcnode0"


def ip(*args: str, check: bool = True, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*prefix, "ip", *args], capture_output=True, text=True, check=check, timeout=30)


def default_route(prefix: tuple[str, ...] = ()) -> str:
    """The namespace's default routes (IPv4 and IPv6), empty when there is none."""
    four = ip("route", "show", "default", check=False, prefix=prefix).stdout.strip()
    six = ip("-6", "route", "show", "default", check=False, prefix=prefix).stdout.strip()
    return "\n".join(r for r in (four, six) if r)


def devices(prefix: tuple[str, ...] = ()) -> list[str]:
    out = ip("-o", "link", "show", prefix=prefix).stdout
    return [line.split(":")[1].strip().split("@")[0] for line in out.splitlines() if ":" in line]


class NotIsolated(RuntimeError):
    """The real node would start where traffic can leave the machine."""


def require_isolated(prefix: tuple[str, ...] = ()) -> None:
    route = default_route(prefix)
    if route:
        raise NotIsolated(
            "the real node only starts inside a network namespace with no route off the machine, "
            f"but this one has: {route}. Run the tests with ./scripts/test (it makes the namespace), "
            "or `python -m tests.node up DIR`.")


def setup_node_network(node_ip: str, prefix_len: int, prefix: tuple[str, ...] = ()) -> None:
    """lo up, and the node's address on one end of a veth pair (both ends here, so it has a carrier)."""
    ip("link", "set", "lo", "up", prefix=prefix)
    if NODE_DEV not in devices(prefix):
        ip("link", "add", NODE_DEV, "type", "veth", "peer", "name", f"{NODE_DEV}p", prefix=prefix)
    ip("addr", "replace", f"{node_ip}/{prefix_len}", "dev", NODE_DEV, prefix=prefix)
    ip("link", "set", f"{NODE_DEV}p", "up", prefix=prefix)
    ip("link", "set", NODE_DEV, "up", prefix=prefix)


def teardown_node_network(bridge: str, prefix: tuple[str, ...] = ()) -> None:
    for dev in (NODE_DEV, bridge):
        ip("link", "del", dev, check=False, prefix=prefix)


def named(name: str) -> tuple[str, ...]:
    """A persistent namespace for a manual cluster; returns the command prefix that enters it."""
    if not Path(f"/run/netns/{name}").exists():
        subprocess.run(["ip", "netns", "add", name], check=True, capture_output=True, text=True, timeout=30)
    return ("nsenter", f"--net=/run/netns/{name}")


def delete_named(name: str) -> None:
    subprocess.run(["ip", "netns", "del", name], check=False, capture_output=True, text=True, timeout=30)


def join_node(ns_name: str, index: int, node_ip: str, gateway: str, pod_cidr: str,
              prefix: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Node `index` (>= 1) in a namespace of its own, joined to the first namespace by a veth pair
    (`lcn<i>a` there, `lcn<i>b` in the node's): its subnet is routed, its Pod range reached through
    it, and everything else it knows (the first node's subnet and Pods, the API server) through the
    first namespace. No default route anywhere. Returns the prefix that enters the node's namespace."""
    inside = named(ns_name)
    here, there = f"lcn{index}a", f"lcn{index}b"
    if here not in devices(prefix):
        ip("link", "add", here, "type", "veth", "peer", "name", there, "netns", ns_name, prefix=prefix)
    ip("addr", "replace", f"{gateway}/24", "dev", here, prefix=prefix)
    ip("link", "set", here, "up", prefix=prefix)
    ip("link", "set", "lo", "up", prefix=inside)
    ip("addr", "replace", f"{node_ip}/24", "dev", there, prefix=inside)
    ip("link", "set", there, "up", prefix=inside)
    for net in ("10.213.0.0/16", "10.214.0.0/16"):  # the more specific own subnet and bridge win
        ip("route", "replace", net, "via", gateway, "dev", there, prefix=inside)
    ip("route", "replace", pod_cidr, "via", node_ip, "dev", here, prefix=prefix)
    return inside


def part_node(ns_name: str, index: int, prefix: tuple[str, ...] = ()) -> None:
    """The node's namespace (its bridge, Pods' veths and its end of the pair go with it)."""
    ip("link", "del", f"lcn{index}a", check=False, prefix=prefix)
    delete_named(ns_name)
