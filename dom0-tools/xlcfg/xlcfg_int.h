/* xlcfg_int.h: what the pieces of the xl.cfg parser share (not installed).
 *
 * Parsing runs in two passes so that "the last assignment wins" holds as in
 * xl, for errors too: pass 1 (xlcfg__scan) checks the syntax of the file
 * and every override and records where each known key was last assigned;
 * pass 2 (xlcfg__eval) re-reads just those values and applies them.
 */
#ifndef XLCFG_INT_H
#define XLCFG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xlcfg.h"

/* Longest quoted string the lexer takes: room for a 4095-byte disk target
 * plus its options. Longer strings are an error, never cut. */
#define XLCFG__STR_MAX 8192
/* Longest key name. */
#define XLCFG__KEY_MAX 63

/* The keys pvhv knows; the order is that of struct xlcfg_lines. */
enum xlcfg__key {
    XK_NAME, XK_UUID, XK_TYPE, XK_KERNEL, XK_RAMDISK, XK_CMDLINE, XK_EXTRA,
    XK_ROOT, XK_MEMORY, XK_MAXMEM, XK_VCPUS, XK_MAXVCPUS, XK_ON_POWEROFF,
    XK_ON_REBOOT, XK_ON_CRASH, XK_DISK, XK_VIF, XK__N
};

/* Where a key's last value starts. src 0 is the file, N the N-th override. */
struct xlcfg__rec {
    bool set;
    int src;
    size_t off;     /* of the value, in its source text */
    int line;       /* raw line in that source */
};

/* One parse. */
struct xlcfg__p {
    struct xlcfg *cfg;
    char *err;
    size_t errlen;
    void (*warn)(void *ctx, const char *msg);
    void *ctx;
    const char *text;               /* the file */
    size_t len;
    char *const *over;
    int nover;
    struct xlcfg__rec rec[XK__N];
    enum xlcfg__key cur;            /* key pass 2 is applying */
    unsigned item;                  /* 1-based entry in the list being applied */
    char root[1024], extra[1024];   /* joined into cmdline at the end */
    char sbuf[XLCFG__STR_MAX];      /* the lexer's last string, NUL-terminated */
};

enum xlcfg__vkind {
    XV_STR, XV_NUM,                 /* a whole value */
    XV_LIST, XV_ITEM_STR, XV_ITEM_NUM, XV_END   /* a list, piece by piece */
};

struct xlcfg__val {
    enum xlcfg__vkind kind;
    const char *str;                /* XV_STR, XV_ITEM_STR: NUL-terminated, no NUL inside */
    size_t len;
    uint64_t num;                   /* XV_NUM, XV_ITEM_NUM */
    int line;                       /* in the convention of xlcfg.h */
};

typedef int (*xlcfg__sink)(struct xlcfg__p *p, const struct xlcfg__val *v);

/* Pass 1 over one source (src 0: the file, N: override N): checks syntax
 * and calls xlcfg__stmt for every statement. 0 or -EINVAL. */
int xlcfg__scan(struct xlcfg__p *p, int src, const char *text, size_t len);

/* Called by xlcfg__scan for each statement: records or warns. */
int xlcfg__stmt(struct xlcfg__p *p, const char *key, int src, size_t off, int line);

/* Pass 2: re-read the value at `off` of `text` (line `line` of source
 * `src`) and hand it to `sink`. Returns what sink returned first, or 0. */
int xlcfg__eval(struct xlcfg__p *p, int src, const char *text, size_t len,
                size_t off, int line, xlcfg__sink sink);

/* Pass 2's sink: check and apply one value (or list piece) of key p->cur. */
int xlcfg__apply(struct xlcfg__p *p, const struct xlcfg__val *v);
/* After every key: defaults, required keys, checks across keys. */
int xlcfg__finish(struct xlcfg__p *p);
/* Record the line key k was set on (convention of xlcfg.h). */
void xlcfg__set_line(struct xlcfg *cfg, enum xlcfg__key k, int line);

/* Fill *d / *v from one disk / vif list entry (the `entry`-th, at `line`). */
int xlcfg__disk(struct xlcfg__p *p, int line, unsigned entry, const char *spec,
                size_t len, struct xlcfg_disk *d);
int xlcfg__vif(struct xlcfg__p *p, int line, unsigned entry, const char *spec,
               size_t len, struct xlcfg_vif *v);

/* Put "WHERE: KEY: message" into p->err (KEY left out if NULL); returns
 * -EINVAL so callers can `return xlcfg__err(...)`. */
int xlcfg__err(struct xlcfg__p *p, int line, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Pass "WHERE: warning: message" to the warn callback, if any. */
void xlcfg__warn(struct xlcfg__p *p, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Same format as xlcfg__err, for code with only a cfg at hand. Returns rc. */
int xlcfg__errc(const struct xlcfg *cfg, char *err, size_t errlen, int rc, int line,
                const char *key, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* Copy the n bytes at s into dst (size dstsz) with a NUL, or fail naming
 * `key` if they do not fit. */
int xlcfg__put(struct xlcfg__p *p, int line, const char *key, char *dst,
               size_t dstsz, const char *s, size_t n);

#endif /* XLCFG_INT_H */
