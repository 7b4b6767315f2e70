/* test_emul_scratch.c: the pvbench scratch register as a guest sees it
 * through port I/O and MMIO exits: byte lanes, accesses past it, `rep`
 * strings, what is not its to serve, and one register per vCPU thread.
 * (Suite `pvbench`: the device exists for pvbench.) */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <pvhv/pvhv_platform.h>

#include "emul_scratch.h"

#define DATA_OFFSET 4096

/* A kvm_run with room for port I/O data after it, as KVM maps it. */
static union {
    struct kvm_run run;
    uint8_t bytes[2 * DATA_OFFSET];
} page;

static uint8_t *io_data(void)
{
    return page.bytes + DATA_OFFSET;
}

static bool pio(uint16_t port, bool out, uint8_t size, uint32_t count, void *data)
{
    struct kvm_run *r = &page.run;

    memset(&page, 0, sizeof(page));
    r->exit_reason = KVM_EXIT_IO;
    r->io.direction = out ? KVM_EXIT_IO_OUT : KVM_EXIT_IO_IN;
    r->io.size = size;
    r->io.port = port;
    r->io.count = count;
    r->io.data_offset = DATA_OFFSET;
    if (out)
        memcpy(io_data(), data, (size_t)size * count);
    bool ours = emul_scratch_pio(r);
    if (!out && ours)
        memcpy(data, io_data(), (size_t)size * count);
    return ours;
}

static bool mmio(uint64_t addr, bool write, uint32_t len, void *data)
{
    struct kvm_run *r = &page.run;

    memset(&page, 0, sizeof(page));
    r->exit_reason = KVM_EXIT_MMIO;
    r->mmio.phys_addr = addr;
    r->mmio.len = len;
    r->mmio.is_write = write;
    if (write)
        memcpy(r->mmio.data, data, len);
    bool ours = emul_scratch_mmio(r);
    if (!write && ours)
        memcpy(data, r->mmio.data, len);
    return ours;
}

Test(pvbench, scratch_port_reads_back_what_was_written)
{
    uint32_t v = 0xfeedc0de, got = 0;

    cr_assert(pio(PVHV_SCRATCH_PORT, false, 4, 1, &got));
    cr_expect_eq(got, 0, "a fresh vCPU's register is 0");
    cr_assert(pio(PVHV_SCRATCH_PORT, true, 4, 1, &v));
    cr_assert(pio(PVHV_SCRATCH_PORT, false, 4, 1, &got));
    cr_expect_eq(got, 0xfeedc0de);
}

Test(pvbench, scratch_port_byte_lanes_and_past_the_end)
{
    uint32_t v = 0x44332211, got32;
    uint16_t got16;
    uint8_t b = 0xaa;

    pio(PVHV_SCRATCH_PORT, true, 4, 1, &v);
    cr_assert(pio(PVHV_SCRATCH_PORT + 2, true, 1, 1, &b));
    pio(PVHV_SCRATCH_PORT, false, 4, 1, &got32);
    cr_expect_eq(got32, 0x44aa2211, "outb to byte 2: %#x", got32);
    pio(PVHV_SCRATCH_PORT + 1, false, 2, 1, &got16);
    cr_expect_eq(got16, 0xaa22);
    /* A dword at byte 2 runs past the register: those bytes read all-ones. */
    pio(PVHV_SCRATCH_PORT + 2, false, 4, 1, &got32);
    cr_expect_eq(got32, 0xffff44aa, "%#x", got32);
    v = 0x99887766;
    pio(PVHV_SCRATCH_PORT + 3, true, 4, 1, &v); /* only byte 3 lands */
    pio(PVHV_SCRATCH_PORT, false, 4, 1, &got32);
    cr_expect_eq(got32, 0x66aa2211, "%#x", got32);
}

