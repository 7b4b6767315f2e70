/* hostnet.c: libhostnet (hostnet.h): pvhv's host-side networks. Links and
 * addresses through rtnetlink, the NAT rules through `nft -f -`, the
 * records as small JSON files in RUNDIR/networks. */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hostnet.h"

#define NL_BUF 32768
#define NFT_TABLE_PREFIX "pvhv-"

static void seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (!err || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static const char *rundir_of(const char *rundir)
{
    if (rundir && *rundir)
        return rundir;
    const char *e = getenv("PV_RUNDIR");
    return e && *e ? e : "/run/pv";
}

int hostnet_mode_parse(const char *s, enum hostnet_mode *out)
{
    if (!strcmp(s, "hostonly") || !strcmp(s, "host-only"))
        *out = HOSTNET_HOSTONLY;
    else if (!strcmp(s, "nat"))
        *out = HOSTNET_NAT;
    else if (!strcmp(s, "bridged"))
        *out = HOSTNET_BRIDGED;
    else
        return -EINVAL;
    return 0;
}

const char *hostnet_mode_name(enum hostnet_mode mode)
{
    switch (mode) {
    case HOSTNET_HOSTONLY: return "hostonly";
    case HOSTNET_NAT: return "nat";
    case HOSTNET_BRIDGED: return "bridged";
    }
    return "?";
}

int hostnet_check_name(const char *name, char *err, size_t errlen)
{
    size_t n = name ? strlen(name) : 0;

    if (n == 0 || n > HOSTNET_NAME_MAX) {
        seterr(err, errlen, "network name '%s': must be 1 to %d characters", name ? name : "",
               HOSTNET_NAME_MAX);
        return -EINVAL;
    }
    if (!isalnum((unsigned char)name[0])) {
        seterr(err, errlen, "network name '%s': must start with a letter or digit", name);
        return -EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!isalnum(c) && c != '_' && c != '-' && c != '.') {
            seterr(err, errlen, "network name '%s': only letters, digits, '_', '-' and '.'",
                   name);
            return -EINVAL;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * IPv4 prefixes
 * ------------------------------------------------------------------------ */

struct pfx {
    uint32_t net; /* host order, host bits clear */
    unsigned len;
};

static uint32_t mask_of(unsigned len)
{
    return len == 0 ? 0 : 0xffffffffu << (32 - len);
}

static bool overlap(struct pfx a, struct pfx b)
{
    unsigned len = a.len < b.len ? a.len : b.len;
    return ((a.net ^ b.net) & mask_of(len)) == 0;
}

static void pfx_str(struct pfx p, char *out, size_t len)
{
    snprintf(out, len, "%u.%u.%u.%u/%u", p.net >> 24, (p.net >> 16) & 255, (p.net >> 8) & 255,
             p.net & 255, p.len);
}

static void addr_str(uint32_t a, char *out, size_t len)
{
    snprintf(out, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

/* "A.B.C.D/P" with P in [minlen, 30]: 0 and the prefix (host bits
 * cleared), or -EINVAL. */
static int parse_subnet(const char *s, unsigned minlen, struct pfx *out)
{
    char buf[32];
    const char *slash = strchr(s, '/');
    struct in_addr a;
    char *end;

    if (!slash || (size_t)(slash - s) >= sizeof(buf))
        return -EINVAL;
    memcpy(buf, s, (size_t)(slash - s));
    buf[slash - s] = 0;
    if (inet_pton(AF_INET, buf, &a) != 1)
        return -EINVAL;
    errno = 0;
    unsigned long len = strtoul(slash + 1, &end, 10);
    if (errno || end == slash + 1 || *end || len < minlen || len > 30)
        return -EINVAL;
    out->len = (unsigned)len;
    out->net = ntohl(a.s_addr) & mask_of(out->len);
    return 0;
}

/* ------------------------------------------------------------------------
 * rtnetlink
 * ------------------------------------------------------------------------ */

struct nlreq {
    struct nlmsghdr h;
    char body[1024];
};

static struct rtattr *attr_add(struct nlmsghdr *h, unsigned type, const void *data, size_t len)
{
    struct rtattr *a = (struct rtattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));
    a->rta_type = (unsigned short)type;
    a->rta_len = (unsigned short)RTA_LENGTH(len);
    if (len)
        memcpy(RTA_DATA(a), data, len);
    h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(a->rta_len);
    return a;
}

static void attr_end(struct nlmsghdr *h, struct rtattr *nest)
{
    nest->rta_len = (unsigned short)((char *)h + h->nlmsg_len - (char *)nest);
}

static int nl_open(void)
{
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0)
        return -errno;
    struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

/* Receive one datagram (5 s at most). Returns its length or -errno. */
static ssize_t nl_recv(int fd, void *buf, size_t len)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    for (;;) {
        int r = poll(&p, 1, 5000);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -errno;
        if (r == 0)
            return -ETIMEDOUT;
        ssize_t n = recv(fd, buf, len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        return n < 0 ? -errno : n;
    }
}

/* Send a request with NLM_F_ACK and wait for its answer: 0 or -errno. */
static int nl_do(struct nlmsghdr *h)
{
    static uint32_t seq;
    char *buf;
    int fd = nl_open(), r = -EIO;

    if (fd < 0)
        return fd;
    buf = malloc(NL_BUF);
    if (!buf) {
        close(fd);
        return -ENOMEM;
    }
    h->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
    h->nlmsg_seq = ++seq + (uint32_t)time(NULL);
    if (send(fd, h, h->nlmsg_len, 0) < 0) {
        r = -errno;
        goto out;
    }
    for (;;) {
        ssize_t n = nl_recv(fd, buf, NL_BUF);
        if (n < 0) {
            r = (int)n;
            goto out;
        }
        for (struct nlmsghdr *m = (struct nlmsghdr *)buf; NLMSG_OK(m, (size_t)n);
             m = NLMSG_NEXT(m, n)) {
            if (m->nlmsg_seq != h->nlmsg_seq)
                continue;
            if (m->nlmsg_type == NLMSG_ERROR) {
                struct nlmsgerr *e = NLMSG_DATA(m);
                r = e->error;
                goto out;
            }
        }
    }
out:
    free(buf);
    close(fd);
    return r;
}

/* Dump `type` (RTM_GETLINK/GETADDR/GETROUTE) of `family`; fn is called on
 * each message. 0 or -errno. */
static int nl_dump(uint16_t type, unsigned char family,
                   void (*fn)(struct nlmsghdr *m, void *arg), void *arg)
{
    struct {
        struct nlmsghdr h;
        struct rtgenmsg g;
    } req = {
        .h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct rtgenmsg)), .nlmsg_type = type,
               .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = (uint32_t)time(NULL) },
        .g = { .rtgen_family = family },
    };
    char *buf;
    int fd = nl_open(), r = 0;

    if (fd < 0)
        return fd;
    buf = malloc(NL_BUF);
    if (!buf) {
        close(fd);
        return -ENOMEM;
    }
    if (send(fd, &req, req.h.nlmsg_len, 0) < 0) {
        r = -errno;
        goto out;
    }
    for (;;) {
        ssize_t n = nl_recv(fd, buf, NL_BUF);
        if (n < 0) {
            r = (int)n;
            goto out;
        }
        for (struct nlmsghdr *m = (struct nlmsghdr *)buf; NLMSG_OK(m, (size_t)n);
             m = NLMSG_NEXT(m, n)) {
            if (m->nlmsg_type == NLMSG_DONE)
                goto out;
            if (m->nlmsg_type == NLMSG_ERROR) {
                r = ((struct nlmsgerr *)NLMSG_DATA(m))->error;
                goto out;
            }
            fn(m, arg);
        }
    }
out:
    free(buf);
    close(fd);
    return r;
}

/* What we want to know of one link. */
struct link {
    char name[IFNAMSIZ];
    int index;
    unsigned flags;
    char kind[32];
};

static void parse_link(struct nlmsghdr *m, struct link *l)
{
    struct ifinfomsg *ifi = NLMSG_DATA(m);
    int len = (int)m->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*ifi));

    memset(l, 0, sizeof(*l));
    l->index = ifi->ifi_index;
    l->flags = ifi->ifi_flags;
    for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        if (a->rta_type == IFLA_IFNAME) {
            snprintf(l->name, sizeof(l->name), "%.*s", (int)RTA_PAYLOAD(a),
                     (const char *)RTA_DATA(a));
        } else if (a->rta_type == IFLA_LINKINFO) {
            int ilen = (int)RTA_PAYLOAD(a);
            for (struct rtattr *i = RTA_DATA(a); RTA_OK(i, ilen); i = RTA_NEXT(i, ilen))
                if (i->rta_type == IFLA_INFO_KIND)
                    snprintf(l->kind, sizeof(l->kind), "%.*s", (int)RTA_PAYLOAD(i),
                             (const char *)RTA_DATA(i));
        }
    }
}

