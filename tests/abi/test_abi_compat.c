/* test_abi_compat.c: pvhv's public headers against Xen 4.17's, name by name. */
#include <criterion/criterion.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi_row.h"

/*
 * The full header set shares ~1200 names with Xen. Far fewer means the scan
 * lost the headers, and an empty comparison would pass.
 */
#define ABI_MIN_ROWS 1000

static const char *kind_name(enum abi_kind k)
{
    switch (k) {
    case ABI_STRUCT:   return "a struct";
    case ABI_UNION:    return "a union";
    case ABI_ENUM:     return "an enum";
    case ABI_TYPEDEF:  return "a typedef";
    case ABI_FIELD:    return "a field";
    case ABI_FLEX:     return "a flexible array member";
    case ABI_BITFIELD: return "a bitfield";
    case ABI_UNSIZED:  return "a typedef of a function or opaque type";
    case ABI_INT:      return "an integer constant";
    case ABI_STR:      return "a string constant";
    case ABI_EXPR:     return "a macro that is not a value";
    case ABI_SKIP:     return "an excluded macro (not_values.txt)";
    }
    return "?";
}

/* Stringified expansions differ in spacing with how macros nest. */
static bool same_tokens(const char *a, const char *b)
{
    for (;;) {
        while (*a && isspace((unsigned char)*a))
            a++;
        while (*b && isspace((unsigned char)*b))
            b++;
        if (*a != *b)
            return false;
        if (!*a)
            return true;
        a++, b++;
    }
}

static void show_int(char *buf, size_t n, const struct abi_row *r)
{
    if (r->neg)
        snprintf(buf, n, "%lld", (long long)r->value);
    else
        snprintf(buf, n, "%llu (%#llx)", r->value, r->value);
}

/* "Xen" in messages, or "Xen (legacy interface)" for names only it has. */
static const char *xen_label = "Xen";

#define MISMATCH(o, what, fmt, ...) \
    cr_expect(0, "ABI mismatch: %s: %s: pvhv " fmt, (o)->name, what, __VA_ARGS__)

static bool check_num(const struct abi_row *o, const char *what,
                      unsigned long long ours, unsigned long long xen)
{
    if (ours == xen)
        return true;
    MISMATCH(o, what, "%llu, %s %llu", ours, xen_label, xen);
    return false;
}

/* Compare one name; report each property that differs. */
static size_t compare_row(const struct abi_row *o, const struct abi_row *x)
{
    size_t bad = 0;

    if (o->kind != x->kind) {
        MISMATCH(o, "kind", "%s%s%s%s, %s %s%s%s%s", kind_name(o->kind),
                 o->str ? " `" : "", o->str ? o->str : "", o->str ? "`" : "",
                 xen_label, kind_name(x->kind), x->str ? " `" : "", x->str ? x->str : "",
                 x->str ? "`" : "");
        return 1;
    }
    switch (o->kind) {
    case ABI_STRUCT:
    case ABI_UNION:
    case ABI_ENUM:
    case ABI_TYPEDEF:
        bad += !check_num(o, "size", o->size, x->size);
        bad += !check_num(o, "alignment", o->align, x->align);
        break;
    case ABI_FIELD:
        bad += !check_num(o, "offset", o->offset, x->offset);
        bad += !check_num(o, "size", o->size, x->size);
        break;
    case ABI_FLEX:
        bad += !check_num(o, "offset", o->offset, x->offset);
        break;
    case ABI_INT:
        if (o->value != x->value || o->neg != x->neg) {
            char a[64], b[64];
            show_int(a, sizeof(a), o);
            show_int(b, sizeof(b), x);
            MISMATCH(o, "value", "%s, %s %s", a, xen_label, b);
            bad++;
        }
        break;
    case ABI_STR:
        if (strcmp(o->str, x->str) != 0) {
            MISMATCH(o, "value", "\"%s\", %s \"%s\"", o->str, xen_label, x->str);
            bad++;
        }
        break;
    case ABI_EXPR:
        if (!same_tokens(o->str, x->str)) {
            MISMATCH(o, "expansion", "`%s`, %s `%s` (if the difference is intended, "
                     "list the name in tests/abi/not_values.txt)", o->str, xen_label, x->str);
            bad++;
        }
        break;
    case ABI_BITFIELD:
    case ABI_UNSIZED:
    case ABI_SKIP:
        break;
    }
    return bad;
}

