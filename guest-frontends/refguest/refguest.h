/* refguest.h: the reference guest's commands and the console lines they print. */
#ifndef REFGUEST_H
#define REFGUEST_H

#include <pvfront/pvfront.h>

/*
 * Each command returns what pvfront_main returns (0: power off, else the
 * domain crashes) or does not return. Lines tests can match:
 *
 * hello       "Hello from pvhv guest" then SHUTDOWN_poweroff.
 * info        "info: ..." lines: platform, vCPUs, memory map, free RAM, the
 *             clock (pvclock or TSC) checked against the TSC; power off.
 * crash       "refguest: triple fault now", then an empty IDT and ud2:
 *             the vCPU shuts down (KVM_EXIT_SHUTDOWN), no hypercall.
 * crashcode   "refguest: crashing on purpose", SHUTDOWN_crash.
 * reboot      "refguest: rebooting", SHUTDOWN_reboot.
 * spin        "spin N t=MS ms" every interval_ms=M (default 100) of TSC
 *             time, N counting from 0, forever.
 * tick        "tick N t=MS ms" every interval_ms=M (default 1000) of
 *             pvclock time, sleeping on the vCPU timer in between.
 * runstate    registers a runstate area for vCPU 0, spins spin_ms=S
 *             (default 200) then sleeps sleep_ms=B (default 300) on the
 *             vCPU timer, then prints the area and VCPUOP_get_runstate_info:
 *             "runstate: area|call state=N running=MS runnable=MS
 *             blocked=MS offline=MS entry=NS now=NS" (times in ms, entry
 *             and now in system-time ns), and powers off.
 * compute     n=N (default 100000000): "compute: n=N ticks=T ns=NS
 *             result=0xR" (T = TSC ticks of refguest_compute(N)), then
 *             power off.
 * smp         each vCPU prints "cpu N online"; CPU 0 then prints
 *             "smp: N of N cpus online" and powers off, or after 5 s
 *             "smp: only K of N cpus online" and crashes.
 * echo        "echo: ready" then echoes each input line as "echo: LINE";
 *             the line "quit" prints "echo: bye (VIRQ_CONSOLE woke me N
 *             times, M timeouts)" and powers off. Input comes from CONSOLEIO_read
 *             (pvhv's per-domain console; VIRQ_CONSOLE says it arrived).
 *             If the hypervisor refuses console input (Xen does, to a
 *             domU): "echo: console input unavailable (ERR)", power off.
 * fault       type=pf|ud|bp|gp|de (default pf): "refguest: raising TYPE",
 *             then libpvfront's report ("pvfront: cpu 0: exception V
 *             (NAME) at rip R, error E" ...) and SHUTDOWN_crash.
 * traps       int3 and ud2 1000 times each through registered handlers:
 *             "traps: 2000 of 2000 handled; int3 N ns, ud2 M ns each",
 *             power off.
 * grant-to    peer=D: grants a page saying "shared by domU N" to D and
 *             prints "grantto: ref=R"; then console lines: "revoke" ->
 *             "grantto: revoke ok|busy|error", "show" -> "grantto: page
 *             says '...'", "quit" -> power off.
 * gntmap      peer=D ref=R: maps D's grant at guest-physical 1 GiB:
 *             "gntmap: map rc=0 status=0", "gntmap: read '...'", writes
 *             "written by domU N" there, "gntmap: second map at the same
 *             address status=S", "gntmap: mapped"; after a console line
 *             "gntmap: unmap rc=0 status=0" and power off.
 * kickbench   the guest half of bench/evtchn_bench (n=N samples):
 *             "kickbench: port=P ref=R pages=64", then after dom0's go
 *             "kickbench: guest ns min/median/p99: raw_exit=a/b/c
 *             raw_ioeventfd=... evtchn_send=... null_hypercall=...",
 *             then "kickbench: dom0_to_guest ns min/median/p99: kick=..."
 *             and "kickbench: done"; power off.
 * pvbench     the guest half of bench/pvbench (docs/BENCHMARKS.md), in
 *             one of two roles; ring entries in pvbench_proto.h.
 *             role=peer peer=D (the measuring guest): grants D
 *             PVBENCH_PEER_PAGES consecutive pages read-write,
 *             alloc_unbound(remote_dom=D), prints "pvbench: peer port=P
 *             ref=R pages=N", then answers every event on P with one,
 *             until destroyed.
 *             role=main peer=D peer_port=P peer_ref=R [runs=N (5, at most
 *             9)] [run_ms=M (100)]: grants dom0 a ring page, a page to
 *             map and (read-only) a control page, takes four ports unbound
 *             for dom0, binds P of D, maps the scratch register's MMIO
 *             page, and prints "pvbench: dom0 kick=K rt=T ring=G sync=S
 *             ring_ref=RR map_ref=MR control_ref=CR". It waits
 *             for dom0's go on S, then times each figure: N runs of K
 *             operations (K chosen so a run takes about M ms of TSC time),
 *             a handshake with dom0 before each run and after the last (it
 *             writes struct pvbench_control into the control page, sends
 *             on S and waits for dom0's answer: dom0 reads the vCPU's mode
 *             and times the figure's raw baseline meanwhile), and one
 *             line, in ns from the TSC rate pvclock gave
 *             (pvfront_tsc_to_ns):
 *               "pvbench: fig ID sync=I,J runs=N k=K min=A median=B p99=C
 *               run_medians=M1,...,MN probe=P,Q [base=BMIN,BMED,B99,KB]"
 *               (I and J: the handshakes before the first run and after
 *               the last, numbered from 0; P and Q: ns for 1000 rounds of
 *               a two-instruction loop just before and after the runs,
 *               fastest of three: well under a microsecond natively,
 *               ~1.4 ms in PVM's emulator; base: for figures compared
 *               with another guest figure, that baseline's min, median
 *               and p99 in ns, timed for a run of KB operations right
 *               before each run of the figure)
 *             IDs in order (the baseline timed between the runs, in
 *             brackets): hc.null, hc.multicall_1, hc.multicall_8 and
 *             hc.multicall_32 (each hc.null), trap.wrmsr, trap.cpuid,
 *             emul.port_write, emul.port_read, emul.mmio_write,
 *             emul.mmio_read,
 *             evt.kick_dom0 (sends on K, nobody answers), evt.rt_dom0
 *             (send on T, wait for dom0's answer), evt.rt_guest (the same
 *             with D), gnt.copy_64, gnt.copy_512, gnt.copy_4k,
 *             gnt.copy_64k (GNTTABOP_copy to D's grants R.., a page per
 *             op; hc.null), ring.rt (one request on the ring, kick on G,
 *             wait for the response; emul.device_rt), emul.device_rt
 *             (write the scratch register, read it back), gnt.map_guest
 *             (map + unmap D's grant R+16; hc.null).
 *             A wrmsr that raises #GP prints "pvbench: skip trap.wrmsr:
 *             WHY" instead of its figure. Then the upcall counters
 *             ("evtchn: stats ...", below), "pvbench: done" and power off;
 *             a failing operation prints "pvbench: ID failed" and crashes.
 * hypercalls  "PASS name" / "FAIL name: got X want Y" / "SKIP name: why"
 *             lines, then "hypercalls: N passed, M failed" and power off
 *             (crash if M > 0).
 *
 * Event channel and grant commands. Each wait gives up after timeout_ms=N
 * (default 10000), printing "<prefix>: timeout" and crashing; any other
 * failure prints "<prefix>: <what> failed: ERR" and crashes. Before its
 * last line each prints the upcall counters (pvfront/evtchn.h):
 *   "evtchn: stats upcalls=U events=E polled=P stuck=S"
 * On a hypervisor that delivers upcalls, E counts every event and P and
 * S stay 0 (P may count events that came before a CPU was set up; S an
 * upcall the host delayed by 50 ms).
 *
 * evtchn-dom0   rounds=N (10): alloc_unbound(remote_dom=0), then
 *               "evtchn: port P"; N times: wait for an event on P, send on
 *               P; then "evtchn: N round trips", power off. (dom0 binds to
 *               P, sends, waits for the answer, N times.)
 * evtchn-guest  role=server peer=D rounds=N: alloc_unbound(remote_dom=D),
 *               "evtchn: port P", then as evtchn-dom0 (wait, send).
 *               role=client peer=D port=P rounds=N: bind_interdomain(D, P),
 *               "evtchn: connected to D:P, local port L", drops the event
 *               the bind leaves pending, then N times: send, wait.
 *               Both end with "evtchn: N round trips" and power off.
 * virq-timer    count=N (10): bind VIRQ_TIMER on CPU 0; N times: arm
 *               set_timer_op 10 ms ahead and wait for the VIRQ. Prints
 *               "virq: lateness min A us max B us, E early", then
 *               "virq: N timer events" and powers off; an event before its
 *               deadline (E > 0) prints "virq: E events came before their
 *               deadline" instead and crashes.
 * ipi           rounds=N (10), 2+ vCPUs ("ipi: needs 2 vcpus, have 1" and
 *               crash otherwise): bind_ipi on CPUs 0 and 1, "ipi: ports A
 *               (cpu 0) and B (cpu 1)"; CPU 0 sends on B and waits on A, CPU
 *               1 waits on B and sends on A, N times. "ipi: upcall modes
 *               cpu0 M cpu1 M" (PVFRONT_EVTCHN_UPCALL_*, 2 = per-vCPU
 *               vector), then "ipi: N round trips", power off.
 * grant         Places one grant frame and takes two pages A and B (free
 *               RAM after the image). A holds "hello from domU <domid>",
 *               B "readonly page" (NUL-terminated). Grants A to dom0
 *               read-write (ref RA), B read-only (ref RB), alloc_unbound
 *               (remote_dom=0) port P; prints
 *               "grant: ref=RA roref=RB port=P". Waits for an event on P
 *               (dom0 mapped and wrote A), prints
 *               "grant: dom0 wrote 'STRING'" (A up to its NUL, at most
 *               4095 bytes, unprintable bytes as '?'). Ends access to RA:
 *               "grant: revoke while mapped: busy" (-EBUSY, expected),
 *               "... UNEXPECTED ok" or "... error ERR". Sends on P, waits
 *               for an event on P (dom0 unmapped), ends access to RA and
 *               RB: "grant: revoke after unmap: ok" (or "busy" / "error
 *               ERR"), "grant: revoke readonly after unmap: ok" (same
 *               forms). Powers off.
 *
 * xenstore    libpvfront's xenstore client (pvfront/xenbus.h) over the
 *             domain's ring; HOME is /local/domain/<domid>. Lines, in order:
 *               "xenstore: init ok pfn=0xPFN port=P" (HVM_PARAM_STORE_*)
 *               "xenstore: read HOME = 'VALUE'" (the first request; with
 *                 retry=N, a timeout prints "xenstore: read HOME failed:
 *                 -110 ETIMEDOUT, retrying" and tries again, N times)
 *               "xenstore: wrote HOME/data/greeting = hello from <domid>"
 *               "xenstore: read HOME/data/greeting = hello from <domid>"
 *               "xenstore: directory HOME/data: N entries: NAME NAME ..."
 *               "xenstore: transaction committed (tries=T)": one
 *                 transaction writes HOME/data/tx-a = "one" and
 *                 HOME/data/tx-b = "two T" (T: the try that committed; a
 *                 conflict, EAGAIN, starts over, up to 5 tries)
 *               "xenstore: big value of 2000 bytes read back intact"
 *                 (HOME/data/big, longer than the 1 KiB ring)
 *               "xenstore: waiting for HOME/data/poke": watch on it with
 *                 token "tok"; then "xenstore: event PATH token TOKEN" for
 *                 each event (the first comes at once) until the node can
 *                 be read, within timeout_ms (10 s): "xenstore: poke =
 *                 VALUE", or "xenstore: timeout waiting for PATH" and crash
 *               with dev=TYPE/ID (DEV = HOME/device/TYPE/ID, whose "state"
 *                 and "backend" nodes the toolstack made): "xenstore:
 *                 switched DEV to state 3" (Initialised), then waits for
 *                 the node "<DEV/backend>/state" to reach 4: "xenstore:
 *                 backend BACKEND/state reached state S" (crash unless 4),
 *                 "xenstore: switched DEV to state 4" (Connected)
 *               "xenstore: denied read /local/domain/0/secret: -E NAME"
 *               "xenstore: denied write /local/domain/0/secret: -E NAME"
 *                 (-13 EACCES for a node dom0 made with perms "n0"; one
 *                 that is not refused prints "xenstore: UNEXPECTED read
 *                 ... = VALUE" / "UNEXPECTED write ... succeeded")
 *               "xenstore: stats requests=R timeouts=T events=E dropped=D
 *                 late=L bad=B" (struct pvfront_xs_stats)
 *               "xenstore: done", power off.
 *             Any failing step prints "xenstore: STEP failed: -E NAME"
 *             (STEP: init, read HOME, write greeting, read greeting,
 *             directory, transaction, write big, read big, watch,
 *             read_watch, read poke, unwatch, switch_state, read backend,
 *             wait_state; NAME from pvfront_xs_errname) and crashes. A domain
 *             never introduced to xenstored prints "xenstore: read HOME
 *             failed: -110 ETIMEDOUT" about 5 s after "init ok".
 *
 * disk        libpvfront's block frontend (pvfront/blkfront.h) on the disks
 *             the toolstack gave the domain (device/vbd/DEVID, Xen's vbd
 *             numbering: xvda = 51712). Options: op=info|verify|check|
 *             discard|write-ro|fio|hostile (info); vdev=NAME[,NAME...]
 *             (xvda; xvdX, sdX, hdX, dNpM or a device number; fio and
 *             hostile use the first, the others run on each in turn);
 *             persistent=0 (write feature-persistent = "0"); indirect=0
 *             (never BLKIF_OP_INDIRECT); ring_pages=N (cap on the ring,
 *             1..16); segs=N (cap on segments a request, 11..4096;
 *             default 256); timeout_ms=N (each handshake wait, 10 s).
 *             Free RAM after the image holds a grant table of up to 32
 *             frames, the data buffer, and each disk's region
 *             (pvfront_blk_mem_size: ring, bookkeeping, pool). Lines:
 *               "disk: NAME sectors=N sector-size=S ro=0|1 persistent=0|1
 *                 indirect=N ring-order=K" after each connect (NAME the
 *                 canonical name, e.g. xvda; indirect=N the segments a
 *                 request may carry when indirect requests are in use, else
 *                 0; K the ring-page-order in use)
 *               op=info: before connecting, "disk: found N: NAME NAME ..."
 *                 (the vbd directory, pvfront_blk_list); nothing more.
 *               op=discard bytes=N: "disk: discarded N bytes" (BLKIF_OP_DISCARD
 *                 over [0, N), in 1 GiB requests; the backend must offer
 *                 feature-discard, else "disk: discard failed: -95
 *                 EOPNOTSUPP"), then the stats line.
 *               op=verify bytes=N seed=S [hold=1]: writes the pattern over
 *                 [0, N) (N a multiple of 512, at most the disk), flushes:
 *                 "disk: wrote N bytes, flushed"; reads it back: "disk:
 *                 verify ok N bytes", or "disk: verify FAILED at offset X"
 *                 (X the first wrong byte, decimal) and crash. Pattern:
 *                 the little-endian 64-bit word at byte offset o (o a
 *                 multiple of 8) is mix(S * 0x9E3779B97F4A7C15 + o/8), mix
 *                 splitmix64's finaliser (z ^= z >> 30; z *=
 *                 0xbf58476d1ce4e5b9; z ^= z >> 27; z *= 0x94d049bb133111eb;
 *                 z ^= z >> 31). Default seed 1.
 *               op=check bytes=N seed=S: reads and compares only: "disk:
 *                 check ok N bytes" or "disk: check FAILED at offset X".
 *               verify, check and discard then print "disk: stats requests=R
 *                 indirect=I pushes=P notifies=E waits=W errors=X busy=B
 *                 bad=D leaked=L pool=G" (struct pvfront_blk_stats; G pool
 *                 pages).
 *               op=write-ro: one 4 KiB write at sector 0: "disk: write
 *                 refused: STATUS" (the blkif status, e.g. -1) or "disk:
 *                 write accepted".
 *               op=hostile: after connecting, raw requests straight into
 *                 the ring, each answered within 2 s or not: "disk: hostile
 *                 CASE status=S" (S the blkif status, or "timeout") for
 *                 CASE badop (operation 0x77), badgref (a ref never
 *                 granted), range (sector = the disk's size), segs
 *                 (nr_segments 12 on a plain read), indirect-lie (an
 *                 indirect read of 513 segments with one indirect page);
 *                 "disk: hostile sane-read status=S" (an honest 4 KiB
 *                 read afterwards); then req_prod set two ring sizes
 *                 ahead and an event: "disk: hostile overflow sent";
 *                 200 ms later "disk: hostile done" and power off (no
 *                 disconnect: the ring is garbage).
 *               op=fio size_mb=M (64) runtime_ms=T (2000): one line per
 *                 job, "fio: JOB bs=B iodepth=D MB/s=X iops=Y lat_us
 *                 p50=A p99=C": seqwrite then seqread (bs=1M iodepth=32,
 *                 each 1 MiB block of [0, M MiB) once), then randread and
 *                 randwrite (bs=4k, 4 KiB-aligned offsets in [0, M MiB))
 *                 at iodepth=1, 32 and 64, T ms each. MB/s is 10^6 bytes
 *                 a second, with two decimals (fio.c), latency from the first request of an I/O to
 *                 its last response (TSC), percentiles within 3%; integer
 *                 math throughout. Then the stats line.
 *               "disk: closed NAME" after each disk's clean disconnect
 *                 (Closing, Closed, grants revoked), before the next disk
 *                 connects (so vdev=xvda,xvda reconnects the same disk);
 *                 power off after the last. With hold=1 (verify, check)
 *                 no disk is closed: "disk: holding" after the last, and
 *                 the guest sleeps forever with every disk connected.
 *             Any failing step prints "disk: STEP failed: -E NAME" (STEP
 *             e.g. "find xvdb", "connect xvda", "write", "read", "flush",
 *             "disconnect xvda"; NAME from pvfront_xs_errname) and crashes.
 *
 * edisk       pvhv's emulated disk (pvhv_platform.h, PVHV_EDISK_PORT), by
 *             port I/O through edisk.c: every register access and data
 *             word a trap. Options: op=info|verify|check|write-ro|hostile|
 *             fio (info); bytes=N, seed=S as for disk; size_mb=M,
 *             runtime_ms=T for fio. Lines:
 *               "edisk: sectors=N ro=0|1 port=0x5a0 max-sectors=256" once
 *                 the disk answered, or "edisk: no disk at port 0x5a0" and
 *                 crash.
 *               op=verify, op=check: as disk's, prefix "edisk:" ("edisk:
 *                 wrote N bytes, flushed", "edisk: verify ok N bytes",
 *                 "edisk: check FAILED at offset X", ...), same pattern.
 *               op=write-ro: one 4 KiB write at sector 0: "edisk: write
 *                 refused: error=NAME" (NAME from the status, e.g. RO) or
 *                 "edisk: write accepted".
 *               op=hostile: commands the device must refuse, "edisk: hostile
 *                 CASE status=0xS error=NAME" for CASE range (LBA = the
 *                 size), straddle (the last sector, COUNT 2), wrap (LBA
 *                 2^64-1), count0, count-big (COUNT 257), badcmd (0x77),
 *                 data-idle (DATA read with no transfer, after "edisk:
 *                 hostile data-idle value=0xV"); then "edisk: hostile
 *                 abandon write=0xS intact=1|0" (a WRITE of sector 0..7
 *                 given half its data, then abandoned by the next command:
 *                 intact=1 when the sectors read back unchanged) and
 *                 "edisk: hostile sane-read ok".
 *               op=fio size_mb=M (64) runtime_ms=T (2000): disk's fio
 *                 jobs, one I/O at a time (the device is synchronous):
 *                 each line says iodepth=1, with asked=D after it where
 *                 the job asked for more; sequential jobs also stop after
 *                 T ms (a 1 MiB write through the DATA port takes seconds).
 *               Then "edisk: stats commands=C errors=E", and "edisk: done"
 *                 and power off; a failed step prints its line ("edisk:
 *                 read failed: -5 EIO", "fio: JOB error ...") and crashes.
 *
 * net         libpvfront's network frontend (pvfront/netfront.h) and the
 *             guest's own stack (net/net.h: ARP, IPv4 without fragments,
 *             ICMP echo, UDP, a minimal TCP) on vif DEVID. Options: op=
 *             serve|ping|udp-echo-client|udp-send|udp-recv|tcp-send|
 *             tcp-recv|hostile (serve); vif=DEVID (0); ip=A.B.C.D
 *             (required); mask=BITS (24); gw=A.B.C.D (none); split=0 (one
 *             event channel even if the backend offers two); sg=0
 *             (feature-sg = 0); tx_bufs=N, rx_bufs=N (pool pages, 1..256,
 *             256 each); timeout_ms=N (each handshake wait, ARP for dst,
 *             the first datagram of udp-recv, 10 s); reconnect=1 (connect,
 *             close, connect again before the op: the two connect lines
 *             with "net: closed vifN" between them). In every op the stack
 *             answers ARP for ip and ICMP echo requests, and echoes UDP
 *             datagrams to port 7 back to their sender. Lines:
 *               "net: vifN mac=xx:xx:xx:xx:xx:xx mtu=M ip=A.B.C.D" after
 *                 connecting (mac from F/mac, M from B/mtu, F/mtu or 1500),
 *                 then "net: vifN split=0|1 sg=0|1 tx_bufs=T rx_bufs=R".
 *               "net: ping from A.B.C.D" the first time each peer pings us
 *                 (any op).
 *               op=serve: "net: serving", then serves until a UDP datagram
 *                 "quit" to port 7 (echoed too): "net: quit".
 *               op=ping dst=A.B.C.D count=N (4, at most 4096) [serve=1]:
 *                 resolves dst by ARP (retrying for timeout_ms), then sends
 *                 N echo requests (id 0x7076, seq 1..N, 56 bytes) 100 ms
 *                 apart; per reply "net: reply from A.B.C.D seq=K
 *                 time_us=T" (T the round trip in microseconds); once all
 *                 replies came or 1 s after the last request "net: ping N
 *                 sent R received". With serve=1 it then serves as
 *                 op=serve (so two guests can ping each other: each
 *                 answers ARP and pings while it pings).
 *               op=udp-echo-client dst=A.B.C.D [port=P (7)] [count=N (10)]
 *                 [size=B (64)]: N datagrams one at a time, each waited for
 *                 up to 1 s and compared: "net: udp echo R of N".
 *               op=udp-send dst=A.B.C.D [port=P (5201)] [seconds=S (2)]
 *                 [size=B (mtu - 28)]: UDP from port P+1 as fast as the
 *                 ring takes it for S seconds; each payload starts with its
 *                 sequence number (64-bit big endian, from 0), the rest
 *                 bytes i mod 256: "net: udp-send bytes=X packets=Y
 *                 Mbit/s=Z pps=W" (X payload bytes sent, Z with two
 *                 decimals, 10^6 bits; integer math).
 *               op=udp-recv [port=P (5201)] [seconds=S (2)]: "net: udp-recv
 *                 ready port=P", waits up to timeout_ms for the first
 *                 datagram, then counts for S seconds from it or until 1 s
 *                 passes without one: "net: udp-recv bytes=X packets=Y
 *                 Mbit/s=Z pps=W lost=L" (X payload bytes, the rate over
 *                 first to last datagram, L = highest sequence number + 1 -
 *                 Y, sequence numbers as udp-send writes them); "net:
 *                 udp-recv nothing arrived" if none came.
 *               op=tcp-send dst=A.B.C.D [port=P (5201)] [seconds=S (2)]:
 *                 connects ("net: tcp-send connected"), sends the stream
 *                 (byte at offset o = o mod 256) for S seconds, waits up to
 *                 2 s for the last ACKs, closes: "net: tcp-send bytes=X
 *                 packets=Y Mbit/s=Z pps=W retrans=R" (X bytes acknowledged,
 *                 Y segments sent).
 *               op=tcp-recv [port=P (5201)] [seconds=S (2)]: "net: tcp-recv
 *                 ready port=P", accepts one connection (timeout_ms), counts
 *                 in-order bytes for S seconds or until the peer closes,
 *                 closes: "net: tcp-recv bytes=X packets=Y Mbit/s=Z pps=W
 *                 bad=B" (Y segments received, B bytes off the o mod 256
 *                 pattern).
 *               op=hostile: raw requests straight into the tx ring, each
 *                 answered within 2 s or not: "net: hostile CASE status=S"
 *                 (S the first response's NETIF_RSP_* status, or "none")
 *                 for CASE, in order: badgref (one 60-byte slot with a ref
 *                 never granted), oversize (17 full-page slots chained with
 *                 NETTXF_more_data, 69632 bytes, the first slot's 16-bit size
 *                 wrapped to 4096), sane (an honest gratuitous ARP, one
 *                 slot), slots (a NETTXF_more_data chain over every free
 *                 slot, the last one included: it never ends), overflow
 *                 (req_prod set two ring sizes past what was produced, and
 *                 an event; S the first response after it, read from the
 *                 ring); then the stats lines, "net: hostile done" and
 *                 power off (no disconnect: the ring is garbage).
 *               Every other op ends with "net: stats ..." (struct
 *                 pvfront_net_stats), "net: stack ..." (the stack's
 *                 counters), the close handshake and "net: closed vifN";
 *                 then power off.
 *             Any failing step prints "net: STEP failed: -E NAME" (STEP e.g.
 *             "vif1" (no such vif), "connect vif0", "arp 10.0.0.1", "send",
 *             "tcp connect", "disconnect"; NAME from pvfront_xs_errname)
 *             and crashes.
 */
