/* xlcfg_lex.c: the statement syntax of xl.cfg (KEY = VALUE, strings,
 * numbers, lists, comments). It knows nothing of what the keys mean. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "xlcfg_int.h"

struct lex {
    struct xlcfg__p *p;
    int src;
    const char *base, *s, *end;
    int line;                       /* raw, 1-based, within this source */
};

/* Overrides are one line each: every message about one names its position. */
static int at(const struct lex *lx, int raw)
{
    return lx->src ? -lx->src : raw;
}

static bool eof(const struct lex *lx)
{
    return lx->s >= lx->end;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int hexval(char c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* What the lexer is looking at, for "found ..." in messages. */
static const char *found(const struct lex *lx, char *buf, size_t len)
{
    if (eof(lx))
        return lx->src ? "the end of the argument" : "the end of the file";
    unsigned char c = (unsigned char)*lx->s;
    if (c == '\n')
        return "the end of the line";
    if (c == '\'')
        snprintf(buf, len, "\"'\"");
    else if (c > ' ' && c < 0x7f)
        snprintf(buf, len, "'%c'", c);
    else
        snprintf(buf, len, "byte 0x%02x", c);
    return buf;
}

/* Skip blanks and comments; newlines too if `nl`. */
static void skip_blank(struct lex *lx, bool nl)
{
    while (!eof(lx)) {
        char c = *lx->s;
        if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            lx->s++;
        } else if (c == '#') {
            while (!eof(lx) && *lx->s != '\n')
                lx->s++;
        } else if (c == '\n' && nl) {
            lx->s++;
            lx->line++;
        } else {
            break;
        }
    }
}

/* A quoted string into p->sbuf. xl takes the same escapes in both quotes. */
static int scan_string(struct lex *lx, const char *key, size_t *outlen)
{
    struct xlcfg__p *p = lx->p;
    char q = *lx->s++;
    int line0 = lx->line;
    size_t n = 0;

    for (;;) {
        if (eof(lx) || *lx->s == '\n')
            return xlcfg__err(p, at(lx, line0), key,
                              "unterminated string (close it with %c on the same line)", q);
        char c = *lx->s++;
        if (c == q)
            break;
        if (c == '\0')
            return xlcfg__err(p, at(lx, lx->line), key,
                              "NUL byte in a string (remove it)");
        if (c == '\\') {
            if (eof(lx) || *lx->s == '\n')
                return xlcfg__err(p, at(lx, line0), key,
                                  "unterminated string (close it with %c on the same line)", q);
            char e = *lx->s++;
            int v;
            switch (e) {
            case '\\': case '"': case '\'': c = e; break;
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            case 'a': c = '\a'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'v': c = '\v'; break;
            case 'x':
                if (lx->end - lx->s < 2 || hexval(lx->s[0]) < 0 || hexval(lx->s[1]) < 0)
                    return xlcfg__err(p, at(lx, lx->line), key,
                                      "bad escape '\\x' (write two hex digits, e.g. \\x41)");
                v = hexval(lx->s[0]) * 16 + hexval(lx->s[1]);
                lx->s += 2;
                if (v == 0)
                    return xlcfg__err(p, at(lx, lx->line), key,
                                      "NUL byte in a string (remove the \\x00)");
                c = (char)v;
                break;
            default:
                if (e >= '0' && e <= '7') {
                    v = e - '0';
                    for (int i = 0; i < 2 && !eof(lx) && *lx->s >= '0' && *lx->s <= '7'; i++)
                        v = v * 8 + (*lx->s++ - '0');
                    if (v == 0 || v > 0xff)
                        return xlcfg__err(p, at(lx, lx->line), key,
                                          "bad octal escape (use \\1 to \\377)");
                    c = (char)v;
                    break;
                }
                if ((unsigned char)e > ' ' && (unsigned char)e < 0x7f)
                    return xlcfg__err(p, at(lx, lx->line), key,
                                      "unknown escape '\\%c' (write \\\\ for a backslash)", e);
                return xlcfg__err(p, at(lx, lx->line), key,
                                  "unknown escape (write \\\\ for a backslash)");
            }
        }
        if (n + 1 >= sizeof(p->sbuf))
            return xlcfg__err(p, at(lx, line0), key,
                              "string too long (more than %zu bytes)", sizeof(p->sbuf) - 1);
        p->sbuf[n++] = c;
    }
    p->sbuf[n] = '\0';
    *outlen = n;
    return 0;
}

/* Decimal or 0x hex. A leading 0 is refused: xl would read it as octal. */
static int scan_number(struct lex *lx, const char *key, uint64_t *out)
{
    struct xlcfg__p *p = lx->p;
    const char *start = lx->s;
    uint64_t v = 0;
    unsigned base = 10;

    if (lx->end - lx->s >= 2 && lx->s[0] == '0' && (lx->s[1] == 'x' || lx->s[1] == 'X')) {
        base = 16;
        lx->s += 2;
        if (eof(lx) || hexval(*lx->s) < 0)
            return xlcfg__err(p, at(lx, lx->line), key,
                              "malformed number: '0x' without hex digits (e.g. 0x100)");
    } else if (lx->end - lx->s >= 2 && lx->s[0] == '0' && is_digit(lx->s[1])) {
        return xlcfg__err(p, at(lx, lx->line), key,
                          "number with a leading 0 (xl reads it as octal; write it without the 0)");
    }
    while (!eof(lx)) {
        int d = base == 16 ? hexval(*lx->s) : (is_digit(*lx->s) ? *lx->s - '0' : -1);
        if (d < 0)
            break;
        if (v > (UINT64_MAX - (uint64_t)d) / base)
            return xlcfg__err(p, at(lx, lx->line), key,
                              "number too large (at most %llu)", (unsigned long long)UINT64_MAX);
        v = v * base + (uint64_t)d;
        lx->s++;
    }
    if (!eof(lx) && (is_alpha(*lx->s) || is_digit(*lx->s) || *lx->s == '_' || *lx->s == '.')) {
        const char *e = lx->s;
        while (e < lx->end && (is_alpha(*e) || is_digit(*e) || *e == '_' || *e == '.'))
            e++;
        return xlcfg__err(p, at(lx, lx->line), key,
                          "malformed number '%.*s' (write a whole number, decimal or 0x hex, "
                          "or quote a string)", (int)(e - start > 40 ? 40 : e - start), start);
    }
    *out = v;
    return 0;
}

static int deliver(struct lex *lx, xlcfg__sink sink, enum xlcfg__vkind kind,
                   size_t len, uint64_t num, int line)
{
    if (!sink)
        return 0;
    struct xlcfg__val v = {
        .kind = kind, .str = lx->p->sbuf, .len = len, .num = num, .line = at(lx, line),
    };
    if (kind != XV_STR && kind != XV_ITEM_STR)
        v.str = NULL;
    return sink(lx->p, &v);
}

static int scan_list(struct lex *lx, const char *key, xlcfg__sink sink)
{
    struct xlcfg__p *p = lx->p;
    int line0 = lx->line;
    char fb[16];
    int rc;

    lx->s++;        /* '[' */
    if ((rc = deliver(lx, sink, XV_LIST, 0, 0, line0)))
        return rc;
    for (;;) {
        skip_blank(lx, true);
        if (eof(lx))
            break;
        if (*lx->s == ']')
            goto closed;

        int line = lx->line;
        size_t len;
        uint64_t num;
        char c = *lx->s;
        if (c == '"' || c == '\'') {
            if ((rc = scan_string(lx, key, &len)) ||
                (rc = deliver(lx, sink, XV_ITEM_STR, len, 0, line)))
                return rc;
        } else if (is_digit(c)) {
            if ((rc = scan_number(lx, key, &num)) ||
                (rc = deliver(lx, sink, XV_ITEM_NUM, 0, num, line)))
                return rc;
        } else if (c == '[') {
            return xlcfg__err(p, at(lx, line), key,
                              "lists cannot be nested (make the inner list one string)");
        } else {
            return xlcfg__err(p, at(lx, line), key,
                              "expected a list item (a quoted string or a number) or ']', found %s "
                              "(in the list opened on line %d)", found(lx, fb, sizeof(fb)), line0);
        }

        skip_blank(lx, true);
        if (eof(lx))
            break;
        if (*lx->s == ',') {
            lx->s++;
            continue;
        }
        if (*lx->s == ']')
            goto closed;
        return xlcfg__err(p, at(lx, lx->line), key,
                          "expected ',' or ']' after a list item, found %s "
                          "(in the list opened on line %d)", found(lx, fb, sizeof(fb)), line0);
    }
    return xlcfg__err(p, at(lx, line0), key,
                      "unterminated list: %s comes before its ']' (close the list with ']')",
                      found(lx, fb, sizeof(fb)));
closed:
    lx->s++;
    return deliver(lx, sink, XV_END, 0, 0, lx->line);
}

static int scan_value(struct lex *lx, const char *key, xlcfg__sink sink)
{
    char fb[16];
    int rc;

    if (!eof(lx)) {
        int line = lx->line;
        char c = *lx->s;
        if (c == '"' || c == '\'') {
            size_t len;
            if ((rc = scan_string(lx, key, &len)))
                return rc;
            return deliver(lx, sink, XV_STR, len, 0, line);
        }
        if (is_digit(c)) {
            uint64_t num;
            if ((rc = scan_number(lx, key, &num)))
                return rc;
            return deliver(lx, sink, XV_NUM, 0, num, line);
        }
        if (c == '[')
            return scan_list(lx, key, sink);
    }
    return xlcfg__err(lx->p, at(lx, lx->line), key,
                      "expected a value, found %s (write a \"quoted string\", a number "
                      "or a [ list ])", found(lx, fb, sizeof(fb)));
}

int xlcfg__scan(struct xlcfg__p *p, int src, const char *text, size_t len)
{
    struct lex lx = { .p = p, .src = src, .base = text, .s = text, .end = text + len, .line = 1 };
    char key[XLCFG__KEY_MAX + 1];
    char fb[16];
    int rc;

    for (;;) {
        skip_blank(&lx, true);
        while (!eof(&lx) && *lx.s == ';') {
            lx.s++;
            skip_blank(&lx, true);
        }
        if (eof(&lx))
            return 0;

        int line = lx.line;
        char c = *lx.s;
        if (!is_alpha(c) && c != '_')
            return xlcfg__err(p, at(&lx, line), "syntax error",
                              "expected a key name, found %s (write KEY = VALUE)",
                              found(&lx, fb, sizeof(fb)));
        const char *k = lx.s;
        while (!eof(&lx) && (is_alpha(*lx.s) || is_digit(*lx.s) || *lx.s == '_' || *lx.s == '.'))
            lx.s++;
        size_t klen = (size_t)(lx.s - k);
        if (klen > XLCFG__KEY_MAX)
            return xlcfg__err(p, at(&lx, line), "syntax error",
                              "key name '%.20s...' too long (at most %d characters)",
                              k, XLCFG__KEY_MAX);
        memcpy(key, k, klen);
        key[klen] = '\0';

        skip_blank(&lx, false);
        if (lx.end - lx.s >= 2 && lx.s[0] == '+' && lx.s[1] == '=')
            return xlcfg__err(p, at(&lx, line), key,
                              "'+=' is not supported (write %s = the whole value)", key);
        if (eof(&lx) || *lx.s != '=')
            return xlcfg__err(p, at(&lx, line), key,
                              "expected '=' after the key, found %s (write %s = VALUE)",
                              found(&lx, fb, sizeof(fb)), key);
        lx.s++;
        skip_blank(&lx, false);

        size_t off = (size_t)(lx.s - lx.base);
        int vline = lx.line;
        if ((rc = scan_value(&lx, key, NULL)))
            return rc;
        skip_blank(&lx, false);
        if (!eof(&lx) && *lx.s != '\n' && *lx.s != ';')
            return xlcfg__err(p, at(&lx, lx.line), key,
                              "expected the end of the line or ';' after the value, found %s "
                              "(one KEY = VALUE per line)", found(&lx, fb, sizeof(fb)));
        if ((rc = xlcfg__stmt(p, key, src, off, vline)))
            return rc;
    }
}

int xlcfg__eval(struct xlcfg__p *p, int src, const char *text, size_t len,
                size_t off, int line, xlcfg__sink sink)
{
    struct lex lx = { .p = p, .src = src, .base = text, .s = text + off,
                      .end = text + len, .line = line };
    return scan_value(&lx, NULL, sink);
}
