#!/usr/bin/env bash
# Builds the local control plane for the test suite from the Go module proxy:
# kube-apiserver, kube-controller-manager, kube-scheduler, kubectl (k8s.io/kubernetes),
# etcd (go.etcd.io/etcd/server/v3), kwok and kwokctl (sigs.k8s.io/kwok).
# Everything goes into a cache outside the repo, keyed by the pinned versions:
#   ${LABCHECK_TESTENV_CACHE:-~/.cache/labcheck-testenv}/<k8s>-etcd<etcd>-kwok<kwok>/bin
# A finished build is reused; prints the bin directory on its last line.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"

cache_root="${LABCHECK_TESTENV_CACHE:-$HOME/.cache/labcheck-testenv}"
key="${KUBERNETES_VERSION}-etcd${ETCD_VERSION}-kwok${KWOK_VERSION}"
dir="$cache_root/$key"
bin="$dir/bin"
stamp="$dir/.complete"
binaries=(kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet kube-proxy etcd kwok kwokctl)

if [[ -f "$stamp" ]] && for b in "${binaries[@]}"; do [[ -x "$bin/$b" ]] || exit 1; done; then
  echo "labcheck-testenv: reusing $bin" >&2
  echo "$bin"
  exit 0
fi

command -v go >/dev/null || { echo "labcheck-testenv: Go is required to build the control plane" >&2; exit 2; }
mkdir -p "$bin" "$dir/src"
export CGO_ENABLED=0 GOWORK=off GOTOOLCHAIN=local GOFLAGS=-mod=mod
tags="selinux,notest,grpcnotrace"
log() { echo "labcheck-testenv: $*" >&2; }

minor="${KUBERNETES_VERSION#v1.}"; minor="${minor%%.*}"
staging_version="v0.${KUBERNETES_VERSION#v1.}"
build_date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
k8s_ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  k8s_ldflags+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  k8s_ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
done

# A wrapper module: go.mod requires the upstream module; this is never committed.
new_module() { # name
  local m="$dir/src/$1"
  rm -rf "$m"; mkdir -p "$m"
  (cd "$m" && go mod init "labcheck-testenv/$1" >/dev/null 2>&1)
  echo "$m"
}

log "building Kubernetes $KUBERNETES_VERSION (staging modules $staging_version)"
m="$(new_module kubernetes)"
(
  cd "$m"
  go mod edit -require="k8s.io/kubernetes@$KUBERNETES_VERSION"
  # Upstream go.mod points staging modules at ./staging/src/...; swap in the published ones.
  modfile="$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/$KUBERNETES_VERSION.mod"
  go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" >/dev/null
  staging=$(grep -E '^\s*k8s\.io/[a-z0-9-]+ => \./staging/' "$modfile" | awk '{print $1}')
  for s in $staging; do go mod edit -replace="$s=$s@$staging_version"; done
  log "$(echo "$staging" | wc -w) staging modules replaced"
  pkgs=(k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager
        k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
        k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy)
  go get "${pkgs[@]/%/@$KUBERNETES_VERSION}" >&2
  go list -m k8s.io/kubernetes | grep -q " $KUBERNETES_VERSION$" || { log "k8s.io/kubernetes is not $KUBERNETES_VERSION"; exit 1; }
  go build -trimpath -tags "$tags" -ldflags "$k8s_ldflags" -o "$bin/" "${pkgs[@]}"
  cp go.sum "$dir/kubernetes.go.sum"
)

log "building etcd $ETCD_VERSION"
m="$(new_module etcd)"
(
  cd "$m"
  go mod edit -require="go.etcd.io/etcd/server/v3@$ETCD_VERSION"
  for s in api/v3 client/pkg/v3 client/v3 pkg/v3; do
    go mod edit -require="go.etcd.io/etcd/$s@$ETCD_VERSION"
  done
  go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >&2
  go build -trimpath -ldflags "-s -w" -o "$bin/etcd" go.etcd.io/etcd/server/v3
  cp go.sum "$dir/etcd.go.sum"
)

log "building kwok $KWOK_VERSION"
m="$(new_module kwok)"
(
  cd "$m"
  go mod edit -require="sigs.k8s.io/kwok@$KWOK_VERSION"
  go get "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" "sigs.k8s.io/kwok/cmd/kwokctl@$KWOK_VERSION" >&2
  kv="-X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION#v}"
  go build -trimpath -ldflags "-s -w $kv" -o "$bin/" sigs.k8s.io/kwok/cmd/kwok sigs.k8s.io/kwok/cmd/kwokctl
  cp go.sum "$dir/kwok.go.sum"
)

"$bin/kube-apiserver" --version >&2
"$bin/etcd" --version >&2 | head -1
date -u +%FT%TZ > "$stamp"
log "done: $bin"
echo "$bin"
