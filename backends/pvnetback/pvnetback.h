/* pvnetback.h: the network backend daemon (Xen's netback, as a dom0
 * process): which file does what, and the structures they share.
 *
 *   main.c      options, the pid file, then daemon_run
 *   daemon.c    the one epoll loop: signals, the tick timer, xenstore, the
 *               event channels, every vif's TAP
 *   host.c      the connections to pvhv (control, event channels, grants),
 *               lost and found again; which domains are still alive
 *   xenbus.c    xenstore: the watches, each vif's xenbus handshake (the
 *               backend and frontend states, the nodes published)
 *               (the shared parts of main.c, daemon.c, host.c and xenbus.c
 *               are in backends/common: backend_main.h, backend_loop.h,
 *               backend_host.h, backend_xenbus.h)
 *   vif.c       one vif: its record, its TAP's life, connecting and
 *               disconnecting its rings
 *   tap.c       the TAP device: made, named, addressed, bridged, offloads
 *   txreq.c     decoding and checking one tx packet's slots (no I/O;
 *               txreq.h, with the numbers in pvnetback_limits.h)
 *   frame.c     Ethernet/IP header parsing and checksums (no I/O; frame.h)
 *   tx.c        the tx ring (guest to host): packets grant-copied out of
 *               the guest in batches, written to the TAP, answered
 *   rx.c        the rx ring (host to guest): frames read from the TAP,
 *               grant-copied into the buffers the guest posted, answered
 *
 * One thread, one loop. Nothing blocks on a guest: a vif whose guest
 * posts no receive buffers is simply not read from (its TAP's queue fills
 * and the kernel drops), and each vif gets a bounded share of every round.
 */
#ifndef PVNETBACK_H
#define PVNETBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>

#include <pvhv/io/netif.h>
#include <pvhv/io/xenbus.h>

#include "backend_host.h"
#include "backend_loop.h"
#include "backend_xenbus.h"
#include "pvnetback_limits.h"


/* Where the backend directories live (watched as a whole). */
#define NB_BACKEND_ROOT "/local/domain/0/backend/vif"
/* Default tick: retry absent daemons and failed binds, look at every
 * connected ring (a lost notification strands nothing longer than this). */
#define NB_TICK_MS 500
#define NB_SLOW_MS 500
#define NB_RESCAN_MS 5000
/* While a vif whose frontend never notifies (no feature-rx-notify) waits
 * for receive buffers, its ring is looked at this often. */
#define NB_RX_POLL_MS 10
/* Local event channel ports libpvctrl hands out are below this. */
#define NB_MAX_PORTS 4096
/* Work one vif may do in one round before the others get theirs. */
#define NB_TX_BUDGET 64 /* packets */
#define NB_RX_BUDGET 64 /* frames */
/* The shared buffer a round of packets or frames is staged in. */
#define NB_ARENA_SIZE (1u << 20)
/* The TAP's host-side address, as Xen gives its vifs (so a bridge never
 * takes it as its own). */
#define NB_TAP_MAC { 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff }

/* What an epoll event is about: every registered fd's data.ptr points
 * at one of these. */
enum nb_tag { TAG_SIGNAL = 1, TAG_TIMER, TAG_EVTCHN, TAG_XS, TAG_TAP };
struct nb_src {
    enum nb_tag tag;
    struct vif *vif; /* TAG_TAP */
};

/* Which ring(s) a local port serves. */
enum { PORT_TX = 1, PORT_RX = 2 };

/* Counters, logged when the connection closes. */
struct vif_stats {
    uint64_t tx_pkts, tx_bytes, tx_err, tx_drop;
    uint64_t rx_pkts, rx_bytes, rx_err, rx_drop_mtu, rx_drop_bad;
    uint64_t rx_waits; /* times the guest had too few buffers posted */
};

/* One vif: backend dir B, frontend dir F. */
struct vif {
    struct vif *next;
    struct nb_src src;          /* epoll data of its TAP */
    uint32_t domid, devid;
    char bpath[96];             /* B: NB_BACKEND_ROOT/N/DEVID */
    char fpath[128];            /* F, from B/frontend */