int cmd_hello(const struct pvfront_boot_info *bi);
int cmd_info(const struct pvfront_boot_info *bi);
int cmd_crash(const struct pvfront_boot_info *bi);
int cmd_crashcode(const struct pvfront_boot_info *bi);
int cmd_reboot(const struct pvfront_boot_info *bi);
int cmd_spin(const struct pvfront_boot_info *bi);
int cmd_tick(const struct pvfront_boot_info *bi);
int cmd_sleep(const struct pvfront_boot_info *bi);
int cmd_runstate(const struct pvfront_boot_info *bi);
int cmd_kickbench(const struct pvfront_boot_info *bi);
int cmd_pvbench(const struct pvfront_boot_info *bi);
int cmd_grant_to(const struct pvfront_boot_info *bi);
int cmd_gntmap(const struct pvfront_boot_info *bi);
int cmd_compute(const struct pvfront_boot_info *bi);
int cmd_smp(const struct pvfront_boot_info *bi);
int cmd_echo(const struct pvfront_boot_info *bi);
int cmd_hypercalls(const struct pvfront_boot_info *bi);
int cmd_fault(const struct pvfront_boot_info *bi);
int cmd_traps(const struct pvfront_boot_info *bi);
int cmd_evtchn_dom0(const struct pvfront_boot_info *bi);
int cmd_evtchn_guest(const struct pvfront_boot_info *bi);
int cmd_virq_timer(const struct pvfront_boot_info *bi);
int cmd_ipi(const struct pvfront_boot_info *bi);
int cmd_grant(const struct pvfront_boot_info *bi);
int cmd_xenstore(const struct pvfront_boot_info *bi);
int cmd_disk(const struct pvfront_boot_info *bi);
int cmd_edisk(const struct pvfront_boot_info *bi);
int cmd_net(const struct pvfront_boot_info *bi);

