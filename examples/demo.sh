#!/bin/sh
# demo.sh: what `make demo` runs. A private host stack in a temporary run
# directory, two guests from examples/, the verbs an administrator uses,
# then everything stopped and removed, even when interrupted.
# Usage: examples/demo.sh [BUILD-DIR]   (run from the top of the source tree)
set -eu
BUILD=${1:-build}
PVCTL="$BUILD/bin/pvctl"
[ -x "$PVCTL" ] || { echo "demo: $PVCTL is missing: run make first" >&2; exit 1; }
[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "demo: needs a usable /dev/kvm" >&2; exit 1; }

PV_RUNDIR=$(mktemp -d /tmp/pvhv-demo.XXXXXX)
export PV_RUNDIR
cleanup() {
    "$PVCTL" host stop -f >/dev/null 2>&1 || true
    rm -rf "$PV_RUNDIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

run() {
    echo "\$ pvctl $*"
    "$PVCTL" "$@"
    echo
}
# The examples name the guest kernel relative to the source tree.
sed "s|build/guests/|$BUILD/guests/|" examples/ticker.cfg > "$PV_RUNDIR/ticker.cfg"
sed "s|build/guests/|$BUILD/guests/|" examples/echo.cfg > "$PV_RUNDIR/echo.cfg"

echo "# run directory $PV_RUNDIR (PV_RUNDIR); pvctl starts pvhv, pvxenstored, pvconsoled"
echo
run create "$PV_RUNDIR/ticker.cfg"
run create "$PV_RUNDIR/echo.cfg"
sleep 1.2
run list
echo "\$ tail -n 3 \$PV_RUNDIR/console/ticker.log"
tail -n 3 "$PV_RUNDIR/console/ticker.log"
echo
echo "\$ cat \$PV_RUNDIR/console/echo.log"
cat "$PV_RUNDIR/console/echo.log"
echo
run pause ticker
run list ticker
sleep 0.5
echo "# paused: the console log does not grow"
echo "\$ tail -n 1 \$PV_RUNDIR/console/ticker.log"
tail -n 1 "$PV_RUNDIR/console/ticker.log"
echo
run unpause ticker
sleep 0.6
echo "\$ tail -n 1 \$PV_RUNDIR/console/ticker.log"
tail -n 1 "$PV_RUNDIR/console/ticker.log"
echo
run vcpu-list
run destroy ticker
run shutdown -w echo
run list
run host stop