Test(pvbench, scratch_port_rep_strings)
{
    uint8_t outs[3] = { 1, 2, 3 }, ins[2] = { 0, 0 };
    uint32_t got;

    cr_assert(pio(PVHV_SCRATCH_PORT, true, 1, 3, outs));
    pio(PVHV_SCRATCH_PORT, false, 4, 1, &got);
    cr_expect_eq(got & 0xff, 3, "the last element wins");
    cr_assert(pio(PVHV_SCRATCH_PORT, false, 1, 2, ins));
    cr_expect(ins[0] == 3 && ins[1] == 3);
}

Test(pvbench, scratch_leaves_other_ports_alone)
{
    uint32_t v = 0x12345678;

    cr_expect_not(pio(PVHV_SCRATCH_PORT - 1, true, 4, 1, &v));
    memset(io_data(), 0x5a, 4);
    page.run.io.direction = KVM_EXIT_IO_IN;
    page.run.io.port = PVHV_SCRATCH_PORT + PVHV_SCRATCH_PORT_SIZE;
    cr_expect_not(emul_scratch_pio(&page.run));
    cr_expect_eq(io_data()[0], 0x5a, "an access that is not ours is left untouched");
    cr_expect_not(pio(0x5e, true, 4, 1, &v), "the hypercall port is not the device's");
}

Test(pvbench, scratch_mmio_register_and_the_rest_of_the_page)
{
    uint32_t v = 0xa5a5f00d, got = 1;
    uint64_t wide = ~0ULL;

    cr_assert(mmio(PVHV_SCRATCH_MMIO_GPA, true, 4, &v));
    cr_assert(mmio(PVHV_SCRATCH_MMIO_GPA, false, 4, &got));
    cr_expect_eq(got, 0xa5a5f00d);
    cr_assert(mmio(PVHV_SCRATCH_MMIO_GPA, false, 8, &wide));
    cr_expect_eq(wide, 0xa5a5f00dULL, "bytes past the register read 0: %#llx",
                 (unsigned long long)wide);
    v = 0xdeadbeef;
    cr_assert(mmio(PVHV_SCRATCH_MMIO_GPA + 0x800, true, 4, &v), "the whole page is the device's");
    cr_assert(mmio(PVHV_SCRATCH_MMIO_GPA + 0x800, false, 4, &got));
    cr_expect_eq(got, 0, "writes there vanish");
    /* The port and the page are one register. */
    pio(PVHV_SCRATCH_PORT, false, 4, 1, &got);
    cr_expect_eq(got, 0xa5a5f00d);
}

Test(pvbench, scratch_mmio_outside_or_malformed_is_not_served)
{
    uint64_t v = 0;

    cr_expect_not(mmio(PVHV_SCRATCH_MMIO_GPA - 4, false, 4, &v));
    cr_expect_not(mmio(PVHV_SCRATCH_MMIO_GPA + PVHV_SCRATCH_MMIO_SIZE, false, 4, &v));
    cr_expect_not(mmio(PVHV_SCRATCH_MMIO_GPA + PVHV_SCRATCH_MMIO_SIZE - 4, false, 8, &v),
                  "an access running off the page");
    struct kvm_run *r = &page.run;
    memset(&page, 0, sizeof(page));
    r->mmio.phys_addr = PVHV_SCRATCH_MMIO_GPA;
    r->mmio.len = 4096; /* KVM never sends this; a corrupt run must not overflow data[] */
    cr_expect_not(emul_scratch_mmio(r));
}

static void *other_vcpu(void *arg)
{
    uint32_t *got = arg;

    pio(PVHV_SCRATCH_PORT, false, 4, 1, got);
    return NULL;
}

Test(pvbench, scratch_register_is_per_vcpu_thread)
{
    uint32_t v = 77, got = 1;
    pthread_t t;

    pio(PVHV_SCRATCH_PORT, true, 4, 1, &v);
    cr_assert_eq(pthread_create(&t, NULL, other_vcpu, &got), 0);
    pthread_join(t, NULL);
    cr_expect_eq(got, 0, "another vCPU (thread) has its own register");
}