Test(abi, matches_xen)
{
    size_t bad = 0;

    cr_assert_eq(abi_nrows_ours, abi_nrows_xen + abi_nrows_xen_legacy,
                 "generated tables differ in length (%zu vs %zu + %zu): rerun abi_scan.py",
                 abi_nrows_ours, abi_nrows_xen, abi_nrows_xen_legacy);
    for (size_t i = 0; i < abi_nrows_ours; i++) {
        const struct abi_row *o = &abi_rows_ours[i], *x;
        if (i < abi_nrows_xen) {
            x = &abi_rows_xen[i];
        } else {
            x = &abi_rows_xen_legacy[i - abi_nrows_xen];
            xen_label = "Xen (legacy interface)";
        }
        cr_assert_str_eq(o->name, x->name, "generated tables out of step at row %zu", i);
        bad += compare_row(o, x);
    }
    cr_assert_eq(bad, 0,
                 "%zu ABI mismatch(es) between hypervisor/public and Xen 4.17 "
                 "over %zu shared names (each named above)", bad, abi_nrows_ours);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * A renamed or removed field stops being shared and so escapes the
 * comparison; the committed list of shared names catches that.
 */
Test(abi, manifest)
{
    size_t n = abi_nrows_ours, m = abi_nmanifest, gone = 0, added = 0;
    const char **cur = malloc((n + 1) * sizeof(*cur));
    const char **man = malloc((m + 1) * sizeof(*man));

    cr_assert(cur && man);
    for (size_t i = 0; i < n; i++)
        cur[i] = abi_rows_ours[i].name;
    memcpy(man, abi_manifest, m * sizeof(*man));
    qsort(cur, n, sizeof(*cur), cmp_str);
    qsort(man, m, sizeof(*man), cmp_str);

    size_t i = 0, j = 0;
    while (i < n || j < m) {
        int c = i == n ? 1 : j == m ? -1 : strcmp(cur[i], man[j]);
        if (c < 0) {
            cr_expect(0, "ABI manifest: %s is shared with Xen but not listed in "
                      "tests/abi/shared_names.txt; if it is new, run `make abi-manifest`",
                      cur[i]);
            added++, i++;
        } else if (c > 0) {
            cr_expect(0, "ABI manifest: %s is listed in tests/abi/shared_names.txt "
                      "but no longer shared with Xen (renamed or removed in "
                      "hypervisor/public?)", man[j]);
            gone++, j++;
        } else {
            i++, j++;
        }
    }
    free(cur);
    free(man);
    cr_assert(gone == 0 && added == 0,
              "shared names differ from tests/abi/shared_names.txt: %zu gone, %zu new",
              gone, added);
}

Test(abi, not_values_current)
{
    for (size_t i = 0; i < abi_nstale_not_values; i++)
        cr_expect(0, "tests/abi/not_values.txt: %s is not a shared non-value macro "
                  "any more; remove it", abi_stale_not_values[i]);
    cr_assert_eq(abi_nstale_not_values, 0, "stale entries in tests/abi/not_values.txt");
}

/* The comparison must not pass because it compared nothing. */
Test(abi, coverage)
{
    size_t kinds[ABI_SKIP + 1] = {0};

    for (size_t i = 0; i < abi_nrows_ours; i++)
        kinds[abi_rows_ours[i].kind]++;
    cr_log_info("ABI: %zu shared names (%zu structs/unions, %zu fields, %zu typedefs, "
                "%zu integer constants; %zu from the legacy interface) from %zu pvhv headers vs "
                "%zu Xen headers", abi_nrows_ours, kinds[ABI_STRUCT] + kinds[ABI_UNION],
                kinds[ABI_FIELD], kinds[ABI_TYPEDEF], kinds[ABI_INT], abi_nrows_xen_legacy,
                abi_nheaders_ours, abi_nheaders_xen);
    cr_assert_geq(abi_nrows_ours, ABI_MIN_ROWS,
                  "only %zu shared names: the scan missed the headers", abi_nrows_ours);
    cr_assert_gt(kinds[ABI_STRUCT], 0, "no shared struct compared");
    cr_assert_gt(kinds[ABI_FIELD], 0, "no shared field compared");
    cr_assert_gt(kinds[ABI_TYPEDEF], 0, "no shared typedef compared");
    cr_assert_gt(kinds[ABI_INT], 0, "no shared constant compared");
}
