#!/bin/bash
# lab.sh: pvhv's whole-system tests on AMD SVM, in software.
#
# QEMU's TCG emulates an AMD CPU with SVM; Debian's own kernel boots in it
# from a small initramfs, loads kvm-amd, and so has a /dev/kvm with real
# SVM behaviour (nested paging, VMCB intercepts, ring-0 guests). Inside,
# pvhv's criterion suite runs as it runs on the host under `make test`:
# the same binary, guests and assertions. The results come back over the
# serial console; the exit status says pass (0) or fail (1); a QEMU that
# hangs is stopped after SVM_LAB_TIMEOUT seconds and fails. Each
# configuration has a QEMU of its own; they run side by side.
#
#   tests/svm-lab/lab.sh [all|build|boot]      (`make test-svm` runs `all`)
#
# Everything comes from Debian's packages: qemu-system-x86 and
# busybox-static installed; the kernel (linux-image-6.12-amd64 from
# bookworm-security: its KVM has Xen support) fetched with
# `apt-get download` and unpacked, not installed, under $SVM_LAB_DIR.
#
# Environment:
#   PVHV_BUILD        build tree to test (default build; `make test-svm`
#                     passes build/san, the sanitized tree of `make test`)
#   SVM_LAB_DIR       cache and work directory (default build/svm-lab)
#   SVM_LAB_KPKG      kernel package (default linux-image-6.12-amd64)
#   SVM_LAB_CONFIGS   suite runs, comma-separated: xen-off, xen-on
#                     (PV_KVM_XEN=0|1 for pvhv), linux (the stock-guest
#                     test, tests/linux-guest); default all three
#   SVM_LAB_GUEST_KPKG the stock guest's kernel package (default
#                     linux-image-amd64, Debian 12's 6.1)
#   SVM_LAB_BENCH     1: after the suites, run bench/evtchn_bench once per
#                     configuration (hypercall and event-kick costs on SVM)
#   SVM_LAB_ARGS      criterion arguments (default --verbose; they travel on
#                     the kernel command line, so no commas or quotes)
#   SVM_LAB_TIMEOUT   seconds before a configuration's QEMU counts as hung
#                     and is killed (default 1200; a passing xen-off or
#                     xen-on run takes 9-12 min, linux ~1); the lab's /init
#                     stops a suite 120 s before that and prints where its
#                     processes are stuck
#   SVM_LAB_JOBS      configurations run at once, one QEMU each (default
#                     the host's CPU count)
#   SVM_LAB_SILENCE   seconds without console output after which a QEMU
#                     counts as frozen (default 180; a hung test prints
#                     sooner): it is killed and booted once more, and the
#                     summary says so
#   SVM_LAB_CPU       QEMU CPU model with SVM (default EPYC)
#   SVM_LAB_MEM       lab RAM in MiB (default 1024)
#   SVM_LAB_NICE      niceness of QEMU (default 10)
#   SVM_LAB_HOST_PKGS Debian packages whose programs the tests run
#                     (default xenstore-utils)
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "$0")" && pwd)
PVHV_BUILD=$(realpath "${PVHV_BUILD:-build}")
LAB=${SVM_LAB_DIR:-build/svm-lab}
KPKG=${SVM_LAB_KPKG:-linux-image-6.12-amd64}
GUEST_KPKG=${SVM_LAB_GUEST_KPKG:-linux-image-amd64}
CONFIGS=${SVM_LAB_CONFIGS:-xen-off,xen-on,linux}
ARGS=${SVM_LAB_ARGS:---verbose}
BENCH=${SVM_LAB_BENCH:-0}
TIMEOUT=${SVM_LAB_TIMEOUT:-1200}
# The lab's own watchdog stops a hung suite first, so its stacks get out.
LIMIT=$((TIMEOUT > 240 ? TIMEOUT - 120 : TIMEOUT / 2))
JOBS=${SVM_LAB_JOBS:-$(nproc)}
SILENCE=${SVM_LAB_SILENCE:-180}
CPU=${SVM_LAB_CPU:-EPYC}
MEM=${SVM_LAB_MEM:-1024}
NICE=${SVM_LAB_NICE:-10}
HOST_PKGS=${SVM_LAB_HOST_PKGS:-xenstore-utils iproute2 nftables iputils-ping}
mkdir -p "$LAB"
LAB=$(realpath "$LAB")
T_START=$(date +%s.%N)

