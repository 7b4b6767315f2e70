/* ring.h: the daemon's half of the console ring protocol (<pvhv/io/console.h>):
 * taking the guest's output from out[], putting input into in[]. No I/O and
 * no event channels: the caller notifies. Every index is read from the
 * shared page once per call and checked, since the guest can write any of
 * them at any time. */
#ifndef PVCONSOLED_RING_H
#define PVCONSOLED_RING_H

#include <stdbool.h>
#include <stddef.h>

#include <pvhv/io/console.h>

/*
 * Copy up to `cap` bytes of the guest's output into buf and hand the space
 * back (out_cons). Returns the count (0: nothing new). If the indexes are
 * nonsense (more than a ring's worth between out_cons and out_prod) the
 * ring is resynchronised, out_cons = out_prod, nothing is returned and
 * *bogus is set (it is left alone otherwise).
 */
size_t ring_take_output(struct xencons_interface *intf, char *buf, size_t cap, bool *bogus);

/* Free space in in[] now (0 when full, or when the guest's in_cons is
 * nonsense: input then waits). */
size_t ring_input_room(const struct xencons_interface *intf);

/* Put up to len bytes into in[] (what fits) and publish them (in_prod).
 * Returns how many went in. */
size_t ring_put_input(struct xencons_interface *intf, const char *buf, size_t len);

#endif