/* cmd_disk.c, shared with cmd_disk_fio.c and cmd_disk_hostile.c. */
struct pvfront_blkfront;
/* refguest_disk_take: bytes (rounded up to pages) of free RAM, page aligned; NULL if none left. */
void *refguest_disk_take(size_t bytes);
/* refguest_disk_free: free RAM left for refguest_disk_take, whole pages. */
size_t refguest_disk_free(void);
/* refguest_disk_arena: hand the boot's free RAM to refguest_disk_take. */
void refguest_disk_arena(const struct pvfront_boot_info *bi);
/* refguest_failed: print "WHO: WHAT failed: -E NAME"; returns 1. */
int refguest_failed(const char *who, const char *what, int r);
/* refguest_disk_failed: refguest_failed("disk", what, r). */
int refguest_disk_failed(const char *what, int r);
/* refguest_disk_pattern: the verify pattern's word at disk byte offset `offset`. */
uint64_t refguest_disk_pattern(uint64_t seed, uint64_t offset);
/*
 * refguest_disk_connect: find vdev, connect it with `region` bytes of free
 * RAM and the command line's options, print the "disk: NAME sectors=..."
 * line; its canonical name into name. 0, or 1 after printing the failure.
 */
int refguest_disk_connect(struct pvfront_blkfront *bf, const char *vdev, size_t region,
                          char *name, size_t name_len);
