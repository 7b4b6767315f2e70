/* SPDX-License-Identifier: MIT */
/*
 * errno.h: the Xen error numbers hypercalls return.
 *
 * A failing hypercall returns the negated value: -XEN_EINVAL, i.e. -22.
 * pvhv returns only numbers from this list. The values are x86 Linux's,
 * so a Linux guest can pass them on unchanged, but this header never
 * relies on <errno.h>: another OS's errno values may differ.
 *
 * Same enumerators and values as Xen's public errno.h when a guest or
 * tool includes it normally. Xen's internal-only EINTR (4) and ERESTART
 * (85) are never returned and are not declared. Xen's alternative
 * X-macro use of its header (XEN_ERRNO) is not offered.
 */
#ifndef PVHV_PUBLIC_ERRNO_H
#define PVHV_PUBLIC_ERRNO_H

enum xen_errno {
    XEN_EPERM         = 1,   /* operation not permitted */
    XEN_ENOENT        = 2,   /* no such entry (vCPU, port, file) */
    XEN_ESRCH         = 3,   /* no such domain */
    XEN_EIO           = 5,   /* I/O error */
    XEN_ENXIO         = 6,   /* no such device or address */
    XEN_E2BIG         = 7,   /* argument list too long */
    XEN_ENOEXEC       = 8,   /* bad executable format */
    XEN_EBADF         = 9,   /* bad handle */
    XEN_ECHILD        = 10,  /* no child */
    XEN_EAGAIN        = 11,  /* temporarily unavailable: try again */
    XEN_EWOULDBLOCK   = 11,  /* same as XEN_EAGAIN */
    XEN_ENOMEM        = 12,  /* out of memory */
    XEN_EACCES        = 13,  /* permission denied */
    XEN_EFAULT        = 14,  /* bad guest address */
    XEN_EBUSY         = 16,  /* resource busy */
    XEN_EEXIST        = 17,  /* already exists */
    XEN_EXDEV         = 18,  /* cross-device (cross-domain) link */
    XEN_ENODEV        = 19,  /* no such device */
    XEN_ENOTDIR       = 20,  /* not a directory */
    XEN_EISDIR        = 21,  /* is a directory */
    XEN_EINVAL        = 22,  /* invalid argument */
    XEN_ENFILE        = 23,  /* too many open objects, system-wide */
    XEN_EMFILE        = 24,  /* too many open objects, per domain */
    XEN_ENOSPC        = 28,  /* no space left */
    XEN_EROFS         = 30,  /* read-only */
    XEN_EMLINK        = 31,  /* too many links */
    XEN_EDOM          = 33,  /* argument out of domain */
    XEN_ERANGE        = 34,  /* result out of range */
    XEN_EDEADLK       = 35,  /* deadlock would occur */
    XEN_EDEADLOCK     = 35,  /* same as XEN_EDEADLK */
    XEN_ENAMETOOLONG  = 36,  /* name too long */
    XEN_ENOLCK        = 37,  /* no locks available */
    XEN_ENOSYS        = 38,  /* operation not implemented */
    XEN_ENOTEMPTY     = 39,  /* not empty */
    XEN_ENODATA       = 61,  /* no data available */
    XEN_ETIME         = 62,  /* deadline already passed */
    XEN_EBADMSG       = 74,  /* malformed message */
    XEN_EOVERFLOW     = 75,  /* value too large for its type */
    XEN_EILSEQ        = 84,  /* illegal byte sequence */
    XEN_ENOTSOCK      = 88,  /* not a socket */
    XEN_EMSGSIZE      = 90,  /* message too large */
    XEN_EOPNOTSUPP    = 95,  /* operation not supported */
    XEN_EADDRINUSE    = 98,  /* address already in use */
    XEN_EADDRNOTAVAIL = 99,  /* address not available */
    XEN_ENOBUFS       = 105, /* buffer too small */
    XEN_EISCONN       = 106, /* already connected */
    XEN_ENOTCONN      = 107, /* not connected */
    XEN_ETIMEDOUT     = 110, /* timed out */
    XEN_ECONNREFUSED  = 111  /* connection refused */
};

#endif /* PVHV_PUBLIC_ERRNO_H */
