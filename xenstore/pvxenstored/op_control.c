/* op_control.c: CONTROL sub-commands: help, check, log, print, memreport,
 * quota, and pvhv's act-as. */
#include <stdio.h>
#include <string.h>

#include <pvhv/errno.h>

#include "xsd.h"

#define MAX_ARGS 8

struct control_cmd {
    const char *name;
    const char *usage;
    int (*fn)(struct xsd_req *r, int argc, const char **argv);
};

static int cmd_help(struct xsd_req *r, int argc, const char **argv);

static int cmd_check(struct xsd_req *r, int argc, const char **argv)
{
    char why[256], buf[320];
    int problems;

    (void)argc;
    (void)argv;
    problems = xsd_store_check(&r->d->store, why, sizeof(why));
    if (!problems)
        return xsd_reply_str(r, "OK");
    log_msg(LOG_ERR, "check: %d problem(s), first: %s", problems, why);
    snprintf(buf, sizeof(buf), "%d problem(s); first: %s", problems, why);
    return xsd_reply_str(r, buf);
}

static int cmd_log(struct xsd_req *r, int argc, const char **argv)
{
    if (argc == 1)
        return xsd_reply_str(r, r->d->log_requests ? "on" : "off");
    if (argc != 2 || (strcmp(argv[1], "on") && strcmp(argv[1], "off")))
        return -XEN_EINVAL;
    r->d->log_requests = !strcmp(argv[1], "on");
    return xsd_reply_str(r, "OK");
}

static int cmd_print(struct xsd_req *r, int argc, const char **argv)
{
    if (argc != 2)
        return -XEN_EINVAL;
    log_msg(LOG_INFO, "print: %.200s", argv[1]);
    return xsd_reply_str(r, "OK");
}

static int cmd_memreport(struct xsd_req *r, int argc, const char **argv)
{
    size_t conns = 0, watches = 0, txns = 0, doms = 0;
    char buf[256];

    (void)argc;
    (void)argv;
    for (struct xsd_conn *c = r->d->conns; c; c = c->next) {
        conns++;
        watches += c->nwatches;
        txns += c->ntxns;
    }
    for (size_t i = 0; i < DOMID_FIRST_RESERVED; i++)
        doms += r->d->doms[i] != NULL;
    snprintf(buf, sizeof(buf), "nodes %zu\nconnections %zu\nwatches %zu\ntransactions %zu\n"
             "domains %zu\n", r->d->store.nodes.count, conns, watches, txns, doms);
    return xsd_reply_str(r, buf);
}

/* quota: all limits; quota <domid>: a domain's use; quota set <name> <n>. */
static int cmd_quota(struct xsd_req *r, int argc, const char **argv)
{
    char buf[512];
    uint32_t domid;

    if (argc == 1) {
        xsd_quota_format(&r->d->quota, buf, sizeof(buf));
        return xsd_reply_str(r, buf);
    }
    if (argc == 4 && !strcmp(argv[1], "set")) {
        if (xsd_quota_set(&r->d->quota, argv[2], argv[3]) < 0)
            return -XEN_EINVAL;
        log_msg(LOG_INFO, "quota %s set to %s", argv[2], argv[3]);
        return xsd_reply_str(r, "OK");
    }
    if (argc == 2 && xsd_domid_parse(argv[1], &domid) == 0) {
        const struct xsd_domain *dom = xsd_domain_find(r->d, domid);
        uint32_t txns = 0;
        for (struct xsd_conn *c = r->d->conns; c; c = c->next)
            if (c->domid == domid)
                txns += c->ntxns;
        snprintf(buf, sizeof(buf), "nodes %u/%u\nwatches %u/%u\ntransactions %u\n",
                 r->d->store.owned[domid], r->d->quota.nodes, dom ? dom->nwatches : 0,
                 r->d->quota.watches, txns);
        return xsd_reply_str(r, buf);
    }
    return -XEN_EINVAL;
}

/*
 * pvhv's extension, for tests and tools: from now on this connection acts
 * as introduced domain <domid>: relative paths, permissions, quotas and
 * watch filtering are that domain's, and dom0's privilege is gone for
 * good. RELEASE of the domain closes it, as it would the domain's ring.
 */
static int cmd_act_as(struct xsd_req *r, int argc, const char **argv)
{
    uint32_t domid;

    if (argc != 2 || xsd_domid_parse(argv[1], &domid) < 0 || domid == 0)
        return -XEN_EINVAL;
    if (!xsd_domain_find(r->d, domid))
        return -XEN_ENOENT;
    if (r->c->watches || r->c->txns)
        return -XEN_EBUSY;
    r->c->domid = domid;
    log_msg(LOG_INFO, "connection %u now acts as domain %u", r->c->id, domid);
    return xsd_reply_str(r, "OK");
}

static const struct control_cmd cmds[] = {
    { "act-as", "act-as <domid>: this connection becomes domain <domid> (pvhv)", cmd_act_as },
    { "check", "check: check the tree's consistency", cmd_check },
    { "help", "help: this list", cmd_help },
    { "log", "log [on|off]: log every request", cmd_log },
    { "memreport", "memreport: counts of nodes, connections, watches", cmd_memreport },
    { "print", "print <text>: write text to the log", cmd_print },
    { "quota", "quota [<domid>|set <name> <value>]: limits and use", cmd_quota },
};

static int cmd_help(struct xsd_req *r, int argc, const char **argv)
{
    char buf[1024];
    size_t n = 0;

    (void)argc;
    (void)argv;
    buf[0] = 0;
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s\n", cmds[i].usage);
    return xsd_reply_str(r, buf);
}

int xsd_op_control(struct xsd_req *r)
{
    const char *argv[MAX_ARGS];
    int argc = xsd_req_strings(r, argv, MAX_ARGS);

    if (argc < 1 || argc > MAX_ARGS)
        return -XEN_EINVAL;
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        if (!strcmp(argv[0], cmds[i].name))
            return cmds[i].fn(r, argc, argv);
    return -XEN_EINVAL;
}