    /* From B (the toolstack's nodes). */
    uint8_t mac[6];             /* the guest's address (B/mac) */
    char macstr[18];
    char bridge[IFNAMSIZ];      /* "" for none */
    char vifname[IFNAMSIZ];     /* "" for vifN.DEVID */
    char script[64];
    unsigned mtu;               /* the configured MTU */
    bool mtu_clamped;           /* B/mtu was beyond NB_MAX_MTU */
    unsigned mtu_now;           /* the TAP's: mtu, or at most 1500 while the
                                   frontend takes no multi-slot frames */

    /* The TAP (tap.c). */
    int tapfd;                  /* -1 while none */
    char ifname[IFNAMSIZ];
    uint32_t tap_events;        /* what epoll watches on it now */
    unsigned offload;           /* TUN_F_* set now */

    /* xenbus. */
    int state;                  /* our B/state (XenbusState*), 0 before any */
    bool online;                /* B/online */
    bool fe_watched;            /* a watch on F/state is set */
    bool failed;                /* a fatal error was published (B/error) */
    bool removed;               /* B is gone */
    bool domain_gone;           /* pvhv no longer has the domain */
    bool need_connect;          /* connect when pvhv comes (back) */
    bool seen;                  /* found by the latest rescan */

    /* What the frontend said (F). */
    bool fe_sg, fe_gso4, fe_gso6, fe_csum, fe_csum6, fe_rx_notify;

    /* The connection (vif.c). */
    bool connected;
    void *rings;                /* tx page then rx page, mapped together */
    netif_tx_back_ring_t tx;
    netif_rx_back_ring_t rx;
    uint32_t remote_tx_port, remote_rx_port; /* equal unless split */
    bool split;
    int local_tx_port, local_rx_port;        /* -1 while unbound */
    bool bind_warned;
    bool broken;                /* the frontend broke a ring: closing */

    /* tx (tx.c). */
    bool tx_again;              /* budget spent: more next round */
    bool tx_partial;            /* a packet's slots are not all pushed yet */
    /* rx (rx.c). */
    bool rx_wait;               /* too few buffers posted: TAP not read */
    unsigned rx_need;           /* slots the held frame needs */
    uint8_t *held;              /* a frame read but not yet placed */
    size_t held_len;            /* its length (with the vnet header) */

    struct vif_stats st;
    unsigned warned;            /* bit per kind of complaint already logged */
};

/* The daemon. */
struct netback {
    const char *rundir;
    int epfd;
    int tick_ms;
    double last_slow, last_rescan;
    struct nb_src src_signal, src_timer, src_evtchn, src_xs;

    /* pvhv (host.c, on backend_host): its handles NULL while it is not
     * there. */
    struct bk_host host;
    struct {
        struct vif *vif;
        unsigned rings;         /* PORT_TX | PORT_RX */
    } by_port[NB_MAX_PORTS];

    /* xenstore (xenbus.c, on backend_xenbus): xb.xs NULL while it is not
     * there. */
    struct bk_xs xb;

    struct vif *vifs;
    bool again;                 /* some vif has tx_again */
    uint8_t *arena;             /* NB_ARENA_SIZE bytes */
    struct gnttab_copy *ops;    /* copy ops of one round */
    size_t nops_cap;
};

/* ---- daemon.c ---- */
int daemon_run(struct netback *nb);
/* Monotonic milliseconds (backend_loop.h). */
#define nb_now_ms bk_now_ms
/* Change what epoll watches on v's TAP (0 or EPOLLIN). */
void nb_tap_watch(struct netback *nb, struct vif *v, uint32_t events);

/* ---- host.c ---- */
void host_connect(struct netback *nb);
void host_events(struct netback *nb);
void host_check_domains(struct netback *nb);
/* pvhv went away: disconnect every vif (their TAPs stay). */
void host_lost(struct netback *nb, int err);
void host_close(struct netback *nb);
/* Bind v's port(s) if not bound (retried at ticks; rings polled meanwhile). */
void host_bind(struct netback *nb, struct vif *v);
void host_unbind(struct netback *nb, struct vif *v);
/* Notify the frontend of v for `rings` (PORT_TX, PORT_RX or both). */
void host_notify(struct netback *nb, struct vif *v, unsigned rings);
/* Run `n` grant copies in calls of at most PVHV_GNTTAB_MAP_MAX; a call
 * that fails marks its ops failed. */
