/* SPDX-License-Identifier: MIT */
/*
 * pvhv_abi.h: the layout checks every public header uses.
 *
 * Part of pvhv's own additions to Xen's ABI (the pvhv_ prefix marks them).
 * Every struct shared between pvhv, dom0 and guests is pinned with these
 * checks, so a change of size or offset fails at compile time, in every
 * program that includes the header, on every compiler.
 */
#ifndef PVHV_PUBLIC_PVHV_ABI_H
#define PVHV_PUBLIC_PVHV_ABI_H

#include <stddef.h>
#include <stdint.h>

#if !defined(__x86_64__)
#error "pvhv's public ABI is defined for x86_64 only"
#endif

/* Fail the build unless sizeof(type) is exactly `size` bytes. */
#define PVHV_ABI_SIZE(type, size) \
    _Static_assert(sizeof(type) == (size), #type " must be " #size " bytes")

/* Fail the build unless `field` sits exactly `off` bytes into `type`. */
#define PVHV_ABI_OFFSET(type, field, off)       \
    _Static_assert(offsetof(type, field) == (off), \
                   #type "." #field " must be at offset " #off)

#endif /* PVHV_PUBLIC_PVHV_ABI_H */
