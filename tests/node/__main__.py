"""`python -m tests.node up DIR [--nodes N]` starts the control plane and a real node in a network
namespace of their own (`labcheck-<hex>`, no route off the machine) and leaves them running; with
`--nodes 2` a second node joins from a namespace of its own (`labcheck-<hex>-n1`, tests.node.nodes);
`python -m tests.node down DIR` stops everything and removes the namespace.

Inside the namespace: `nsenter --net=/run/netns/NAME kubectl --kubeconfig DIR/kubeconfig ...`.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

from tests.node import netns
from tests.node.cluster import RealCluster, RealClusterStartError
from tests.node.config import Layout

NETNS_FILE = "netns"


def up(root: Path, nodes: int = 1) -> int:
    root.mkdir(parents=True, exist_ok=True)
    suffix = secrets.token_hex(3)
    name = f"labcheck-{suffix}"
    prefix = netns.named(name)
    (root / NETNS_FILE).write_text(name)
    try:  # its own node name: cgroups are machine-wide, so it can run beside the suite's node
        cluster = RealCluster(root, prefix=prefix, layout=Layout(node=f"labcheck-node-{suffix}"), nodes=nodes).start()
    except RealClusterStartError as e:
        netns.delete_named(name)
        print(e, file=sys.stderr)
        return 1
    print(f"# {nodes} node(s) ({', '.join(cluster.node_names)}) started in {cluster.startup_seconds:.1f}s "
          f"in network namespace {name}; stop with: "
          f"python -m tests.node down {root}")
    print(f"nsenter --net=/run/netns/{name} {cluster.bins['kubectl']} --kubeconfig {cluster.kubeconfig} get nodes")
    return 0


def down(root: Path) -> int:
    cluster = RealCluster.attach(root)
    if cluster is None:
        print(f"no real-node cluster in {root}", file=sys.stderr)
        return 1
    cluster.stop(remove=False)
    name_file = root / NETNS_FILE
    if name_file.exists():
        netns.delete_named(name_file.read_text().strip())
    return 0


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] in ("up", "down"):
        return (up if argv[0] == "up" else down)(Path(argv[1]).resolve())
    if len(argv) == 4 and argv[0] == "up" and argv[2] == "--nodes" and argv[3] in ("1", "2"):
        return up(Path(argv[1]).resolve(), int(argv[3]))
    print("usage: python -m tests.node up DIR [--nodes N] | down DIR", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
