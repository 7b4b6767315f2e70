/* frame.c: Ethernet, IPv4/IPv6 and TCP/UDP headers, and checksums. */
#include <errno.h>
#include <string.h>

#include "frame.h"

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

uint16_t frame_ethertype(const uint8_t *f, size_t len, unsigned *l3off)
{
    if (len < 14)
        return 0;
    uint16_t t = be16(f + 12);
    *l3off = 14;
    if (t == 0x8100 || t == 0x88a8) {
        if (len < 18)
            return 0;
        t = be16(f + 16);
        *l3off = 18;
    }
    return t;
}

uint16_t frame_csum_add(const uint8_t *p, size_t len, uint32_t sum)
{
    uint64_t s = sum;

    while (len >= 2) {
        s += (uint32_t)(p[0] << 8 | p[1]);
        p += 2;
        len -= 2;
    }
    if (len)
        s += (uint32_t)p[0] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)s;
}

int frame_find_l4(const uint8_t *f, size_t len, bool gso, struct frame_l4 *out)
{
    unsigned off;
    uint16_t t = frame_ethertype(f, len, &off);
    uint8_t proto;
    size_t avail, l4len;

    memset(out, 0, sizeof(*out));
    out->l3off = off;
    if (t == FRAME_ETH_P_IP) {
        if (len < off + 20U)
            return -EINVAL;
        const uint8_t *ip = f + off;
        unsigned ihl = (ip[0] & 15u) * 4;
        if ((ip[0] >> 4) != 4 || ihl < 20 || len < off + ihl)
            return -EINVAL;
        if (be16(ip + 6) & 0x3fff) /* MF or a fragment offset */
            return -EPROTONOSUPPORT;
        unsigned tot = be16(ip + 2);
        if (tot < ihl || (!gso && tot > len - off))
            return -EINVAL;
        proto = ip[9];
        off += ihl;
        l4len = gso ? len - off : tot - ihl;
    } else if (t == FRAME_ETH_P_IPV6) {
        if (len < off + 40U)
            return -EINVAL;
        const uint8_t *ip = f + off;
        if ((ip[0] >> 4) != 6)
            return -EINVAL;
        size_t plen = be16(ip + 4);
        if (!gso && plen > len - off - 40)
            return -EINVAL;
        out->v6 = true;
        proto = ip[6];
        off += 40;
        size_t ext = 0;
        /* Hop-by-hop (0), routing (43), destination options (60). */
        for (int n = 0; n < 8 && (proto == 0 || proto == 43 || proto == 60); n++) {
            if (len < off + 8U)
                return -EINVAL;
            size_t hl = ((size_t)f[off + 1] + 1) * 8;
            if (len < off + hl)
                return -EINVAL;
            proto = f[off];
            off += (unsigned)hl;
            ext += hl;
        }
        if (!gso && ext > plen)
            return -EINVAL;
        l4len = gso ? len - off : plen - ext;
    } else {
        return -EPROTONOSUPPORT;
    }
    if (proto != 6 && proto != 17)
        return -EPROTONOSUPPORT;
    avail = len - off;
    if (proto == 6) {
        if (avail < 20)
            return -EINVAL;
        unsigned doff = (f[off + 12] >> 4) * 4u;
        if (doff < 20 || doff > avail)
            return -EINVAL;
        out->csum_off = 16;
        out->l4hlen = doff;
    } else {
        if (avail < 8)
            return -EINVAL;
        out->csum_off = 6;
        out->l4hlen = 8;
    }
    if (l4len < out->l4hlen || l4len > avail || l4len > 0xffffffffu)
        return -EINVAL;
    out->proto = proto;
    out->l4off = off;
    out->l4len = (uint32_t)l4len;
    return 0;
}

void frame_put_pseudo(uint8_t *f, const struct frame_l4 *l)
{
    uint8_t ph[8];
    uint32_t sum;

    if (l->v6) {
        sum = frame_csum_add(f + l->l3off + 8, 32, 0); /* source and destination */
    } else {
        sum = frame_csum_add(f + l->l3off + 12, 8, 0);
    }
    ph[0] = (uint8_t)(l->l4len >> 24);
    ph[1] = (uint8_t)(l->l4len >> 16);
    ph[2] = (uint8_t)(l->l4len >> 8);
    ph[3] = (uint8_t)l->l4len;
    ph[4] = ph[5] = ph[6] = 0;
    ph[7] = l->proto;
    uint16_t s = frame_csum_add(ph, 8, sum);
    f[l->l4off + l->csum_off] = (uint8_t)(s >> 8);
    f[l->l4off + l->csum_off + 1] = (uint8_t)s;
}

int frame_csum_complete(uint8_t *f, size_t len, unsigned start, unsigned off)
{
    if (start > len || off + 2 > len - start)
        return -EINVAL;
    uint16_t s = (uint16_t)~frame_csum_add(f + start, len - start, 0);
    if (s == 0)
        s = 0xffff;
    f[start + off] = (uint8_t)(s >> 8);
    f[start + off + 1] = (uint8_t)s;
    return 0;
}