/* refguest_disk_stats: print the "disk: stats ..." line. */
void refguest_disk_stats(const struct pvfront_blkfront *bf);
/* refguest_disk_disconnect: disconnect, print "disk: closed NAME"; 0, or 1 after the failure line. */
int refguest_disk_disconnect(struct pvfront_blkfront *bf, const char *name);
/*
 * A disk as verify, check and the synchronous fio reach it: blkfront's or
 * the emulated disk's. Lengths are multiples of 512; each call returns 0
 * or a negative Xen errno.
 */
struct refguest_blkio {
    const char *who; /* the lines' prefix: "disk", "edisk" */
    void *dev;
    int (*read)(void *dev, uint64_t sector, void *buf, size_t len);
    int (*write)(void *dev, uint64_t sector, const void *buf, size_t len);
    int (*flush)(void *dev);
};
/*
 * refguest_disk_verify: write the pattern over [0, n) through buf
 * (buf_len bytes at a time), flush, print "WHO: wrote N bytes, flushed",
 * then refguest_disk_check(..., "verify"). refguest_disk_check: read
 * [0, n) back and compare: "WHO: WHAT ok N bytes", or "WHO: WHAT FAILED at
 * offset X". 0, or 1 after the failure line.
 */
int refguest_disk_verify(const struct refguest_blkio *io, uint8_t *buf, size_t buf_len,
                         uint64_t n, uint64_t seed);
int refguest_disk_check(const struct refguest_blkio *io, uint8_t *buf, size_t buf_len,
                        uint64_t n, uint64_t seed, const char *what);
/* op=fio and op=hostile on disk `vdev` (cmd_disk_fio.c, cmd_disk_hostile.c). */
int refguest_disk_fio(const char *vdev);
int refguest_disk_hostile(const char *vdev);

/* cmd_evtchn.c, shared with cmd_grant.c. */
/* refguest_timeout_ns: timeout_ms=N from the command line (default 10 s), in ns. */
uint64_t refguest_timeout_ns(void);
/*
 * refguest_wait: pvfront_evtchn_wait with that timeout; on failure prints
 * "<who>: timeout" or "<who>: wait on port P failed: ERR". Returns its result.
 */
int refguest_wait(const char *who, evtchn_port_t port);
/* refguest_evtchn_stats: print "evtchn: stats upcalls=U events=E polled=P stuck=S". */
void refguest_evtchn_stats(void);

#endif /* REFGUEST_H */
