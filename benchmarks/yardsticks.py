"""kuttl and Chainsaw, the Go checkers a course could use instead, as yardsticks for step 4.

Both are built by the benchmark itself from the Go module proxy into the test cache
(~/.cache/labcheck-testenv/tools), once, never committed. kuttl's own module list is refused by
the proxy, so a small wrapper module requires github.com/kudobuilder/kuttl and builds its
cmd/kubectl-kuttl; Chainsaw installs directly. Each asserts, in one shot, the objects of step 4 of
the Pods lab that `labcheck step-04` grades (the Pod with its image, Running and Ready; both
NodePort Services with their ports and selector; a ready endpoint behind each). Neither can open
the node ports, so they do less than labcheck and verify.sh: the ratios flatter them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

KUTTL_VERSION = "v0.26.0"
CHAINSAW_VERSION = "v0.2.15"
TOOLS = Path(os.environ.get("LABCHECK_TESTENV_CACHE", Path.home() / ".cache" / "labcheck-testenv")) / "tools"
GO_ENV = {"GOFLAGS": "-mod=mod", "GOWORK": "off", "GOTOOLCHAIN": "local"}

KUTTL_WRAPPER = """module labcheck.local/kuttl-yardstick

go 1.24

require github.com/kudobuilder/kuttl {version}
"""
KUTTL_TOOLS = """//go:build tools

package tools

import _ "github.com/kudobuilder/kuttl/cmd/kubectl-kuttl"
"""

POD = """apiVersion: v1
kind: Pod
metadata:
  name: my-first-pod
spec:
  containers:
  - image: stacksimplify/kubenginx:1.0.0
status:
  phase: Running
"""
SERVICE = """apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  type: NodePort
  selector:
    run: my-first-pod
  ports:
  - port: {port}
    targetPort: 80
"""
ENDPOINTS = """apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  labels:
    kubernetes.io/service-name: {name}
endpoints:
- conditions:
    ready: true
"""


def assert_yaml() -> str:
    docs = [POD]
    for name, port in (("my-first-service", 80), ("my-first-service2", 81)):
        docs += [SERVICE.format(name=name, port=port), ENDPOINTS.format(name=name)]
    return "---\n".join(docs)


def _go(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
    full = {**os.environ, **GO_ENV, **(env or {})}
    proc = subprocess.run(["go", *args], cwd=cwd, env=full, capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        raise RuntimeError(f"go {' '.join(args)} failed:\n{proc.stderr[-3000:]}")


def kuttl() -> Path:
    binary = TOOLS / f"kuttl-{KUTTL_VERSION}" / "kubectl-kuttl"
    if binary.is_file():
        return binary
    print(f"# building kuttl {KUTTL_VERSION} from the Go module proxy (once, into {binary.parent})",
          flush=True)
    with tempfile.TemporaryDirectory(prefix="labcheck-kuttl-") as tmp:
        work = Path(tmp)
        (work / "go.mod").write_text(KUTTL_WRAPPER.format(version=KUTTL_VERSION), encoding="utf-8")
        (work / "tools.go").write_text(KUTTL_TOOLS, encoding="utf-8")
        _go(["mod", "tidy"], work)
        binary.parent.mkdir(parents=True, exist_ok=True)
        _go(["build", "-o", str(binary), "github.com/kudobuilder/kuttl/cmd/kubectl-kuttl"], work)
    return binary


def chainsaw() -> Path:
    binary = TOOLS / f"chainsaw-{CHAINSAW_VERSION}" / "chainsaw"
    if binary.is_file():
        return binary
    print(f"# building Chainsaw {CHAINSAW_VERSION} from the Go module proxy (once, into {binary.parent})",
          flush=True)
    binary.parent.mkdir(parents=True, exist_ok=True)
    _go(["install", f"github.com/kyverno/chainsaw@{CHAINSAW_VERSION}"], Path(tempfile.gettempdir()),
        {"GOBIN": str(binary.parent)})
    return binary


def commands(namespace: str, workdir: Path,
             tools: tuple[str, ...] = ("kuttl", "Chainsaw")) -> dict[str, list[str]]:
    """The one-shot assert of each tool, on the prepared learner's namespace."""
    if shutil.which("go") is None:
        raise RuntimeError("the kuttl and Chainsaw yardsticks need Go (they are built from the module proxy)")
    path = workdir / "step-04-assert.yaml"
    path.write_text(assert_yaml(), encoding="utf-8")
    out: dict[str, list[str]] = {}
    if "kuttl" in tools:
        out["kuttl"] = [str(kuttl()), "assert", str(path), "--namespace", namespace, "--timeout", "1"]
    if "Chainsaw" in tools:
        out["Chainsaw"] = [str(chainsaw()), "assert", "--file", str(path), "--namespace", namespace,
                           "--timeout", "1s", "--no-color"]
    return out
