/* xlcfg.h: a parser for Xen's `xl` domain configuration files (xl.cfg(5)),
 * restricted to what pvhv can run: PVH guests, raw-ish disks, PV NICs.
 *
 * The syntax is xl's: `KEY = VALUE` statements separated by newlines or ';',
 * `#` comments, values that are "double" or 'single' quoted strings,
 * integers (decimal or 0x hex) or lists `[ 'a', 'b', ]` that may span lines.
 * As with xl, a key set twice takes its last value, and only that value is
 * checked (an earlier bad value that is overridden is not an error).
 *
 * Every error is one line of the form
 *     FILE:LINE: KEY: what is wrong (what would be right)
 * where FILE:LINE is "<command line>:N" for the N-th override. Errors about
 * the file as a whole (cannot be read) have no LINE: "FILE: ...". Errors in
 * the statement syntax that come before any key use "syntax error" as KEY.
 *
 * Line numbers kept in struct xlcfg follow one convention: > 0 is a line of
 * cfg->file, < 0 is -N for the N-th command-line override, 0 is "never set".
 * xlcfg_where() turns one into text.
 */
#ifndef XLCFG_H
#define XLCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XLCFG_MAX_DISKS 16
#define XLCFG_MAX_VIFS 8
#define XLCFG_MAX_VCPUS 64
#define XLCFG_DEFAULT_MEMORY_MIB 128
/* Far above any host pvhv runs on; it keeps memory_mib << 20 from overflowing. */
#define XLCFG_MAX_MEMORY_MIB (UINT64_C(1) << 24)

enum xlcfg_action { XLCFG_DESTROY, XLCFG_RESTART, XLCFG_PRESERVE, XLCFG_RENAME_RESTART };

struct xlcfg_disk {
    char target[4096];   /* path as given; "" only for an empty cdrom */
    char vdev[32];       /* xvdX, hdX, sdX or a number */
    char format[16];     /* "raw" by default; raw qcow qcow2 vhd qed empty are accepted
                          * here, though pvctl may refuse all but raw */
    bool readonly;       /* access=r/ro, and cdroms unless told otherwise */
    bool cdrom;
    bool emulated;       /* backendtype=emulated (a pvhv extension): pvhv's
                          * trap-and-emulate disk instead of a PV one; at
                          * most one per domain, raw, not a cdrom. The other
                          * backendtypes xl knows (phy, tap, qdisk,
                          * standalone) are accepted and ignored with a
                          * warning: pvblkback serves every PV disk */
    int line;            /* where this entry was written */
};

struct xlcfg_vif {
    char mac[18];        /* "xx:xx:xx:xx:xx:xx" lower case, "" if not given */
    char bridge[16];     /* "" if not given (so are ip, script, vifname) */
    char ip[64];
    char script[256];
    char vifname[16];
    char type[16];       /* "vif" (the default; "ioemu" is refused: no emulated NICs) */
    unsigned mtu;        /* 68..65535; 0 if not given (the backend's default, 1500) */
    int line;
};

/* The line each key was last set on (see the convention above). */
struct xlcfg_lines {
    int name, uuid, type, kernel, ramdisk, cmdline, extra, root;
    int memory, maxmem, vcpus, maxvcpus;
    int on_poweroff, on_reboot, on_crash;
    int disk, vif;
};

struct xlcfg {
    char file[4096];                 /* config path as given, for messages */
    char name[64];
    uint8_t uuid[16];
    bool has_uuid;
    char type[8];                    /* always "pvh": "pv", "hvm" are refused */
    char kernel[4096];
    char ramdisk[4096];              /* "" if none */
    char cmdline[1024];              /* cmdline, else "root=ROOT EXTRA" as xl builds it */
    uint64_t memory_mib;             /* default XLCFG_DEFAULT_MEMORY_MIB */
    uint64_t maxmem_mib;             /* default memory_mib */
    unsigned vcpus;                  /* default 1 */
    unsigned maxvcpus;               /* default vcpus */
    enum xlcfg_action on_poweroff, on_reboot, on_crash; /* destroy, restart, destroy */
    unsigned nr_disks;
    struct xlcfg_disk disks[XLCFG_MAX_DISKS];
    unsigned nr_vifs;
    struct xlcfg_vif vifs[XLCFG_MAX_VIFS];
    struct xlcfg_lines lines;
};

