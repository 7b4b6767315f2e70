/* hostnet.h: libhostnet, the host-side networks pvhv's vifs plug into.
 *
 * A network is a Linux bridge named after it. pvnetback puts each vif's
 * TAP into the bridge its B/bridge node names; this library makes and
 * removes the bridges pvhv owns (pvctl's net-create, net-destroy,
 * net-list). Three kinds:
 *
 *   hostonly  a bridge with the host's address .1 of its subnet (a /24 by
 *             default) and no uplink: guests reach each other and the host
 *             only (an nftables table "pvhv-NAME" drops whatever the host
 *             would route between the bridge and another interface, so a
 *             host with forwarding on does not route them out).
 *   nat       the same, plus IPv4 forwarding on, and its table
 *             masquerades the subnet out of every other interface and lets
 *             into the bridge, from elsewhere, only traffic of connections
 *             its guests began.
 *   bridged   any bridge the administrator made (e.g. with an uplink
 *             enslaved); pvhv never creates, changes or removes it, only
 *             lists it.
 *
 * How: links and addresses through rtnetlink directly (no iproute2
 * needed); the nftables table by running `nft -f -` with a ruleset on its
 * standard input (the nftables package); forwarding through
 * /proc/sys/net/ipv4/ip_forward. Everything acts in the calling process's
 * network namespace.
 *
 * pvhv's networks are remembered in RUNDIR/networks/NAME.json (mode,
 * subnet, host address, and whether forwarding was off before pvhv turned
 * it on), so that net-list shows them and net-destroy removes only what
 * pvhv made. RUNDIR NULL means $PV_RUNDIR, else /run/pv.
 *
 * Every function returns 0 or a negative errno; on failure a message
 * naming what went wrong is put in err (errlen bytes, may be 0). Not
 * thread-safe (one call at a time). Needs CAP_NET_ADMIN.
 */
#ifndef HOSTNET_H
#define HOSTNET_H

#include <stdbool.h>
#include <stddef.h>

/* Longest network (interface) name: IFNAMSIZ - 1. Names are 1..15 of
 * [A-Za-z0-9_.-], starting with a letter or digit. */
#define HOSTNET_NAME_MAX 15

enum hostnet_mode {
    HOSTNET_HOSTONLY = 1,
    HOSTNET_NAT = 2,
    HOSTNET_BRIDGED = 3,
};

struct hostnet_info {
    char name[HOSTNET_NAME_MAX + 1];
    enum hostnet_mode mode;
    char subnet[24];  /* "10.23.5.0/24"; "" for a bridged network */
    char address[16]; /* the host's address on it ("10.23.5.1"); "" bridged */
    bool pvhv;        /* made by pvhv (its record is in RUNDIR/networks) */
    bool present;     /* the bridge exists now */
    bool up;          /* the bridge is administratively up */
};

/* "hostonly", "nat", "bridged" (and "host-only" for hostonly): 0 or
 * -EINVAL. */
int hostnet_mode_parse(const char *s, enum hostnet_mode *out);
const char *hostnet_mode_name(enum hostnet_mode mode);

/* Is `name` acceptable as a network name? 0 or -EINVAL (err says why). */
int hostnet_check_name(const char *name, char *err, size_t errlen);

/*
 * Make network `name` of `mode` (HOSTNET_HOSTONLY or HOSTNET_NAT) with
 * `subnet` ("A.B.C.D/P", P 8..30, host bits ignored), or NULL for the
 * default: a 10.X.Y.0/24 picked from the name (hostnet_default_subnet).
 * The host takes the subnet's first address. Fills *out if not NULL.
 * Errors: -EINVAL (bad name, mode or subnet), -EEXIST (a pvhv network of
 * that name exists, or an interface that is not pvhv's), -EADDRINUSE (the
 * subnet overlaps an address or route the host has, or another pvhv
 * network), -ENOENT (nft not installed), -errno from the kernel.
 * Both kinds need the nft program (-ENOENT without it). A failure leaves
 * nothing behind.
 */
int hostnet_create(const char *rundir, const char *name, enum hostnet_mode mode,
                   const char *subnet, struct hostnet_info *out, char *err, size_t errlen);

/*
 * Remove pvhv's network `name`: its nftables table, the bridge (vifs in
 * it are let go, not removed), its record; forwarding goes back off if
 * pvhv turned it on and no other pvhv nat network is left. -ENOENT if
 * pvhv has no such network, -EPERM if `name` is an interface pvhv did not
 * make. A bridge or table already gone is not an error.
 */
int hostnet_destroy(const char *rundir, const char *name, char *err, size_t errlen);

/*
 * pvhv's networks (from their records, with `present`/`up` from the
 * kernel), sorted by name; with `bridges`, also every other bridge of the
 * host as a bridged network. *out is malloc'd (free it), *n its length.
 */
int hostnet_list(const char *rundir, bool bridges, struct hostnet_info **out, unsigned *n,
                 char *err, size_t errlen);

/* One network: pvhv's record, else an existing bridge (bridged). 0,
 * -ENOENT. */
int hostnet_get(const char *rundir, const char *name, struct hostnet_info *out);

/* Is `name` an existing bridge (any maker)? 0, -ENODEV (no such
 * interface), -ENOTTY (an interface, not a bridge). For checking a vif's
 * bridge= before the domain starts. */
int hostnet_is_bridge(const char *name, char *err, size_t errlen);

/* The subnet hostnet_create would pick for `name` now ("10.X.Y.0/24"):
 * X and Y from a hash of the name, then the next /24 (in a fixed order)
 * that overlaps no address or route of the host and no other pvhv
 * network. 0, or -EADDRNOTAVAIL if every 10.X.Y.0/24 is taken. */
int hostnet_default_subnet(const char *rundir, const char *name, char *out, size_t len,
                           char *err, size_t errlen);

#endif
