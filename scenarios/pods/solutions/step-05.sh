#!/usr/bin/env bash
# Reference solution: the commands a learner types (shared/labs/pods/README.md).
# KUBECTL, KUBECONFIG, CONTEXT and NAMESPACE from the environment are honoured, so tests can run it anywhere.
set -euo pipefail
k() { "${KUBECTL:-kubectl}" ${CONTEXT:+--context "$CONTEXT"} ${NAMESPACE:+--namespace "$NAMESPACE"} "$@"; }
k logs my-first-pod
k exec my-first-pod -- cat /usr/share/nginx/html/index.html