void host_copy(struct netback *nb, struct gnttab_copy *ops, size_t n);
/* Room for `n` copy ops in nb->ops. 0 or -ENOMEM. */
int host_ops_reserve(struct netback *nb, size_t n);

/* ---- xenbus.c ---- */
void xb_connect(struct netback *nb);
void xb_events(struct netback *nb);
void xb_rescan(struct netback *nb);
void xb_check(struct netback *nb, uint32_t domid, uint32_t devid);
void xb_check_all(struct netback *nb);
/* Write B/state = state if B still exists. 0, -ENOENT or -errno. */
int xb_switch_state(struct netback *nb, struct vif *v, int state);
/* Publish the features (and `state`) in one transaction. */
int xb_publish(struct netback *nb, struct vif *v, int state);
/* A fatal error: log it, write B/error, disconnect, move to Closing. */
void xb_fatal(struct netback *nb, struct vif *v, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
char *xb_read_fe(struct netback *nb, struct vif *v, const char *key);
/* F/key as 0/1 (absent: `dflt`; anything but "0"/"1": -EINVAL). */
int xb_read_fe_bool(struct netback *nb, struct vif *v, const char *key, int dflt);
void xb_watch_fe(struct netback *nb, struct vif *v, bool on);
void xb_close(struct netback *nb);

/* ---- vif.c ---- */
struct vif *vif_find(struct netback *nb, uint32_t domid, uint32_t devid);
struct vif *vif_by_fpath(struct netback *nb, const char *path, size_t len);
struct vif *vif_new(struct netback *nb, uint32_t domid, uint32_t devid);
/* Make the TAP (if not made): named, addressed, MTU, up, carrier off,
 * in its bridge. 0 or -errno (a fatal error is published). */
int vif_set_up_tap(struct netback *nb, struct vif *v);
/*
 * Connect the rings the frontend published in F: read its nodes, map the
 * two ring pages, bind the port(s), set the TAP's offloads and carrier.
 * `resume`: a restarted daemon taking over a Connected vif (the indexes
 * come from the shared rings). 0 or -errno (nothing left mapped; a
 * frontend's mistake is published as a fatal error).
 */
int vif_connect(struct netback *nb, struct vif *v, bool resume);
/* Stop serving: unmap, unbind, carrier off, the held frame dropped; then
 * B/state to `target` (XenbusStateClosing: 5; XenbusStateClosed: 5 then
 * 6; -1: no write). */
void vif_disconnect(struct netback *nb, struct vif *v, int target);
/* The TAP is in an error state (someone deleted the interface): close
 * it and fail the vif (B/error, Closing). */
void vif_tap_lost(struct netback *nb, struct vif *v, int err);
/* B vanished (or the daemon stops): disconnect without touching B, close
 * the TAP (the kernel deletes it), free v. */
void vif_remove(struct netback *nb, struct vif *v);

/* ---- tap.c ---- */
/* Create TAP `name` (refused if an interface of that name exists) with
 * vnet headers, non-blocking. Returns the fd or -errno. */
int tap_create(const char *name);
/* Host-side MAC fe:ff:ff:ff:ff:ff, `mtu`, carrier off, IPv6 off, up. */
int tap_configure(int fd, const char *name, unsigned mtu);
/* Enslave to bridge `bridge`: 0, -ENODEV (no such bridge), -ENOTTY (not
 * a bridge) or -errno. */
int tap_join_bridge(const char *name, const char *bridge);
int tap_set_carrier(int fd, bool on);
int tap_set_offload(int fd, unsigned flags);
/* The interface's MTU now, or -errno. */
int tap_get_mtu(const char *name);
int tap_set_mtu(const char *name, unsigned mtu);

/* ---- tx.c ---- */
/* Take, send and answer every packet the tx ring holds (at most a
 * budget), then re-arm req_event. A broken ring closes the vif. */
void tx_kick(struct netback *nb, struct vif *v);
/* ---- rx.c ---- */
/* Read frames from the TAP into the posted buffers (at most a budget);
 * with too few buffers, hold the frame and stop reading the TAP until the
 * frontend posts more. */
void rx_kick(struct netback *nb, struct vif *v);
/* Forget the held frame (disconnecting). */
void rx_reset(struct vif *v);
/* The offloads (TUN_F_*) to ask of the TAP for v's frontend. */
unsigned rx_offload_for(const struct vif *v);

#endif