say() { echo "svm-lab: $*"; }
die() { echo "svm-lab: $*" >&2; exit 1; }
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# The image package a (meta)package names: linux-image-amd64 and the 6.12
# metapackage depend on it.
resolve_kernel_package() {
    local dep
    dep=$(apt-cache depends "$1" 2>/dev/null |
          awk '$1 == "Depends:" && $2 ~ /^linux-image-/ && !found { print $2; found = 1 }')
    if [ -z "$dep" ] && apt-cache show "$1" >/dev/null 2>&1; then
        dep=$1 # a concrete image package already
    fi
    echo "$dep"
}

# Set DEB to the cached .deb of kernel package $1, fetching it if needed;
# $2 is a shell pattern for the cached image when apt cannot resolve $1.
fetch_kernel() {
    local pkg
    pkg=$(resolve_kernel_package "$1")
    if [ -z "$pkg" ] && [ "$(id -u)" = 0 ]; then
        say "apt does not know $1: apt-get update"
        apt-get update -qq
        pkg=$(resolve_kernel_package "$1")
    fi
    mkdir -p "$LAB/debs"
    if [ -z "$pkg" ]; then
        # Offline: the newest matching image already in the cache.
        DEB=$(ls -t "$LAB"/debs/$2 2>/dev/null | head -1 || true)
        [ -n "$DEB" ] || die "cannot resolve $1 (apt-get update?) and no kernel is cached"
        say "apt cannot resolve $1; using cached $(basename "$DEB")"
        return
    fi
    DEB=$(ls "$LAB/debs/${pkg}"_*.deb 2>/dev/null | head -1 || true)
    if [ -z "$DEB" ]; then
        say "fetching $pkg"
        # apt warns that the _apt user cannot write here; harmless.
        (cd "$LAB/debs" && apt-get download -q "$pkg" 2>&1 | grep -v 'unsandboxed' || true)
        DEB=$(ls "$LAB/debs/${pkg}"_*.deb 2>/dev/null | head -1 || true)
        [ -n "$DEB" ] || die "apt-get download $pkg failed"
    fi
}

# Unpack $DEB (not installed: only its files) and cut the ELF vmlinux out
# of its bzImage; both cached beside the .deb. Sets KDIR and KVER.
unpack_kernel() {
    KDIR=$LAB/kernel/$(basename "$DEB" .deb)
    if [ ! -e "$KDIR/.unpacked" ] || [ "$DEB" -nt "$KDIR/.unpacked" ]; then
        say "unpacking $(basename "$DEB")"
        rm -rf "$KDIR" && mkdir -p "$KDIR"
        dpkg-deb -x "$DEB" "$KDIR"
        touch "$KDIR/.unpacked"
    fi
    KVER=$(ls "$KDIR/lib/modules" | head -1)
    [ -n "$KVER" ] || die "$DEB holds no modules"
    if [ ! -s "$KDIR/vmlinux" ]; then
        python3 "$HERE/labtool.py" vmlinux "$KDIR/boot/vmlinuz-$KVER" "$KDIR/vmlinux"
    fi
}

