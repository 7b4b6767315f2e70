/* pvxs.c: a small xenstore CLI on libxs (read, write, ls, rm, watch,
 * chmod, mkdir) for hosts without Xen's xenstore-utils. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: pvxs COMMAND ARGS\n"
               "  read PATH...             print each value\n"
               "  write PATH VALUE...      set values (pairs)\n"
               "  mkdir PATH...            create empty nodes\n"
               "  ls [PATH]                the tree below PATH (default /), with values\n"
               "  rm PATH...               remove nodes and everything below\n"
               "  chmod PATH PERM...       set permissions: n|r|w|b followed by a domid;\n"
               "                           the first names the owner\n"
               "  watch [-n COUNT] PATH    print \"path token\" per event (COUNT events)\n"
               "The daemon: $XENSTORED_PATH, else $PV_RUNDIR/xenstored/socket.\n");
}

static int fail(const char *what, const char *path)
{
    fprintf(stderr, "pvxs: %s %s: %s\n", what, path, strerror(errno));
    return 1;
}

/* Print v (len bytes) with non-printable bytes escaped. */
static void print_value(const char *v, unsigned int len)
{
    for (unsigned int i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)v[i];
        if (ch == '"' || ch == '\\')
            printf("\\%c", ch);
        else if (ch >= 0x20 && ch < 0x7f)
            putchar(ch);
        else
            printf("\\x%02x", ch);
    }
}

static int ls(struct xs_handle *h, const char *path, int depth)
{
    unsigned int n;
    char **kids = xs_directory(h, XBT_NULL, path, &n);
    int rc = 0;

    if (!kids)
        return fail("ls", path);
    for (unsigned int i = 0; i < n; i++) {
        char child[4096];
        unsigned int len;
        snprintf(child, sizeof(child), "%s/%s", strcmp(path, "/") ? path : "", kids[i]);
        char *v = xs_read(h, XBT_NULL, child, &len);
        printf("%*s%s = \"", depth, "", kids[i]);
        if (v)
            print_value(v, len);
        printf("\"\n");
        free(v);
        rc |= ls(h, child, depth + 1);
    }
    free(kids);
    return rc;
}

static int chmod_cmd(struct xs_handle *h, int argc, char **argv)
{
    struct xs_permissions perms[64];
    int n = argc - 1;
    char strings[64 * 16];
    size_t off = 0;

    if (n < 1 || n > 64) {
        usage(stderr);
        return 2;
    }
    for (int i = 0; i < n; i++) {
        size_t l = strlen(argv[i + 1]) + 1;
        if (off + l > sizeof(strings)) {
            errno = EINVAL;
            return fail("chmod", argv[0]);
        }
        memcpy(strings + off, argv[i + 1], l);
        off += l;
    }
    if (!xs_strings_to_perms(perms, (unsigned int)n, strings)) {
        fprintf(stderr, "pvxs: bad permission (want n|r|w|b and a domid, e.g. r5)\n");
        return 2;
    }
    if (!xs_set_permissions(h, XBT_NULL, argv[0], perms, (unsigned int)n))
        return fail("chmod", argv[0]);
    return 0;
}

static int watch_cmd(struct xs_handle *h, int argc, char **argv)
{
    long count = -1;

    if (argc >= 2 && !strcmp(argv[0], "-n")) {
        count = strtol(argv[1], NULL, 10);
        argc -= 2;
        argv += 2;
    }
    if (argc != 1) {
        usage(stderr);
        return 2;
    }
    if (!xs_watch(h, argv[0], "pvxs"))
        return fail("watch", argv[0]);
    while (count != 0) {
        unsigned int n;
        char **ev = xs_read_watch(h, &n);
        if (!ev)
            return fail("watch", argv[0]);
        printf("%s %s\n", ev[XS_WATCH_PATH], ev[XS_WATCH_TOKEN]);
        fflush(stdout);
        free(ev);
        if (count > 0)
            count--;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct xs_handle *h;
    const char *cmd;
    int rc = 0;

    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    cmd = argv[1];
    argc -= 2;
    argv += 2;
    h = xs_open(0);
    if (!h) {
        fprintf(stderr, "pvxs: cannot reach xenstore at %s: %s\n", xs_daemon_socket(),
                strerror(errno));
        return 1;
    }
    if (!strcmp(cmd, "read") && argc > 0) {
        for (int i = 0; i < argc; i++) {
            unsigned int len;
            char *v = xs_read(h, XBT_NULL, argv[i], &len);
            if (!v) {
                rc = fail("read", argv[i]);
                break;
            }
            fwrite(v, 1, len, stdout);
            putchar('\n');
            free(v);
        }
    } else if (!strcmp(cmd, "write") && argc > 0 && argc % 2 == 0) {
        for (int i = 0; i < argc && !rc; i += 2)
            if (!xs_write(h, XBT_NULL, argv[i], argv[i + 1], (unsigned int)strlen(argv[i + 1])))
                rc = fail("write", argv[i]);
    } else if (!strcmp(cmd, "mkdir") && argc > 0) {
        for (int i = 0; i < argc && !rc; i++)
            if (!xs_mkdir(h, XBT_NULL, argv[i]))
                rc = fail("mkdir", argv[i]);
    } else if (!strcmp(cmd, "rm") && argc > 0) {
        for (int i = 0; i < argc && !rc; i++)
            if (!xs_rm(h, XBT_NULL, argv[i]))
                rc = fail("rm", argv[i]);
    } else if (!strcmp(cmd, "ls") && argc <= 1) {
        rc = ls(h, argc ? argv[0] : "/", 0);
    } else if (!strcmp(cmd, "chmod") && argc >= 2) {
        rc = chmod_cmd(h, argc, argv);
    } else if (!strcmp(cmd, "watch")) {
        rc = watch_cmd(h, argc, argv);
    } else {
        usage(stderr);
        rc = 2;
    }
    xs_close(h);
    return rc;
}
