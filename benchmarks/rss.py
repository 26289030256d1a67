"""`python -m benchmarks.rss OUT CMD...`: run CMD and write `wall_s peak_kb exit_code` to OUT.

The peak is the command's own. A child the benchmark harness forks (or vforks) inherits the
harness's memory until it execs, and the kernel keeps that high-water mark in ru_maxrss across
exec, so `wait4` on it reports the harness's peak when that is larger. This small process forks
the command instead: what the command inherits is this process's few MB, never the harness's.
"""

from __future__ import annotations

import os
import sys
import time


def main(argv: list[str]) -> int:
    out, cmd = argv[0], argv[1:]
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: become the command at once
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    with open(out, "w", encoding="ascii") as f:
        f.write(f"{wall:.6f} {usage.ru_maxrss} {code} {usage.ru_utime + usage.ru_stime:.6f}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