# Put host file $1 at $2 in the initramfs; an ELF file brings every
# library ldd names, at the path ldd names.
ship() {
    local src=$1 dest=$2 lib
    mkdir -p "$(dirname "$ROOT$dest")"
    if [ -L "$src" ] && [[ "$(readlink "$src")" != */* ]]; then
        cp -P "$src" "$ROOT$dest" # a soname link beside its library
        return
    fi
    cp -L --preserve=mode "$src" "$ROOT$dest"
    [ "$(head -c4 "$src")" = $'\x7fELF' ] || return 0
    for lib in $(ldd "$src" 2>/dev/null | awk '/=> \// { print $3 } /^\t\// { print $1 }'); do
        [ -e "$ROOT$lib" ] || ship "$(realpath "$lib")" "$lib"
    done
}

build_initramfs() {
    local need
    for need in bin/pvhv tests/pvhv-tests tests/kvmprobe; do
        [ -e "$PVHV_BUILD/$need" ] ||
            die "$PVHV_BUILD/$need is missing: run \`make test-svm\` (or make all first)"
    done
    local busybox
    busybox=$(command -v busybox) || die "no busybox: apt-get install busybox-static"
    ! ldd "$busybox" >/dev/null 2>&1 || die "$busybox is not static: apt-get install busybox-static"

    ROOT=$LAB/root
    rm -rf "$ROOT"
    mkdir -p "$ROOT"/{bin,dev,etc,proc,sys,tmp,lib/modules}
    install -m 0755 "$busybox" "$ROOT/bin/busybox"
    for a in $("$busybox" --list); do
        [ "$a" = busybox ] || ln -s busybox "$ROOT/bin/$a"
    done
    # Debian's busybox sh runs its own applets before anything on PATH, so
    # system("ip ...") in a test would get busybox's ip: /bin/sh is dash.
    ship /usr/bin/dash /usr/bin/dash
    ln -sf /usr/bin/dash "$ROOT/bin/sh"
    # kvm-amd, and what the network tests need: TAP devices, bridges, veth
    # pairs, nftables with NAT and conntrack.
    python3 "$HERE/labtool.py" modules "$KDIR/lib/modules/$KVER/kernel" "$ROOT/lib/modules" \
        kvm-amd tun bridge veth crc32c_generic nf_tables nft_masq nft_chain_nat nft_ct
    # The build tree's programs, test programs, guests and shared libraries,
    # where the tests look for them (PVHV_BUILD=/pvhv inside).
    local f p
    for f in $(cd "$PVHV_BUILD" && find bin tests guests lib bench \( -type f -o -type l \) \
                   ! -name '*.[oad]' 2>/dev/null | LC_ALL=C sort); do
        ship "$PVHV_BUILD/$f" "/pvhv/$f"
    done
    # LeakSanitizer's suppressions for third-party leaks (as in `make test`).
    install -D -m 0644 "$HERE/../lsan.supp" "$ROOT/pvhv/lsan.supp"
    # Host programs the tests run (xenstore-utils against pvxenstored; ip,
    # nft and ping for the network tests). /bin and /sbin go under /usr:
    # the lab's /bin is busybox's, and /init puts /usr first on PATH.
    for p in $HOST_PKGS; do
        dpkg-query -W "$p" >/dev/null 2>&1 || die "the tests need $p: apt-get install $p"
        for f in $(dpkg -L "$p" | grep -E '^(/usr)?/s?bin/.'); do
            [ -f "$f" ] || continue
            case "$f" in /usr/*) ship "$f" "$f" ;; *) ship "$f" "/usr$f" ;; esac
        done
    done
    # glibc loads libgcc_s at run time for pthread_cancel (libxenstore's
    # watch thread); ldd does not name it, so ship it by hand.
    local gcc_s
    # awk reads to the end: leaving early would kill ldconfig with SIGPIPE
    # mid-write, and pipefail would end the lab (CI lost a run so).
    gcc_s=$(ldconfig -p | awk '/libgcc_s.so.1 .*x86-64/ && !found { print $NF; found = 1 }')
    [ -n "$gcc_s" ] && ship "$(realpath "$gcc_s")" "$gcc_s"
    install -m 0755 "$HERE/init" "$ROOT/init"
}

# The stock guest of configuration `linux`: Debian's own kernel (GUEST_KPKG)
# as a Xen PVH guest, with a busybox initramfs holding its Xen block and
# network front ends and ext4 (modules in Debian's build), and
# tests/linux-guest/guest-init as /init. Both go to /pvhv/linux-guest/.
build_linux_guest() {
    fetch_kernel "$GUEST_KPKG" 'linux-image-6.1.*.deb'
    unpack_kernel
    local groot=$LAB/guest-root busybox a
    busybox=$(command -v busybox)
    rm -rf "$groot"
    mkdir -p "$groot"/{bin,sbin,dev,etc,proc,sys,tmp,mnt,lib/modules}
    install -m 0755 "$busybox" "$groot/bin/busybox"
    for a in $("$busybox" --list); do
        [ "$a" = busybox ] || ln -s busybox "$groot/bin/$a"
    done
    ln -s ../bin/busybox "$groot/sbin/poweroff"
    python3 "$HERE/labtool.py" modules "$KDIR/lib/modules/$KVER/kernel" "$groot/lib/modules" \
        xen-blkfront xen-netfront ext4 crc32c_generic
    install -m 0755 "$HERE/../linux-guest/guest-init" "$groot/init"
    mkdir -p "$ROOT/pvhv/linux-guest"
    python3 "$HERE/labtool.py" cpio "$groot" "$ROOT/pvhv/linux-guest/initrd.cpio"
    cp "$KDIR/vmlinux" "$ROOT/pvhv/linux-guest/vmlinux"
    echo "$KVER" > "$ROOT/pvhv/linux-guest/version"
    say "linux guest: kernel $KVER, initramfs" \
        "$(( $(stat -c %s "$ROOT/pvhv/linux-guest/initrd.cpio") / 1024 )) KiB"
}

build() {
    local t0
    t0=$(date +%s.%N)
    command -v qemu-system-x86_64 >/dev/null || die "no qemu-system-x86_64: apt-get install qemu-system-x86"
    fetch_kernel "$KPKG" 'linux-image-6.12*.deb'
    unpack_kernel
    grep -q '^CONFIG_KVM_AMD=m' "$KDIR/boot/config-$KVER" ||
        die "kernel $KVER has no kvm-amd module"
    local l1kdir=$KDIR
    build_initramfs
    case ",$CONFIGS," in *,linux,*) build_linux_guest ;; esac
    python3 "$HERE/labtool.py" cpio "$ROOT" "$LAB/initrd.cpio"
    KDIR=$l1kdir
    echo "$KDIR/vmlinux" > "$LAB/kernel.path"
    say "built: kernel $KVER, initramfs $(( $(stat -c %s "$LAB/initrd.cpio") / 1048576 )) MiB" \
        "($(since "$t0") s)"
}

# One QEMU for configuration $1, console to $2 and, each line tagged with
# the configuration, to stdout. Returns QEMU's status.
run_qemu() {
    local c=$1 log=$2
    # -smp 1: with two CPUs QEMU 7.2's multi-threaded TCG hung about one
    # boot in 17. panic=-1 and -no-reboot: a kernel panic ends QEMU at once.
    timeout -k 10 "$TIMEOUT" nice -n "$NICE" qemu-system-x86_64 \
        -accel tcg -machine q35 -cpu "$CPU" -smp 1 -m "$MEM" \
        -nodefaults -display none -serial stdio -monitor none -no-reboot \
        -pidfile "$LAB/qemu-$c.pid" \
        -kernel "$(cat "$LAB/kernel.path")" -initrd "$LAB/initrd.cpio" \
        -append "console=ttyS0 loglevel=4 panic=-1 pvlab.configs=$c pvlab.bench=$BENCH pvlab.limit=$LIMIT pvlab.args=$(echo "$ARGS" | tr ' ' ,)" \
        </dev/null 2>&1 |
        sed -u 's/\r$//' | grep --line-buffered -v "TCG doesn't support requested feature" |
        tee "$log" | sed -u "s/^/[$c] /"
    return "${PIPESTATUS[0]}"
}

# While job $3 (run_qemu for configuration $1, console $2) runs: a console
# silent for SILENCE seconds means the emulated machine froze (a hung test
# still prints: criterion's timeout, then the lab's own watchdog), so kill
# its QEMU and leave frozen-$1 behind.
watch_silence() {
    local c=$1 log=$2 job=$3 size last_size=-1 last_change
    last_change=$(date +%s)
    while kill -0 "$job" 2>/dev/null; do
        sleep 5
        size=$(stat -c %s "$log" 2>/dev/null || echo 0)
        if [ "$size" != "$last_size" ]; then
            last_size=$size
            last_change=$(date +%s)
        elif [ $(($(date +%s) - last_change)) -ge "$SILENCE" ]; then
            touch "$LAB/frozen-$c"
            kill -KILL "$(cat "$LAB/qemu-$c.pid" 2>/dev/null)" 2>/dev/null || true
            break
        fi
    done
}

# Configuration $1 in its own QEMU, booted once more if the first froze;
# the frozen console is kept as console-$1.log.frozen.
boot_one() {
    local c=$1 log=$LAB/console-$1.log try job rc
    rm -f "$LAB/frozen-$c" "$LAB/retried-$c" "$log.frozen"
    for try in 1 2; do
        run_qemu "$c" "$log" &
        job=$!
        watch_silence "$c" "$log" "$job"
        wait "$job"
        rc=$?
        if [ "$try" = 1 ] && [ -e "$LAB/frozen-$c" ]; then
            echo "[$c] svm-lab: no console output for ${SILENCE}s: the emulated machine froze;" \
                "killed, booting it once more"
            mv "$log" "$log.frozen"
            rm -f "$LAB/frozen-$c"
            touch "$LAB/retried-$c"
            continue
        fi
        [ -e "$LAB/frozen-$c" ] && return 124
        return "$rc"
    done
}

boot() {
    [ -s "$LAB/kernel.path" ] && [ -s "$LAB/initrd.cpio" ] || die "nothing built: $0 build"
    local t0 c pid
    say "booting $(basename "$(dirname "$(cat "$LAB/kernel.path")")") on QEMU TCG, -cpu $CPU -smp 1," \
        "configs $CONFIGS, $JOBS at a time, timeout ${TIMEOUT}s each"
    t0=$(date +%s.%N)
    # A QEMU per configuration, JOBS at once: each is one emulated CPU, so
    # the host's cores run the configurations side by side.
    declare -A config_of=() qrc_of=()
    # Collect finished QEMUs' statuses until at most $1 still run.
    reap_until() {
        while [ "${#config_of[@]}" -gt "$1" ]; do
            wait -n -p pid
            qrc_of[${config_of[$pid]}]=$?
            unset "config_of[$pid]"
        done
    }
    set +e
    for c in $(echo "$CONFIGS" | tr , ' '); do
        reap_until $((JOBS - 1))
        boot_one "$c" &
        config_of[$!]=$c
    done
    reap_until 0
    set -e
    local wall
    wall=$(since "$t0")

    # The summary, criterion-style: one synthesis line per configuration.
    echo
    local ok=1 log syn end qrc
    for c in $(echo "$CONFIGS" | tr , ' '); do
        log=$LAB/console-$c.log
        qrc=${qrc_of[$c]}
        syn=$(grep 'Synthesis:' "$log" | tail -1 || true)
        end=$(grep "^PVLAB: END $c " "$log" | tail -1 || true)
        [ -n "$syn" ] && syn=${syn#*Synthesis: } || syn="no synthesis (the suite did not finish)"
        echo "[====] svm-lab $c: $syn${end:+; ${end#PVLAB: END $c }}"
        [ -e "$LAB/retried-$c" ] &&
            say "NOTE: $c froze once (no console output for ${SILENCE}s) and was booted again;"                 "the frozen console is in $log.frozen"
        if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
            say "FAIL: $c: no result within ${TIMEOUT}s, or froze twice; console in $log"
            ok=0
        elif ! grep -q '^PVLAB: RESULT rc=0$' "$log"; then
            say "FAIL: $c: $(grep '^PVLAB: RESULT' "$log" ||
                echo "the lab died before reporting (qemu rc $qrc)"); console in $log"
            ok=0
        fi
    done
    [ "$ok" = 1 ] && say "PASS: boot and tests ${wall}s (kernel to /init $(
        sed -n 's/^PVLAB: init at \([0-9.]*\)s.*/\1/p' "$LAB"/console-*.log | sort -n | tail -1)s)"
    [ "$ok" = 1 ]
}

case "${1:-all}" in
build) build ;;
boot) boot ;;
all)
    build
    rc=0
    boot || rc=$?
    say "total $(since "$T_START") s"
    exit $rc
    ;;
*) die "usage: $0 [all|build|boot]" ;;
esac
