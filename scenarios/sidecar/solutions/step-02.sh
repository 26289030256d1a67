#!/usr/bin/env bash
set -euo pipefail
k() { "${KUBECTL:-kubectl}" ${NAMESPACE:+--namespace "$NAMESPACE"} "$@"; }
k delete pod web-with-sidecar --wait=false
