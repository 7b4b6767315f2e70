/* tap.c: a vif's host side, a TAP device (IFF_TAP | IFF_NO_PI with
 * virtio-net headers, so checksum and segmentation offloads pass both
 * ways), set up as Xen's vif-bridge script sets a vif up. Everything acts
 * in the daemon's network namespace. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pvnetback.h"

#ifndef TUNSETCARRIER
#define TUNSETCARRIER _IOW('T', 226, int)
#endif

/* An ioctl on a throwaway socket of the daemon's namespace. */
static int sock_ioctl(unsigned long req, struct ifreq *ifr)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -errno;
    int r = ioctl(s, req, ifr) < 0 ? -errno : 0;
    close(s);
    return r;
}

int tap_create(const char *name)
{
    struct ifreq ifr;
    int fd, r;

    if (!name[0] || strlen(name) >= IFNAMSIZ)
        return -EINVAL;
    /* A persistent TAP or any other device of that name is not ours to
     * take over. */
    if (if_nametoindex(name) != 0)
        return -EEXIST;
    fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        r = -errno;
        close(fd);
        return r;
    }
    int hdr = (int)sizeof(struct virtio_net_hdr);
    if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0) {
        r = -errno;
        close(fd);
        return r;
    }
    return fd;
}

int tap_set_carrier(int fd, bool on)
{
    int v = on ? 1 : 0;

    /* Linux 5.0+; older kernels keep the carrier on, which is harmless:
     * the vif is simply not read while no ring is connected. */
    if (ioctl(fd, TUNSETCARRIER, &v) < 0)
        return errno == EINVAL || errno == ENOTTY ? 0 : -errno;
    return 0;
}

int tap_set_offload(int fd, unsigned flags)
{
    return ioctl(fd, TUNSETOFFLOAD, (unsigned long)flags) < 0 ? -errno : 0;
}

int tap_get_mtu(const char *name)
{
    struct ifreq ifr;

    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
    int r = sock_ioctl(SIOCGIFMTU, &ifr);
    return r < 0 ? r : ifr.ifr_mtu;
}

int tap_set_mtu(const char *name, unsigned mtu)
{
    struct ifreq ifr;

    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
    ifr.ifr_mtu = (int)mtu;
    return sock_ioctl(SIOCSIFMTU, &ifr);
}

int tap_configure(int fd, const char *name, unsigned mtu)
{
    static const uint8_t mac[6] = NB_TAP_MAC;
    struct ifreq ifr;
    char path[96];
    int r;

    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
    ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
    memcpy(ifr.ifr_hwaddr.sa_data, mac, 6);
    if ((r = sock_ioctl(SIOCSIFHWADDR, &ifr)) < 0)
        return r;
    if ((r = tap_set_mtu(name, mtu)) < 0)
        return r;
    if ((r = tap_set_carrier(fd, false)) < 0)
        return r;
    /* The host side of a bridge port needs no IPv6 address of its own (nor
     * its router solicitations): best effort, IPv6 may be absent. */
    snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", name);
    int pf = open(path, O_WRONLY | O_CLOEXEC);
    if (pf >= 0) {
        if (write(pf, "1\n", 2) < 0) {
            /* ignored */
        }
        close(pf);
    }
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
    if ((r = sock_ioctl(SIOCGIFFLAGS, &ifr)) < 0)
        return r;
    ifr.ifr_flags |= IFF_UP;
    return sock_ioctl(SIOCSIFFLAGS, &ifr);
}

int tap_join_bridge(const char *name, const char *bridge)
{
    struct ifreq ifr;
    unsigned idx = if_nametoindex(name);

    if (idx == 0)
        return -errno;
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", bridge);
    ifr.ifr_ifindex = (int)idx;
    int r = sock_ioctl(SIOCBRADDIF, &ifr);
    /* No device of that name: ENODEV; a device that is not a bridge has
     * no such ioctl: EOPNOTSUPP (or EINVAL on some kernels). */
    if (r == -EOPNOTSUPP || r == -EINVAL)
        return -ENOTTY;
    return r;
}
