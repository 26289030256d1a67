#!/usr/bin/env bash
# Builds containerd, its runc shim and ctr from the Go module proxy for the real node:
#   ${LABCHECK_TESTENV_CACHE:-~/.cache/labcheck-testenv}/containerd-<version>/bin
# (about 2.5 minutes on 2 cores, once per version). Prints the bin directory on its last line.
# containerd 2.x rather than Debian's 1.6: kubelet 1.36 accepts 1.6 but marks it as losing support
# in 1.37 (kubelet_cri_losing_support) and 1.6 does not answer the CRI RuntimeConfig call.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../cluster/versions.env
source "$here/../cluster/versions.env"
cache_root="${LABCHECK_TESTENV_CACHE:-$HOME/.cache/labcheck-testenv}"
dir="$cache_root/containerd-$CONTAINERD_VERSION"
bin="$dir/bin"
binaries=(containerd containerd-shim-runc-v2 ctr)
if [[ -f "$dir/.complete" ]] && for b in "${binaries[@]}"; do [[ -x "$bin/$b" ]] || exit 1; done; then
  echo "$bin"
  exit 0
fi
command -v go >/dev/null || { echo "labcheck-node: Go is required to build containerd" >&2; exit 2; }
echo "labcheck-node: building containerd $CONTAINERD_VERSION" >&2
export CGO_ENABLED=0 GOWORK=off GOTOOLCHAIN=local GOFLAGS=-mod=mod
m="$dir/src/containerd"
rm -rf "$m"; mkdir -p "$m" "$bin"
cd "$m"
go mod init labcheck-testenv/containerd >/dev/null 2>&1
mod=github.com/containerd/containerd/v2
pkgs=("$mod/cmd/containerd" "$mod/cmd/containerd-shim-runc-v2" "$mod/cmd/ctr")
go get "${pkgs[@]/%/@$CONTAINERD_VERSION}" >&2
# no cgo: leave out the snapshotters that need it (overlayfs is the one used)
go build -trimpath -tags "no_btrfs no_devmapper no_zfs no_dynamic_plugins" \
  -ldflags "-s -w -X $mod/version.Version=$CONTAINERD_VERSION" -o "$bin/" "${pkgs[@]}"
cp go.sum "$dir/containerd.go.sum"
"$bin/containerd" --version >&2
date -u +%FT%TZ > "$dir/.complete"
echo "$bin"
