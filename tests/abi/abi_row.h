/* abi_row.h: one measured name in the pvhv-vs-Xen ABI tables (tests/abi). */
#ifndef PVHV_TESTS_ABI_ROW_H
#define PVHV_TESTS_ABI_ROW_H

#include <stddef.h>

/*
 * What a row measures. A name can be a different kind on each side (a
 * struct here, a union there); the test reports that as a mismatch.
 */
enum abi_kind {
    ABI_STRUCT,   /* size, align */
    ABI_UNION,    /* size, align */
    ABI_ENUM,     /* size, align of the enum type */
    ABI_TYPEDEF,  /* size, align */
    ABI_FIELD,    /* size, offset */
    ABI_FLEX,     /* flexible array member: offset only */
    ABI_BITFIELD, /* offsetof/sizeof are not defined on bitfields: kind only */
    ABI_UNSIZED,  /* typedef of a function or opaque type: kind only */
    ABI_INT,      /* integer constant: value, neg */
    ABI_STR,      /* macro expanding to a string literal: str */
    ABI_EXPR,     /* macro that is not a value: str is its expansion */
    ABI_SKIP,     /* listed in not_values.txt: expansion kept, not compared */
};

struct abi_row {
    enum abi_kind kind;
    const char *name;          /* "struct evtchn_send.port", "const VIRQ_TIMER" */
    unsigned long long size;
    unsigned long long offset;
    unsigned long long align;
    unsigned long long value;  /* the integer's bits, as unsigned long long */
    int neg;                   /* the integer is below zero */
    const char *str;
};

/*
 * Filled in by the compiler from pvhv's headers (abi_ours.c) and from
 * Debian's Xen headers: abi_xen.c at the latest interface, then
 * abi_xen_legacy.c for names only the legacy interface has. The Xen rows,
 * the one table followed by the other, match abi_rows_ours name by name.
 */
extern const struct abi_row abi_rows_ours[];
extern const size_t abi_nrows_ours;
extern const struct abi_row abi_rows_xen[];
extern const size_t abi_nrows_xen;
extern const struct abi_row abi_rows_xen_legacy[];
extern const size_t abi_nrows_xen_legacy;

/* From abi_meta.c: the committed manifest (tests/abi/shared_names.txt),
 * stale entries of not_values.txt, and the headers each side scanned. */
extern const char *const abi_manifest[];
extern const size_t abi_nmanifest;
extern const char *const abi_stale_not_values[];
extern const size_t abi_nstale_not_values;
extern const char *const abi_headers_ours[];
extern const size_t abi_nheaders_ours;
extern const char *const abi_headers_xen[];
extern const size_t abi_nheaders_xen;

#endif /* PVHV_TESTS_ABI_ROW_H */