struct links {
    struct link *v;
    unsigned n, cap;
};

static void collect_link(struct nlmsghdr *m, void *arg)
{
    struct links *ls = arg;

    if (m->nlmsg_type != RTM_NEWLINK)
        return;
    if (ls->n == ls->cap) {
        unsigned cap = ls->cap ? ls->cap * 2 : 32;
        struct link *v = realloc(ls->v, cap * sizeof(*v));
        if (!v)
            return;
        ls->v = v;
        ls->cap = cap;
    }
    parse_link(m, &ls->v[ls->n++]);
}

static int links_all(struct links *ls)
{
    memset(ls, 0, sizeof(*ls));
    int r = nl_dump(RTM_GETLINK, AF_UNSPEC, collect_link, ls);
    if (r < 0) {
        free(ls->v);
        ls->v = NULL;
        ls->n = 0;
    }
    return r;
}

/* The link named `name`: 0, -ENODEV, or -errno. */
static int link_get(const char *name, struct link *out)
{
    struct links ls;
    int r = links_all(&ls);

    if (r < 0)
        return r;
    r = -ENODEV;
    for (unsigned i = 0; i < ls.n; i++) {
        if (!strcmp(ls.v[i].name, name)) {
            *out = ls.v[i];
            r = 0;
            break;
        }
    }
    free(ls.v);
    return r;
}

