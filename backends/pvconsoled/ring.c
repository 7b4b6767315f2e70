/* ring.c: the daemon's half of the console ring protocol. */
#include "ring.h"

size_t ring_take_output(struct xencons_interface *intf, char *buf, size_t cap, bool *bogus)
{
    XENCONS_RING_IDX prod = __atomic_load_n(&intf->out_prod, __ATOMIC_ACQUIRE);
    XENCONS_RING_IDX cons = __atomic_load_n(&intf->out_cons, __ATOMIC_RELAXED);
    XENCONS_RING_IDX avail = prod - cons;
    size_t n;

    if (avail > sizeof(intf->out)) {
        __atomic_store_n(&intf->out_cons, prod, __ATOMIC_RELEASE);
        *bogus = true;
        return 0;
    }
    n = avail < cap ? avail : cap;
    for (size_t i = 0; i < n; i++)
        buf[i] = intf->out[MASK_XENCONS_IDX(cons + (XENCONS_RING_IDX)i, intf->out)];
    /* Every byte read before the guest may reuse its slot. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    __atomic_store_n(&intf->out_cons, cons + (XENCONS_RING_IDX)n, __ATOMIC_RELEASE);
    return n;
}

size_t ring_input_room(const struct xencons_interface *intf)
{
    XENCONS_RING_IDX cons = __atomic_load_n(&intf->in_cons, __ATOMIC_ACQUIRE);
    XENCONS_RING_IDX prod = __atomic_load_n(&intf->in_prod, __ATOMIC_RELAXED);
    XENCONS_RING_IDX used = prod - cons;

    return used > sizeof(intf->in) ? 0 : sizeof(intf->in) - used;
}

size_t ring_put_input(struct xencons_interface *intf, const char *buf, size_t len)
{
    XENCONS_RING_IDX cons = __atomic_load_n(&intf->in_cons, __ATOMIC_ACQUIRE);
    XENCONS_RING_IDX prod = __atomic_load_n(&intf->in_prod, __ATOMIC_RELAXED);
    XENCONS_RING_IDX used = prod - cons;
    size_t room = used > sizeof(intf->in) ? 0 : sizeof(intf->in) - used;
    size_t n = len < room ? len : room;

    for (size_t i = 0; i < n; i++)
        intf->in[MASK_XENCONS_IDX(prod + (XENCONS_RING_IDX)i, intf->in)] = buf[i];
    /* The bytes before the index that publishes them. */
    __atomic_store_n(&intf->in_prod, prod + (XENCONS_RING_IDX)n, __ATOMIC_RELEASE);
    return n;
}
