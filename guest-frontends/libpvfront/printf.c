/* printf.c: a small printf (integers, strings, chars; no floating point). */
#include <stdbool.h>

#include "internal.h"

/* Where formatted characters go: a buffer, flushed to the console if flush is set. */
struct sink {
    char *buf;
    size_t cap, len; /* len: characters held in buf */
    size_t total;    /* characters produced so far */
    int err;         /* first console error */
    bool flush;      /* console sink: write out when full; else truncate */
};

static void sink_flush(struct sink *s)
{
    if (s->flush && s->len) {
        int rc = pvfront_console_write(s->buf, s->len);
        if (rc < 0 && !s->err)
            s->err = rc;
        s->len = 0;
    }
}

static void put(struct sink *s, char c)
{
    s->total++;
    if (s->len + 1 >= s->cap) { /* keep room for the NUL of snprintf */
        if (!s->flush)
            return;
        sink_flush(s);
    }
    s->buf[s->len++] = c;
}

static void pad(struct sink *s, char c, int n)
{
    while (n-- > 0)
        put(s, c);
}

struct spec {
    bool left, zero, plus, space, alt;
    int width, prec; /* prec < 0: none */
};

static void put_str(struct sink *s, const struct spec *sp, const char *str)
{
    if (!str)
        str = "(null)";
    size_t n = sp->prec >= 0 ? strnlen(str, (size_t)sp->prec) : strlen(str);
    int fill = sp->width - (int)n;
    if (!sp->left)
        pad(s, ' ', fill);
    for (size_t i = 0; i < n; i++)
        put(s, str[i]);
    if (sp->left)
        pad(s, ' ', fill);
}

static void put_num(struct sink *s, const struct spec *sp, uint64_t v, bool neg,
                    unsigned base, bool upper, const char *prefix)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0;

    if (v == 0 && sp->prec != 0)
        tmp[n++] = '0';
    while (v) {
        tmp[n++] = digits[v % base];
        v /= base;
    }
    char sign = neg ? '-' : sp->plus ? '+' : sp->space ? ' ' : 0;
    int zeros = sp->prec > n ? sp->prec - n : 0;
    int plen = (int)strlen(prefix) + (sign ? 1 : 0);
    int fill = sp->width - n - zeros - plen;

    if (sp->zero && !sp->left && sp->prec < 0) {
        zeros += fill > 0 ? fill : 0;
        fill = 0;
    }
    if (!sp->left)
        pad(s, ' ', fill);
    if (sign)
        put(s, sign);
    for (const char *p = prefix; *p; p++)
        put(s, *p);
    pad(s, '0', zeros);
    while (n)
        put(s, tmp[--n]);
    if (sp->left)
        pad(s, ' ', fill);
}

static int parse_int(const char **fmt)
{
    int v = 0;
    while (**fmt >= '0' && **fmt <= '9')
        v = v * 10 + (*(*fmt)++ - '0');
    return v;
}

static void format(struct sink *s, const char *fmt, va_list ap)
{
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(s, *fmt);
            continue;
        }
        struct spec sp = { .prec = -1 };
        for (;; fmt++) {
            char c = fmt[1];
            if (c == '-') sp.left = true;
            else if (c == '0') sp.zero = true;
            else if (c == '+') sp.plus = true;
            else if (c == ' ') sp.space = true;
            else if (c == '#') sp.alt = true;
            else break;
        }
        fmt++;
        if (*fmt == '*') {
            sp.width = va_arg(ap, int);
            if (sp.width < 0) {
                sp.left = true;
                sp.width = -sp.width;
            }
            fmt++;
        } else {
            sp.width = parse_int(&fmt);
        }
        if (*fmt == '.') {
            fmt++;
            if (*fmt == '*') {
                sp.prec = va_arg(ap, int);
                fmt++;
            } else {
                sp.prec = parse_int(&fmt);
            }
        }
        int lng = 0; /* 0 int, 1 long / size_t / ptrdiff_t / intmax_t, -1 char, -2 short */
        for (;; fmt++) {
            if (*fmt == 'l' || *fmt == 'z' || *fmt == 't' || *fmt == 'j') lng = 1;
            else if (*fmt == 'h') lng = lng < 0 ? -1 : -2;
            else break;
        }
        uint64_t u;
        int64_t i;
        switch (*fmt) {
        case 'd':
        case 'i':
            i = lng == 1 ? va_arg(ap, long) : va_arg(ap, int);
            if (lng == -1) i = (signed char)i;
            if (lng == -2) i = (short)i;
            put_num(s, &sp, i < 0 ? 0 - (uint64_t)i : (uint64_t)i, i < 0, 10, false, "");
            break;
        case 'u':
        case 'x':
        case 'X':
        case 'o':
            u = lng == 1 ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
            if (lng == -1) u = (unsigned char)u;
            if (lng == -2) u = (unsigned short)u;
            if (*fmt == 'u')
                put_num(s, &sp, u, false, 10, false, "");
            else if (*fmt == 'o')
                put_num(s, &sp, u, false, 8, false, sp.alt && u ? "0" : "");
            else
                put_num(s, &sp, u, false, 16, *fmt == 'X',
                        sp.alt && u ? (*fmt == 'X' ? "0X" : "0x") : "");
            break;
        case 'p':
            u = (uintptr_t)va_arg(ap, void *);
            put_num(s, &sp, u, false, 16, false, "0x");
            break;
        case 'c': {
            char c[2] = { (char)va_arg(ap, int), 0 };
            sp.prec = 1;
            put_str(s, &sp, c);
            break;
        }
        case 's':
            put_str(s, &sp, va_arg(ap, const char *));
            break;
        case '%':
            put(s, '%');
            break;
        case '\0':
            return;
        default: /* unknown conversion: show it as written */
            put(s, '%');
            put(s, *fmt);
            break;
        }
    }
}

int pvfront_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct sink s = { .buf = buf, .cap = size };
    format(&s, fmt, ap);
    if (size)
        buf[s.len] = '\0';
    return (int)s.total;
}

int pvfront_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = pvfront_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

int pvfront_vprintf(const char *fmt, va_list ap)
{
    char buf[256];
    struct sink s = { .buf = buf, .cap = sizeof buf + 1, .flush = true };
    format(&s, fmt, ap);
    sink_flush(&s);
    return s.err ? s.err : (int)s.total;
}

int pvfront_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = pvfront_vprintf(fmt, ap);
    va_end(ap);
    return n;
}