/* Every IPv4 prefix the host uses: its addresses (with their prefix
 * lengths) and the main table's routes other than the default. */
struct pfxs {
    struct pfx *v;
    int *ifindex; /* the interface of an address, 0 for a route */
    unsigned n, cap;
};

static void pfx_push(struct pfxs *ps, struct pfx p, int ifindex)
{
    if (ps->n == ps->cap) {
        unsigned cap = ps->cap ? ps->cap * 2 : 32;
        struct pfx *v = realloc(ps->v, cap * sizeof(*v));
        if (!v)
            return;
        ps->v = v;
        int *ix = realloc(ps->ifindex, cap * sizeof(*ix));
        if (!ix)
            return;
        ps->ifindex = ix;
        ps->cap = cap;
    }
    ps->v[ps->n] = p;
    ps->ifindex[ps->n] = ifindex;
    ps->n++;
}

static void collect_addr(struct nlmsghdr *m, void *arg)
{
    struct ifaddrmsg *ifa = NLMSG_DATA(m);
    int len = (int)m->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*ifa));

    if (m->nlmsg_type != RTM_NEWADDR || ifa->ifa_family != AF_INET)
        return;
    for (struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        if (a->rta_type == IFA_LOCAL && RTA_PAYLOAD(a) == 4) {
            uint32_t v;
            memcpy(&v, RTA_DATA(a), 4);
            struct pfx p = { ntohl(v) & mask_of(ifa->ifa_prefixlen), ifa->ifa_prefixlen };
            pfx_push(arg, p, (int)ifa->ifa_index);
            /* The address itself too (a /32 inside a wider prefix). */
            pfx_push(arg, (struct pfx){ ntohl(v), 32 }, (int)ifa->ifa_index);
        }
    }
}

static void collect_route(struct nlmsghdr *m, void *arg)
{
    struct rtmsg *rt = NLMSG_DATA(m);
    int len = (int)m->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*rt));

    if (m->nlmsg_type != RTM_NEWROUTE || rt->rtm_family != AF_INET ||
        rt->rtm_table != RT_TABLE_MAIN || rt->rtm_dst_len == 0 || rt->rtm_type != RTN_UNICAST)
        return;
    for (struct rtattr *a = RTM_RTA(rt); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        if (a->rta_type == RTA_DST && RTA_PAYLOAD(a) == 4) {
            uint32_t v;
            memcpy(&v, RTA_DATA(a), 4);
            pfx_push(arg, (struct pfx){ ntohl(v) & mask_of(rt->rtm_dst_len), rt->rtm_dst_len },
                     0);
        }
    }
}

static int host_prefixes(struct pfxs *ps)
{
    memset(ps, 0, sizeof(*ps));
    int r = nl_dump(RTM_GETADDR, AF_INET, collect_addr, ps);
    if (r == 0)
        r = nl_dump(RTM_GETROUTE, AF_INET, collect_route, ps);
    if (r < 0) {
        free(ps->v);
        free(ps->ifindex);
        memset(ps, 0, sizeof(*ps));
    }
    return r;
}

static void pfxs_free(struct pfxs *ps)
{
    free(ps->v);
    free(ps->ifindex);
}

/* A deterministic locally administered MAC for bridge `name`. */
static void bridge_mac(const char *name, uint8_t mac[6])
{
    uint32_t h = 2166136261u;

    for (const char *p = name; *p; p++)
        h = (h ^ (uint8_t)*p) * 16777619u;
    mac[0] = 0x02; /* locally administered, unicast */
    mac[1] = 0x70; /* 'p' */
    mac[2] = (uint8_t)(h >> 24);
    mac[3] = (uint8_t)(h >> 16);
    mac[4] = (uint8_t)(h >> 8);
    mac[5] = (uint8_t)h;
}

static int bridge_add(const char *name)
{
    struct nlreq req;
    struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
    uint8_t mac[6];

    memset(&req, 0, sizeof(req));
    req.h.nlmsg_len = NLMSG_LENGTH(sizeof(ifi));
    req.h.nlmsg_type = RTM_NEWLINK;
    req.h.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
    memcpy(NLMSG_DATA(&req.h), &ifi, sizeof(ifi));
    attr_add(&req.h, IFLA_IFNAME, name, strlen(name) + 1);
    bridge_mac(name, mac);
    /* A set address stays: the bridge does not take its ports' (vifs are
     * all fe:ff:ff:ff:ff:ff, as on Xen). */
    attr_add(&req.h, IFLA_ADDRESS, mac, 6);
    struct rtattr *li = attr_add(&req.h, IFLA_LINKINFO, NULL, 0);
    attr_add(&req.h, IFLA_INFO_KIND, "bridge", 6);
    attr_end(&req.h, li);
    return nl_do(&req.h);
}

