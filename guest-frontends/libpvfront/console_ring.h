/* console_ring.h: the PV console ring's half of console.c (never installed). */
#ifndef PVFRONT_CONSOLE_RING_H
#define PVFRONT_CONSOLE_RING_H

#include <stddef.h>

/*
 * pvfront__console_ring_write: put len bytes into the ring's out[] (what
 * fits; the rest is dropped and counted) and notify the daemon if any
 * went in. Returns 1 if the domain has a ring, 0 if not (nothing done).
 * buf must be readable: console.c calls it after console_io accepted it.
 */
int pvfront__console_ring_write(const char *buf, size_t len);

/*
 * pvfront__console_ring_read: take up to len bytes from the ring's in[]
 * into buf and notify the daemon if any were taken. Returns the count (0
 * if none), or -1 if the domain has no ring.
 */
int pvfront__console_ring_read(char *buf, size_t len);

#endif /* PVFRONT_CONSOLE_RING_H */
