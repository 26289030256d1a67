"""The real node's cgroups made, and nothing left behind: containers, shims, mounts, cgroups."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from tests.cluster.procs import cmdline

CGROUP_ROOT = Path("/sys/fs/cgroup")


def remove_containers(runc_root: Path, prefix: tuple[str, ...] = ()) -> None:
    """Every container runc knows under the cluster's own runc root, killed and deleted."""
    if not runc_root.exists():
        return
    listed = subprocess.run([*prefix, "runc", "--root", str(runc_root), "list", "-q"], capture_output=True,
                            text=True, timeout=30)
    for cid in listed.stdout.split():
        subprocess.run([*prefix, "runc", "--root", str(runc_root), "delete", "--force", cid],
                       capture_output=True, text=True, timeout=30)
    # the namespace directories of the runc root hold one per containerd namespace
    for sub in runc_root.glob("*"):
        if sub.is_dir():
            remove_containers(sub, prefix)


def shims_of(socket: Path) -> list[int]:
    """containerd-shim-runc-v2 processes started for this cluster's containerd."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and "containerd-shim" in (line := cmdline(int(entry.name))) and str(socket) in line:
            out.append(int(entry.name))
    return out


def unmount_under(root: Path) -> None:
    """Every mount below the cluster's root (overlay rootfs, network namespaces, tmpfs volumes)."""
    points = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        point = line.split()[4].replace("\\040", " ")
        if point.startswith(str(root) + "/"):
            points.append(point)
    for point in sorted(points, key=len, reverse=True):
        subprocess.run(["umount", "-l", point], capture_output=True, text=True, timeout=30)


def make_cgroups(name: str) -> None:
    """The kubelet's cgroupRoot must exist in every v1 controller before it starts (cpuset also
    needs its cpus and mems, copied from the parent)."""
    for controller in CGROUP_ROOT.iterdir():
        if not controller.is_dir() or controller.is_symlink() or controller.name == "unified":
            continue
        target = controller / name
        target.mkdir(exist_ok=True)
        for knob in ("cpuset.cpus", "cpuset.mems"):
            if (controller / knob).exists() and not (target / knob).read_text().strip():
                (target / knob).write_text((controller / knob).read_text())


def remove_cgroups(name: str) -> None:
    """The kubelet's cgroupRoot in every v1 controller (and the unified hierarchy): processes left in
    it are killed, then the directories removed deepest first."""
    for top in CGROUP_ROOT.glob(f"*/{name}"):
        dirs = sorted((p for p in [top, *top.rglob("*")] if p.is_dir()), key=lambda p: len(p.parts),
                      reverse=True)
        for d in dirs:
            with contextlib.suppress(OSError):
                for pid in (d / "cgroup.procs").read_text().split():
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(int(pid), signal.SIGKILL)
        for d in dirs:
            with contextlib.suppress(OSError):
                d.rmdir()


def restore_sysctls(values: dict[str, str]) -> None:
    for key, value in values.items():
        with contextlib.suppress(OSError):
            Path("/proc/sys", *key.split(".")).write_text(value)


class PhaseLog:
    """Times each phase of a stop into a log file (where a slow teardown spends its time)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextlib.contextmanager
    def __call__(self, what: str) -> Iterator[None]:
        began = time.monotonic()
        try:
            yield
        finally:
            with contextlib.suppress(OSError), self.path.open("a") as f:
                f.write(f"{what}: {time.monotonic() - began:.2f}s\n")