static int link_del(int index)
{
    struct nlreq req;
    struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = index };

    memset(&req, 0, sizeof(req));
    req.h.nlmsg_len = NLMSG_LENGTH(sizeof(ifi));
    req.h.nlmsg_type = RTM_DELLINK;
    memcpy(NLMSG_DATA(&req.h), &ifi, sizeof(ifi));
    return nl_do(&req.h);
}

static int link_up(int index)
{
    struct nlreq req;
    struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = index,
                             .ifi_flags = IFF_UP, .ifi_change = IFF_UP };

    memset(&req, 0, sizeof(req));
    req.h.nlmsg_len = NLMSG_LENGTH(sizeof(ifi));
    req.h.nlmsg_type = RTM_NEWLINK;
    memcpy(NLMSG_DATA(&req.h), &ifi, sizeof(ifi));
    return nl_do(&req.h);
}

static int addr_add(int index, uint32_t addr, unsigned len)
{
    struct nlreq req;
    struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_prefixlen = (unsigned char)len,
                             .ifa_scope = RT_SCOPE_UNIVERSE, .ifa_index = (unsigned)index };
    uint32_t a = htonl(addr), b = htonl(addr | ~mask_of(len));

    memset(&req, 0, sizeof(req));
    req.h.nlmsg_len = NLMSG_LENGTH(sizeof(ifa));
    req.h.nlmsg_type = RTM_NEWADDR;
    req.h.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
    memcpy(NLMSG_DATA(&req.h), &ifa, sizeof(ifa));
    attr_add(&req.h, IFA_LOCAL, &a, 4);
    attr_add(&req.h, IFA_ADDRESS, &a, 4);
    attr_add(&req.h, IFA_BROADCAST, &b, 4);
    return nl_do(&req.h);
}

/* ------------------------------------------------------------------------
 * Records: RUNDIR/networks/NAME.json, one flat object of strings
 * ------------------------------------------------------------------------ */

struct record {
    struct hostnet_info info;
    int forwarding_was; /* nat: ip_forward before pvhv set it (0/1), -1 unknown */
};

static void rec_path(const char *rundir, const char *name, char *out, size_t len)
{
    snprintf(out, len, "%s/networks/%s.json", rundir_of(rundir), name);
}

static int rec_write(const char *rundir, const struct record *r)
{
    char dir[4200], path[4300], tmp[4310];
    FILE *f;

    snprintf(dir, sizeof(dir), "%s", rundir_of(rundir));
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return -errno;
    snprintf(dir, sizeof(dir), "%s/networks", rundir_of(rundir));
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return -errno;
    rec_path(rundir, r->info.name, path, sizeof(path));
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    f = fopen(tmp, "we");
    if (!f)
        return -errno;
    /* Names, subnets and addresses are checked: no character needs
     * escaping. */
    fprintf(f,
            "{\n  \"name\": \"%s\",\n  \"mode\": \"%s\",\n  \"bridge\": \"%s\",\n"
            "  \"subnet\": \"%s\",\n  \"address\": \"%s\",\n  \"forwarding_was\": \"%d\"\n}\n",
            r->info.name, hostnet_mode_name(r->info.mode), r->info.name, r->info.subnet,
            r->info.address, r->forwarding_was);
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
        int e = errno;
        fclose(f);
        unlink(tmp);
        return -e;
    }
    fclose(f);
    if (rename(tmp, path) < 0) {
        int e = errno;
        unlink(tmp);
        return -e;
    }
    return 0;
}

/* The string value of "key" in a flat JSON object (no escapes). */
static bool json_get(const char *text, const char *key, char *out, size_t len)
{
    char pat[64];
    const char *p;

    snprintf(pat, sizeof(pat), "\"%s\"", key);
    p = strstr(text, pat);
    if (!p)
        return false;
    p += strlen(pat);
    while (*p == ' ' || *p == '\t' || *p == ':')
        p++;
    if (*p != '"')
        return false;
    p++;
    const char *e = strchr(p, '"');
    if (!e || (size_t)(e - p) >= len)
        return false;
    memcpy(out, p, (size_t)(e - p));
    out[e - p] = 0;
    return true;
}

/* 0, -ENOENT, -EINVAL (unreadable record). */
static int rec_read(const char *rundir, const char *name, struct record *r)
{
    char path[4300], text[2048], buf[32];
    int fd;
    ssize_t n;

    rec_path(rundir, name, path, sizeof(path));
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    n = read(fd, text, sizeof(text) - 1);
    close(fd);
    if (n < 0)
        return -EINVAL;
    text[n] = 0;
    memset(r, 0, sizeof(*r));
    if (!json_get(text, "name", r->info.name, sizeof(r->info.name)) ||
        strcmp(r->info.name, name) || !json_get(text, "mode", buf, sizeof(buf)) ||
        hostnet_mode_parse(buf, &r->info.mode) < 0 || r->info.mode == HOSTNET_BRIDGED ||
        !json_get(text, "subnet", r->info.subnet, sizeof(r->info.subnet)) ||
        !json_get(text, "address", r->info.address, sizeof(r->info.address)))
        return -EINVAL;
    r->forwarding_was = json_get(text, "forwarding_was", buf, sizeof(buf)) ? atoi(buf) : -1;
    r->info.pvhv = true;
    return 0;
}