/*
 * Parse the config file at `path`, then the `nover` overrides (each a
 * "KEY=VALUE" string, as after `xl create CFG`): each is parsed as one more
 * config line, so it wins over the file; messages name it "<command
 * line>:N", N its 1-based position. An override must not hold a newline.
 *
 * `cfg` is filled in completely (defaults included) on success; on failure
 * its contents are unspecified. `err` (size `errlen`, may be NULL/0) gets
 * one line, without trailing newline, on failure; it is "" on success.
 * Warnings (unknown key, key pvhv ignores, ignored disk/vif options) are
 * passed one line each, without trailing newline, to warn(ctx, line) if
 * `warn` is not NULL; e.g. "FILE:LINE: warning: unknown key 'foo' ignored".
 *
 * Returns 0, or a negative errno: -EINVAL for anything wrong in the config,
 * the error of open()/read() when the file cannot be read, -EFBIG for a
 * file over 1 MiB, -ENAMETOOLONG for a path that does not fit cfg->file.
 */
int xlcfg_parse_file(const char *path, char *const *overrides, int nover,
                     struct xlcfg *cfg, char *err, size_t errlen,
                     void (*warn)(void *ctx, const char *msg), void *ctx);

/*
 * As xlcfg_parse_file, from the `len` bytes at `text` (need not be
 * NUL-terminated); `name` stands for the file in messages and cfg->file
 * (NULL: "<config>").
 */
int xlcfg_parse_buffer(const char *name, const char *text, size_t len,
                       char *const *overrides, int nover, struct xlcfg *cfg,
                       char *err, size_t errlen,
                       void (*warn)(void *ctx, const char *msg), void *ctx);

/*
 * The line `key` was last set on (convention above: < 0 for an override,
 * 0 if never set or not a key this parser knows), e.g.
 * xlcfg_key_line(cfg, "kernel"). Keys: those of struct xlcfg_lines.
 * "cmdline" answers for cmdline only; "extra" and "root" for themselves.
 */
int xlcfg_key_line(const struct xlcfg *cfg, const char *key);

/*
 * Write where `line` (a line of the convention above) is, as messages
 * give it: "FILE:LINE", "<command line>:N", or "FILE" for 0. Returns buf.
 */
const char *xlcfg_where(const struct xlcfg *cfg, int line, char *buf, size_t len);

/*
 * Checks against the host that parsing cannot do: the kernel (and ramdisk)
 * are readable regular files; each disk target (but an empty cdrom's) is a
 * regular file or a block device, readable, and writable unless the disk is
 * read-only. Permissions are those of the effective user. Relative paths
 * are taken from the current directory.
 *
 * Returns 0, or a negative errno (that of stat()/access(), -EISDIR for a
 * directory, -EINVAL for another kind of file) with one line in `err` in
 * the parser's format, at the line of the key (or disk entry) at fault.
 */
int xlcfg_check_host(const struct xlcfg *cfg, char *err, size_t errlen);

/*
 * Whether `name` is a domain name the parser would take for `name =`:
 * 1 to 63 of [A-Za-z0-9_.-], not starting with '-', not all digits (so it
 * cannot be read as an option or a domid). False for NULL.
 */
bool xlcfg_name_valid(const char *name);

/*
 * Parse one vif spec in xl's format (one vif=[...] entry), as `xl
 * network-attach` takes it. Errors go to err as "WHERE: vif: ...".
 * Returns 0, or -EINVAL (with the reason), -ENOMEM.
 */
int xlcfg_parse_vif(const char *where, const char *spec, struct xlcfg_vif *out, char *err,
                    size_t errlen);

/*
 * Parse one disk spec in xl's format (what one disk=[...] entry holds), as
 * `xl block-attach` takes it. Errors go to err as "WHERE: disk: ...".
 * Returns 0, or -EINVAL (with the reason), -ENOMEM.
 */
int xlcfg_parse_disk(const char *where, const char *spec, struct xlcfg_disk *out, char *err,
                     size_t errlen);

/* "destroy", "restart", "preserve", "rename-restart" (xl's spelling);
 * "?" for a value outside the enum. */
const char *xlcfg_action_name(enum xlcfg_action a);

#endif /* XLCFG_H */
