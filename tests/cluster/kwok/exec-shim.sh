#!/bin/sh
# `kubectl exec` on a kwok node runs a real local process in a working directory the tests prepare
# (see ClusterExec/Exec in tests/cluster). That directory plays the container's filesystem: this shim,
# installed under the names of a few harmless commands (cat, ls, head, ...), maps absolute path
# arguments such as /usr/share/nginx/html/index.html into $LABCHECK_EXEC_ROOT when they exist there,
# then runs the real command from $LABCHECK_REAL_PATH. Outside an exec (no LABCHECK_EXEC_ROOT) it
# changes nothing.
name=$(basename "$0")
PATH=${LABCHECK_REAL_PATH:-/usr/local/bin:/usr/bin:/bin}
export PATH
root=${LABCHECK_EXEC_ROOT:-}
if [ -n "$root" ]; then
  n=$#
  i=0
  while [ "$i" -lt "$n" ]; do
    a=$1
    shift
    case $a in
      /*) if [ -e "$root$a" ] || [ -d "$root$(dirname "$a")" ]; then a=$root$a; fi ;;
    esac
    set -- "$@" "$a"
    i=$((i + 1))
  done
fi
exec "$name" "$@"
