#!/usr/bin/env bash
# Reference solution: the commands a learner types (shared/labs/pods/README.md).
# KUBECTL, KUBECONFIG, CONTEXT and NAMESPACE from the environment are honoured, so tests can run it anywhere.
set -euo pipefail
k() { "${KUBECTL:-kubectl}" ${CONTEXT:+--context "$CONTEXT"} ${NAMESPACE:+--namespace "$NAMESPACE"} "$@"; }
k get nodes -o wide
k run my-first-pod --image stacksimplify/kubenginx:1.0.0
k wait --for=condition=Ready pod/my-first-pod --timeout=120s
k get pods -o wide
k describe pod my-first-pod
k delete pod my-first-pod --wait=true