static void rec_remove(const char *rundir, const char *name)
{
    char path[4300];

    rec_path(rundir, name, path, sizeof(path));
    unlink(path);
}

/* Every record's name (malloc'd array of malloc'd strings). */
static char **rec_names(const char *rundir, unsigned *n)
{
    char dir[4200];
    DIR *d;
    struct dirent *e;
    char **v = NULL;
    unsigned cap = 0;

    *n = 0;
    snprintf(dir, sizeof(dir), "%s/networks", rundir_of(rundir));
    d = opendir(dir);
    if (!d)
        return NULL;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len <= 5 || strcmp(e->d_name + len - 5, ".json") || len - 5 > HOSTNET_NAME_MAX)
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            char **nv = realloc(v, cap * sizeof(*v));
            if (!nv)
                break;
            v = nv;
        }
        v[*n] = strndup(e->d_name, len - 5);
        if (v[*n])
            (*n)++;
    }
    closedir(d);
    return v;
}

static void names_free(char **v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* ------------------------------------------------------------------------
 * Forwarding and nftables
 * ------------------------------------------------------------------------ */

static int forwarding_get(void)
{
    char c = 0;
    int fd = open("/proc/sys/net/ipv4/ip_forward", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n = read(fd, &c, 1);
    close(fd);
    return n == 1 ? c == '1' : -EIO;
}

static int forwarding_set(bool on)
{
    int fd = open("/proc/sys/net/ipv4/ip_forward", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n = write(fd, on ? "1\n" : "0\n", 2);
    int e = errno;
    close(fd);
    return n == 2 ? 0 : -e;
}

/*
 * Run `nft -f -` with `ruleset` on its standard input. 0, -ENOENT (no nft
 * program), or -EIO with nft's complaint in err.
 */
static int nft_run(const char *ruleset, char *err, size_t errlen)
{
    int in[2], out[2];
    pid_t pid;

    if (pipe2(in, O_CLOEXEC) < 0)
        return -errno;
    if (pipe2(out, O_CLOEXEC) < 0) {
        int e = errno;
        close(in[0]);
        close(in[1]);
        return -e;
    }
    pid = fork();
    if (pid < 0) {
        int e = errno;
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        return -e;
    }
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(out[1], 2);
        execlp("nft", "nft", "-f", "-", (char *)NULL);
        /* Not found anywhere on PATH: say so in a way the parent knows. */
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    size_t len = strlen(ruleset), off = 0;
    while (off < len) {
        ssize_t n = write(in[1], ruleset + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    close(in[1]);
    char msg[1024];
    size_t got = 0;
    for (;;) {
        ssize_t n = read(out[0], msg + got, sizeof(msg) - 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
        if (got == sizeof(msg) - 1)
            got = 0; /* keep reading; the end of the complaint is kept */
    }
    msg[got] = 0;
    close(out[0]);
    signal(SIGPIPE, old);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return 0;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127) {
        seterr(err, errlen, "cannot run nft (install the nftables package)");
        return -ENOENT;
    }
    while (got > 0 && (msg[got - 1] == '\n' || msg[got - 1] == ' '))
        msg[--got] = 0;
    seterr(err, errlen, "nft failed: %s", got ? msg : "(no message)");
    return -EIO;
}

/* The network's nftables table. Both kinds: nothing is routed between
 * the bridge and any other interface, except (nat) the guests' own
 * connections; nat also masquerades the subnet out of every other
 * interface. Guest-to-guest traffic inside the bridge is left alone. */
static int rules_add(const struct hostnet_info *i, char *err, size_t errlen)
{
    char rs[2048], nat[512] = "", fwd[512];

    if (i->mode == HOSTNET_NAT) {
        snprintf(nat, sizeof(nat),
                 "    chain postrouting {\n"
                 "        type nat hook postrouting priority srcnat; policy accept;\n"
                 "        ip saddr %s oifname != \"%s\" masquerade\n"
                 "    }\n",
                 i->subnet, i->name);
        snprintf(fwd, sizeof(fwd),
                 "        iifname \"%s\" oifname != \"%s\" accept\n"
                 "        oifname \"%s\" iifname != \"%s\" ct state established,related "
                 "accept\n"
                 "        oifname \"%s\" iifname != \"%s\" drop\n",
                 i->name, i->name, i->name, i->name, i->name, i->name);
    } else {
        snprintf(fwd, sizeof(fwd),
                 "        iifname \"%s\" oifname != \"%s\" drop\n"
                 "        oifname \"%s\" iifname != \"%s\" drop\n",
                 i->name, i->name, i->name, i->name);
    }
    /* Declaring then deleting the table first makes the load replace a
     * stale table of the same name in one transaction. */
    snprintf(rs, sizeof(rs),
             "table ip " NFT_TABLE_PREFIX "%s\n"
             "delete table ip " NFT_TABLE_PREFIX "%s\n"
             "table ip " NFT_TABLE_PREFIX "%s {\n"
             "%s"
             "    chain forward {\n"
             "        type filter hook forward priority filter; policy accept;\n"
             "%s"
             "    }\n"
             "}\n",
             i->name, i->name, i->name, nat, fwd);
    return nft_run(rs, err, errlen);
}

static int rules_del(const char *name, char *err, size_t errlen)
{
    char rs[256];

    /* Declare first so that deleting a table that is gone is no error. */
    snprintf(rs, sizeof(rs),
             "table ip " NFT_TABLE_PREFIX "%s\ndelete table ip " NFT_TABLE_PREFIX "%s\n", name,
             name);
    return nft_run(rs, err, errlen);
}

/* ------------------------------------------------------------------------
 * The API
 * ------------------------------------------------------------------------ */

/* Does `p` overlap something the host or another pvhv network uses?
 * Describes the first clash in `what`. */
static bool subnet_taken(const char *rundir, const char *self, struct pfx p,
                         const struct pfxs *host, const struct links *ls, char *what, size_t len)
{
    for (unsigned i = 0; i < host->n; i++) {
        if (!overlap(p, host->v[i]))
            continue;
        char s[32], ifn[IFNAMSIZ] = "";
        pfx_str(host->v[i], s, sizeof(s));
        for (unsigned k = 0; ls && k < ls->n && host->ifindex[i]; k++)
            if (ls->v[k].index == host->ifindex[i])
                snprintf(ifn, sizeof(ifn), "%s", ls->v[k].name);
        snprintf(what, len, "%s %s%s%s", host->ifindex[i] ? "address" : "route", s,
                 ifn[0] ? " on " : "", ifn);
        return true;
    }
    unsigned n = 0;
    char **names = rec_names(rundir, &n);
    bool taken = false;
    for (unsigned i = 0; i < n && !taken; i++) {
        struct record r;
        struct pfx q;
        if (self && !strcmp(names[i], self))
            continue;
        if (rec_read(rundir, names[i], &r) < 0 || parse_subnet(r.info.subnet, 0, &q) < 0)
            continue;
        if (overlap(p, q)) {
            snprintf(what, len, "pvhv network %s (%s)", r.info.name, r.info.subnet);
            taken = true;
        }
    }
    names_free(names, n);
    return taken;
}

static int pick_default(const char *rundir, const char *name, const struct pfxs *host,
                        const struct links *ls, struct pfx *out)
{
    uint32_t h = 2166136261u;
    char what[96];

    for (const char *p = name; *p; p++)
        h = (h ^ (uint8_t)*p) * 16777619u;
    /* 10.X.Y.0/24 with X in 16..239 (away from the low 10.0.x.x many
     * networks use), Y from the hash; then onwards in a fixed order. */
    unsigned start = ((h % 224) + 16) * 256 + ((h >> 8) & 255);
    for (unsigned k = 0; k < 224 * 256; k++) {
        unsigned v = (start - 16 * 256 + k) % (224 * 256) + 16 * 256;
        struct pfx p = { (10u << 24) | (v << 8), 24 };
        if (!subnet_taken(rundir, name, p, host, ls, what, sizeof(what))) {
            *out = p;
            return 0;
        }
    }
    return -EADDRNOTAVAIL;
}

int hostnet_default_subnet(const char *rundir, const char *name, char *out, size_t len,
                           char *err, size_t errlen)
{
    struct pfxs host;
    struct links ls;
    struct pfx p;
    int r;

    if ((r = hostnet_check_name(name, err, errlen)) < 0)
        return r;
    if ((r = host_prefixes(&host)) < 0) {
        seterr(err, errlen, "cannot read the host's addresses: %s", strerror(-r));
        return r;
    }
    if ((r = links_all(&ls)) < 0) {
        pfxs_free(&host);
        seterr(err, errlen, "cannot list the host's interfaces: %s", strerror(-r));
        return r;
    }
    r = pick_default(rundir, name, &host, &ls, &p);
    pfxs_free(&host);
    free(ls.v);
    if (r < 0) {
        seterr(err, errlen, "no free 10.X.Y.0/24 subnet left: give subnet=");
        return r;
    }
    pfx_str(p, out, len);
    return 0;
}

int hostnet_create(const char *rundir, const char *name, enum hostnet_mode mode,
                   const char *subnet, struct hostnet_info *out, char *err, size_t errlen)
{
    struct record rec;
    struct link l;
    struct pfxs host;
    struct links ls;
    struct pfx p;
    char what[96];
    int r;

    if ((r = hostnet_check_name(name, err, errlen)) < 0)
        return r;
    if (mode != HOSTNET_HOSTONLY && mode != HOSTNET_NAT) {
        seterr(err, errlen, "network %s: pvhv makes hostonly and nat networks only (a bridged "
               "network is a bridge you make yourself)", name);
        return -EINVAL;
    }
    if (subnet && parse_subnet(subnet, 8, &p) < 0) {
        seterr(err, errlen, "network %s: subnet '%s': give A.B.C.D/P with P from 8 to 30",
               name, subnet);
        return -EINVAL;
    }
    r = link_get(name, &l);
    if (r == 0) {
        struct record old;
        if (rec_read(rundir, name, &old) == 0)
            seterr(err, errlen, "network %s exists already", name);
        else
            seterr(err, errlen, "%s is an interface of this host (%s) that pvhv did not make: "
                   "pick another name", name, l.kind[0] ? l.kind : "no kind");
        return -EEXIST;
    }
    if (r != -ENODEV) {
        seterr(err, errlen, "cannot list the host's interfaces: %s", strerror(-r));
        return r;
    }
    /* A record without its bridge (a host that lost it) is replaced. */
    if ((r = host_prefixes(&host)) < 0) {
        seterr(err, errlen, "cannot read the host's addresses: %s", strerror(-r));
        return r;
    }
    if ((r = links_all(&ls)) < 0) {
        pfxs_free(&host);
        seterr(err, errlen, "cannot list the host's interfaces: %s", strerror(-r));
        return r;
    }
    if (subnet) {
        bool taken = subnet_taken(rundir, name, p, &host, &ls, what, sizeof(what));
        r = taken ? -EADDRINUSE : 0;
        if (taken) {
            char s[32];
            pfx_str(p, s, sizeof(s));
            seterr(err, errlen, "network %s: subnet %s overlaps %s", name, s, what);
        }
    } else {
        r = pick_default(rundir, name, &host, &ls, &p);
        if (r < 0)
            seterr(err, errlen, "network %s: no free 10.X.Y.0/24 subnet left: give subnet=",
                   name);
    }
    pfxs_free(&host);
    free(ls.v);
    if (r < 0)
        return r;

    memset(&rec, 0, sizeof(rec));
    snprintf(rec.info.name, sizeof(rec.info.name), "%s", name);
    rec.info.mode = mode;
    pfx_str(p, rec.info.subnet, sizeof(rec.info.subnet));
    addr_str(p.net + 1, rec.info.address, sizeof(rec.info.address));
    rec.info.pvhv = true;
    rec.forwarding_was = -1;

    if ((r = bridge_add(name)) < 0) {
        seterr(err, errlen, "network %s: cannot create the bridge: %s", name, strerror(-r));
        return r == -EEXIST ? -EEXIST : r;
    }
    if ((r = link_get(name, &l)) < 0) {
        seterr(err, errlen, "network %s: the new bridge vanished: %s", name, strerror(-r));
        return r;
    }
    if ((r = addr_add(l.index, p.net + 1, p.len)) < 0) {
        seterr(err, errlen, "network %s: cannot add %s/%u: %s", name, rec.info.address, p.len,
               strerror(-r));
        goto undo;
    }
    if ((r = link_up(l.index)) < 0) {
        seterr(err, errlen, "network %s: cannot bring the bridge up: %s", name, strerror(-r));
        goto undo;
    }
    if ((r = rules_add(&rec.info, err, errlen)) < 0)
        goto undo;
    if (mode == HOSTNET_NAT) {
        int was = forwarding_get();
        if (was == 0 && (r = forwarding_set(true)) < 0) {
            seterr(err, errlen, "network %s: cannot turn IPv4 forwarding on: %s", name,
                   strerror(-r));
            rules_del(name, NULL, 0);
            goto undo;
        }
        /* Remember whether pvhv turned it on: then the last nat network
         * turns it off again. An older record's own answer wins. */
        rec.forwarding_was = was < 0 ? -1 : was;
        unsigned n = 0;
        char **names = rec_names(rundir, &n);
        for (unsigned i = 0; i < n; i++) {
            struct record o;
            if (strcmp(names[i], name) && rec_read(rundir, names[i], &o) == 0 &&
                o.info.mode == HOSTNET_NAT && o.forwarding_was >= 0)
                rec.forwarding_was = o.forwarding_was;
        }
        names_free(names, n);
    }
    if ((r = rec_write(rundir, &rec)) < 0) {
        seterr(err, errlen, "network %s: cannot write its record in %s/networks: %s", name,
               rundir_of(rundir), strerror(-r));
        rules_del(name, NULL, 0);
        if (mode == HOSTNET_NAT && rec.forwarding_was == 0)
            forwarding_set(false);
        goto undo;
    }
    rec.info.present = true;
    rec.info.up = true;
    if (out)
        *out = rec.info;
    return 0;
undo:
    link_del(l.index);
    return r;
}

int hostnet_destroy(const char *rundir, const char *name, char *err, size_t errlen)
{
    struct record rec;
    struct link l;
    int r;

    if ((r = hostnet_check_name(name, err, errlen)) < 0)
        return r;
    r = rec_read(rundir, name, &rec);
    if (r == -EINVAL) {
        seterr(err, errlen, "network %s: its record in %s/networks is unreadable", name,
               rundir_of(rundir));
        return r;
    }
    if (r < 0) {
        if (link_get(name, &l) == 0) {
            seterr(err, errlen, "%s is not a pvhv network (an interface pvhv did not make): "
                   "not removed", name);
            return -EPERM;
        }
        seterr(err, errlen, "no pvhv network %s", name);
        return -ENOENT;
    }
    if ((r = rules_del(name, err, errlen)) < 0 && r != -ENOENT)
        return r;
    r = link_get(name, &l);
    if (r == 0) {
        if (strcmp(l.kind, "bridge")) {
            seterr(err, errlen, "network %s: the interface of that name is a %s now, not "
                   "pvhv's bridge: left alone; its record is removed", name,
                   l.kind[0] ? l.kind : "device of no kind");
        } else if ((r = link_del(l.index)) < 0 && r != -ENODEV) {
            seterr(err, errlen, "network %s: cannot delete the bridge: %s", name, strerror(-r));
            return r;
        }
    }
    rec_remove(rundir, name);
    if (rec.info.mode == HOSTNET_NAT && rec.forwarding_was == 0) {
        bool other = false;
        unsigned n = 0;
        char **names = rec_names(rundir, &n);
        for (unsigned i = 0; i < n && !other; i++) {
            struct record o;
            other = rec_read(rundir, names[i], &o) == 0 && o.info.mode == HOSTNET_NAT;
        }
        names_free(names, n);
        if (!other)
            forwarding_set(false);
    }
    return 0;
}

static int cmp_info(const void *a, const void *b)
{
    return strcmp(((const struct hostnet_info *)a)->name, ((const struct hostnet_info *)b)->name);
}

int hostnet_list(const char *rundir, bool bridges, struct hostnet_info **out, unsigned *n,
                 char *err, size_t errlen)
{
    struct links ls;
    unsigned nn = 0, cap;
    char **names;
    struct hostnet_info *v;
    int r;

    *out = NULL;
    *n = 0;
    if ((r = links_all(&ls)) < 0) {
        seterr(err, errlen, "cannot list the host's interfaces: %s", strerror(-r));
        return r;
    }
    names = rec_names(rundir, &nn);
    cap = nn + (bridges ? ls.n : 0) + 1;
    v = calloc(cap, sizeof(*v));
    if (!v) {
        names_free(names, nn);
        free(ls.v);
        seterr(err, errlen, "out of memory");
        return -ENOMEM;
    }
    for (unsigned i = 0; i < nn; i++) {
        struct record rec;
        if (rec_read(rundir, names[i], &rec) < 0)
            continue;
        for (unsigned k = 0; k < ls.n; k++) {
            if (!strcmp(ls.v[k].name, rec.info.name)) {
                rec.info.present = !strcmp(ls.v[k].kind, "bridge");
                rec.info.up = rec.info.present && (ls.v[k].flags & IFF_UP);
            }
        }
        v[(*n)++] = rec.info;
    }
    for (unsigned k = 0; bridges && k < ls.n; k++) {
        if (strcmp(ls.v[k].kind, "bridge"))
            continue;
        bool known = false;
        for (unsigned i = 0; i < *n && !known; i++)
            known = !strcmp(v[i].name, ls.v[k].name);
        if (known)
            continue;
        struct hostnet_info *i = &v[(*n)++];
        snprintf(i->name, sizeof(i->name), "%s", ls.v[k].name);
        i->mode = HOSTNET_BRIDGED;
        i->present = true;
        i->up = (ls.v[k].flags & IFF_UP) != 0;
    }
    names_free(names, nn);
    free(ls.v);
    qsort(v, *n, sizeof(*v), cmp_info);
    *out = v;
    return 0;
}

int hostnet_get(const char *rundir, const char *name, struct hostnet_info *out)
{
    struct record rec;
    struct link l;

    if (hostnet_check_name(name, NULL, 0) < 0)
        return -ENOENT;
    bool have_link = link_get(name, &l) == 0;
    if (rec_read(rundir, name, &rec) == 0) {
        rec.info.present = have_link && !strcmp(l.kind, "bridge");
        rec.info.up = rec.info.present && (l.flags & IFF_UP);
        *out = rec.info;
        return 0;
    }
    if (!have_link || strcmp(l.kind, "bridge"))
        return -ENOENT;
    memset(out, 0, sizeof(*out));
    snprintf(out->name, sizeof(out->name), "%s", name);
    out->mode = HOSTNET_BRIDGED;
    out->present = true;
    out->up = (l.flags & IFF_UP) != 0;
    return 0;
}

int hostnet_is_bridge(const char *name, char *err, size_t errlen)
{
    struct link l;
    int r;

    if (!name || !*name || strlen(name) > HOSTNET_NAME_MAX) {
        seterr(err, errlen, "bridge '%s': not an interface name", name ? name : "");
        return -ENODEV;
    }
    r = link_get(name, &l);
    if (r == -ENODEV) {
        seterr(err, errlen, "bridge %s does not exist (make it, or `pvctl net-create %s`)", name,
               name);
        return r;
    }
    if (r < 0) {
        seterr(err, errlen, "cannot list the host's interfaces: %s", strerror(-r));
        return r;
    }
    if (strcmp(l.kind, "bridge")) {
        seterr(err, errlen, "%s is not a bridge (%s)", name, l.kind[0] ? l.kind : "no kind");
        return -ENOTTY;
    }
    return 0;
}
