"""connect(): credentials the way kubectl finds them, as a KubeCluster and its Target."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from labcheck.errors import ClusterError, scrub
from labcheck.kube.client import USER_AGENT, KubeCluster


@dataclass(frozen=True)
class Target:
    """Where to grade: the resolved context, its cluster and default namespace."""

    context: str
    cluster: str
    server: str
    namespace: str | None  # the context's namespace, if it sets one


def _config_error(message: str) -> ClusterError:
    return ClusterError("config", message)


def _not_yaml(exc: yaml.YAMLError) -> ClusterError:
    """A kubeconfig that is not YAML. PyYAML's message quotes the broken line: secrets, maybe."""
    mark = getattr(exc, "problem_mark", None)
    where = f" near line {mark.line + 1}" if mark is not None else ""
    return _config_error(f"cannot load kubeconfig: not valid YAML{where}")


@contextlib.contextmanager
def _logged() -> Iterator[list[str]]:
    """What this thread logs meanwhile, kept from stderr (the kubernetes client's config loader logs
    with the root logger; its first call would also print every later record, secrets included)."""
    messages: list[str] = []
    thread = threading.get_ident()

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.thread == thread:
                messages.append(record.getMessage())

    root, keep = logging.getLogger(), Keep(logging.WARNING)
    root.addHandler(keep)
    try:
        yield messages
    finally:
        root.removeHandler(keep)


def connect(kubeconfig: str | None = None, context: str | None = None,
            request_timeout: float = 10.0) -> tuple[KubeCluster, Target]:
    """Load credentials the way kubectl does; no request is made yet.

    Common kubeconfigs get plain GETs (grader/rest.py) and the kubernetes client, slow to import,
    only if the run needs exec or port-forward; any other kubeconfig gets the client at once."""
    from labcheck.rest import load

    try:
        plain = load(kubeconfig, context, USER_AGENT)
    except yaml.YAMLError as exc:
        raise _not_yaml(exc) from None
    if plain is None:
        api, target = _kubernetes_client(kubeconfig, context)
        return KubeCluster(api, request_timeout), target
    target = Target(plain.context, plain.cluster, plain.client.server, plain.namespace)
    return KubeCluster(None, request_timeout, plain.client,
                       lambda: _kubernetes_client(kubeconfig, plain.context)[0]), target


def _kubernetes_client(kubeconfig: str | None, context: str | None) -> tuple[Any, Target]:
    from kubernetes import config as kconfig
    from kubernetes.client import ApiClient, Configuration
    from kubernetes.config.config_exception import ConfigException

    cfg = Configuration()
    paths = kubeconfig or os.environ.get("KUBECONFIG") or str(Path("~/.kube/config").expanduser())
    files = [p for p in paths.split(os.pathsep) if p and Path(p).expanduser().exists()]
    try:
        if files:
            joined = os.pathsep.join(files)
            contexts, active = kconfig.list_kube_config_contexts(config_file=joined)
            chosen = next((c for c in contexts if c["name"] == context), None) if context else active
            if chosen is None:
                names = ", ".join(c["name"] for c in contexts) or "none"
                raise _config_error(f"context '{context}' is not in {joined} (contexts: {names})")
            with _logged() as logged:  # the client logs a failing exec plugin's stderr and goes on
                kconfig.load_kube_config(config_file=joined, context=chosen["name"], client_configuration=cfg)
            if logged:
                raise _config_error(f"cannot load kubeconfig: {scrub(logged[0])}")
            ctx = chosen.get("context") or {}
            target = Target(chosen["name"], str(ctx.get("cluster", "")), cfg.host, ctx.get("namespace"))
        elif os.environ.get("KUBERNETES_SERVICE_HOST"):
            kconfig.load_incluster_config(client_configuration=cfg)
            ns_file = Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")
            namespace = ns_file.read_text().strip() if ns_file.exists() else None
            target = Target("in-cluster", "in-cluster", cfg.host, namespace)
        else:
            raise _config_error(f"no kubeconfig found (looked at {paths}) and not running in a cluster")
    except ConfigException as exc:
        raise _config_error(f"cannot load kubeconfig: {scrub(str(exc))}") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise _config_error(f"cannot load kubeconfig: {type(exc).__name__}: {scrub(str(exc))}") from None
    except yaml.YAMLError as exc:
        raise _not_yaml(exc) from None
    from urllib3.util import Retry

    # No second try inside a request: on a slow API server it would double the wait past the
    # run's time limit. A failed look is retryable; the runner looks again on its next round.
    cfg.retries = Retry(total=0, redirect=False)
    from labcheck.kube.streams import patch_websocket

    patch_websocket()
    api = ApiClient(cfg)
    api.user_agent = USER_AGENT  # the audit log tells labcheck's requests apart
    return api, target

