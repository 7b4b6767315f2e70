/* vifs.c: virtual network interfaces: their xenstore records (what
 * pvnetback and the guest's netfront meet on), and network-attach,
 * -detach, -list as in xl. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pvctl.h"

/* xl's default: Xen's OUI 00:16:3e and three bytes of our own, here taken
 * from the domain's uuid and the vif's index so a restarted domain (same
 * uuid) keeps its addresses. */
static void default_mac(const uint8_t uuid[16], uint32_t devid, char out[18])
{
    uint32_t h = 2166136261u; /* FNV-1a */

    for (int i = 0; i < 16; i++)
        h = (h ^ uuid[i]) * 16777619u;
    h = (h ^ devid) * 16777619u;
    /* The top bit of the fourth byte clear, as xl leaves it. */
    snprintf(out, 18, "00:16:3e:%02x:%02x:%02x", (h >> 16) & 0x7f, (h >> 8) & 0xff, h & 0xff);
}

void vif_records(struct xs_txn *t, uint32_t domid, const uint8_t uuid[16], uint32_t devid,
                 const struct xlcfg_vif *v)
{
    char fe[128], be[128], mac[18], buf[16];

    if (v->mac[0])
        snprintf(mac, sizeof(mac), "%s", v->mac);
    else
        default_mac(uuid, devid, mac);
    device_dirs(t, domid, "vif", devid, fe, be);
    snprintf(buf, sizeof(buf), "%u", devid);
    txn_put(t, buf, "%s/handle", fe);
    txn_put(t, mac, "%s/mac", fe);
    /* The MTU goes to both halves: netif.h reads it in the frontend's. */
    char mtu[16];
    snprintf(mtu, sizeof(mtu), "%u", v->mtu ? v->mtu : 1500);
    txn_put(t, mtu, "%s/mtu", fe);

    txn_put(t, buf, "%s/handle", be);
    txn_put(t, mac, "%s/mac", be);
    txn_put(t, v->script[0] ? v->script : "vif-bridge", "%s/script", be);
    txn_put(t, v->bridge, "%s/bridge", be);
    txn_put(t, "vif", "%s/type", be);
    txn_put(t, mtu, "%s/mtu", be);
    if (v->ip[0])
        txn_put(t, v->ip, "%s/ip", be);
    if (v->vifname[0])
        txn_put(t, v->vifname, "%s/vifname", be);
}

struct vif_attach {
    const uint8_t *uuid;
    uint32_t devid;
    const struct xlcfg_vif *vif;
};

static void vif_records_of(struct xs_txn *t, uint32_t domid, const void *arg)
{
    const struct vif_attach *a = arg;

    vif_records(t, domid, a->uuid, a->devid, a->vif);
}

int cmd_network_attach(struct session *s, int argc, char **argv)
{
    struct pvhv_ctl_dominfo info;
    struct xlcfg_vif v;
    char err[1024];
    uint32_t domid, devid = 0;
    int r = device_args(s, argc, argv, 2, &domid);

    if (r >= 0)
        return r;
    if (xlcfg_parse_vif("network-attach", argv[optind + 1], &v, err, sizeof(err)) < 0) {
        fprintf(stderr, "%s\n", err);
        return EXIT_FAILURE;
    }
    if (pvctrl_domain_getinfo(s->ctl, domid, &info) < 0) {
        errmsg("network-attach: domain %u is gone", domid);
        return EXIT_FAILURE;
    }
    /* The next free index, as xl picks it. */
    for (;; devid++) {
        char *have = xs_readf(s, "/local/domain/%u/device/vif/%u/backend", domid, devid);
        free(have);
        if (!have)
            break;
    }
    if (host_need_backend(s, "pvnetback") < 0)
        return EXIT_FAILURE;
    struct vif_attach a = { info.handle, devid, &v };
    r = device_commit(s, domid, vif_records_of, &a);
    if (r < 0) {
        errmsg("network-attach: cannot write the device's records: %s", strerror(-r));
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}

int cmd_network_detach(struct session *s, int argc, char **argv)
{
    uint32_t domid, devid;
    char *end;
    int r = device_args(s, argc, argv, 2, &domid);

    if (r >= 0)
        return r;
    const char *which = argv[optind + 1];
    unsigned long n = strtoul(which, &end, 10);
    if (*which && !*end) {
        devid = (uint32_t)n;
    } else {
        /* A MAC address names the vif, as in xl. */
        unsigned cnt = 0;
        char dir[64];
        snprintf(dir, sizeof(dir), "/local/domain/%u/device/vif", domid);
        char **ids = xs_directory(s->xs, XBT_NULL, dir, &cnt);
        bool found = false;
        for (unsigned i = 0; i < cnt && !found; i++) {
            char *mac = xs_readf(s, "%s/%s/mac", dir, ids[i]);
            if (mac && !strcasecmp(mac, which)) {
                devid = (uint32_t)strtoul(ids[i], NULL, 10);
                found = true;
            }
            free(mac);
        }
        free(ids);
        if (!found) {
            errmsg("network-detach: domain %u has no vif '%s' (give its index or MAC)", domid,
                   which);
            return EXIT_FAILURE;
        }
    }
    return device_detach(s, domid, "vif", devid, which) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

int cmd_network_list(struct session *s, int argc, char **argv)
{
    uint32_t domid;
    unsigned n = 0;
    char dir[64];
    int r = device_args(s, argc, argv, 1, &domid);

    if (r >= 0)
        return r;
    snprintf(dir, sizeof(dir), "/local/domain/%u/device/vif", domid);
    char **ids = xs_directory(s->xs, XBT_NULL, dir, &n);
    printf("%-3s %-2s %-17s %-6s %-5s %-6s %-15s %s\n", "Idx", "BE", "Mac Addr.", "handle",
           "state", "evt-ch", "tx-/rx-ring-ref", "BE-path");
    for (unsigned i = 0; i < n; i++) {
        char *be = xs_readf(s, "%s/%s/backend", dir, ids[i]);
        char *mac = xs_readf(s, "%s/%s/mac", dir, ids[i]);
        char *st = xs_readf(s, "%s/%s/state", dir, ids[i]);
        char *ev = xs_readf(s, "%s/%s/event-channel", dir, ids[i]);
        if (!ev)
            ev = xs_readf(s, "%s/%s/event-channel-tx", dir, ids[i]);
        char *tx = xs_readf(s, "%s/%s/tx-ring-ref", dir, ids[i]);
        char *rx = xs_readf(s, "%s/%s/rx-ring-ref", dir, ids[i]);
        char rings[32];
        snprintf(rings, sizeof(rings), "%s/%s", tx ? tx : "-1", rx ? rx : "-1");
        printf("%-3s %-2s %-17s %-6s %-5s %-6s %-15s %s\n", ids[i], "0", mac ? mac : "-",
               ids[i], st ? st : "-", ev ? ev : "-1", rings, be ? be : "-");
        free(be);
        free(mac);
        free(st);
        free(ev);
        free(tx);
        free(rx);
    }
    free(ids);
    return EXIT_SUCCESS;
}
