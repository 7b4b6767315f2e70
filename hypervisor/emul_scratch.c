/* emul_scratch.c: the pvbench scratch register: a 32-bit register per vCPU
 * behind a port and an MMIO page, so a trap-and-emulate device access can
 * be timed beside a PV ring (bench/pvbench). */
#include <stdint.h>
#include <string.h>

#include <pvhv/pvhv_platform.h>

#include "emul_scratch.h"

/*
 * The register. Each vCPU has its own thread for its whole life (vcpu.c),
 * so a thread-local value is exactly "one register per vCPU": no lock, and
 * nothing another domain can reach.
 */
static __thread uint32_t scratch;

/*
 * Move `len` bytes between the register and `data`, starting at byte
 * `off` of the device window. Bytes past the register read `fill` and
 * ignore writes.
 */
static void reg_access(uint64_t off, uint8_t *data, uint32_t len, bool write, uint8_t fill)
{
    uint8_t *reg = (uint8_t *)&scratch; /* little-endian, as the guest's view */

    for (uint32_t i = 0; i < len; i++) {
        bool in_reg = off + i < sizeof(scratch);
        if (write) {
            if (in_reg)
                reg[off + i] = data[i];
        } else {
            data[i] = in_reg ? reg[off + i] : fill;
        }
    }
}

bool emul_scratch_pio(struct kvm_run *run)
{
    uint16_t port = run->io.port;

    if (port < PVHV_SCRATCH_PORT || port >= PVHV_SCRATCH_PORT + PVHV_SCRATCH_PORT_SIZE)
        return false;
    /* KVM puts count elements of `size` bytes inside the kvm_run mapping;
     * `rep ins/outs` repeat the same port. */
    uint8_t *data = (uint8_t *)run + run->io.data_offset;
    bool write = run->io.direction == KVM_EXIT_IO_OUT;
    for (uint32_t i = 0; i < run->io.count; i++)
        reg_access(port - PVHV_SCRATCH_PORT, data + (size_t)i * run->io.size, run->io.size,
                   write, 0xff);
    return true;
}

bool emul_scratch_mmio(struct kvm_run *run)
{
    uint64_t addr = run->mmio.phys_addr;
    uint32_t len = run->mmio.len;

    /* KVM splits accesses at page boundaries and never passes more than
     * 8 bytes; anything else is not ours to guess at. */
    if (addr < PVHV_SCRATCH_MMIO_GPA || addr >= PVHV_SCRATCH_MMIO_GPA + PVHV_SCRATCH_MMIO_SIZE ||
        len > sizeof(run->mmio.data) || len > PVHV_SCRATCH_MMIO_GPA + PVHV_SCRATCH_MMIO_SIZE - addr)
        return false;
    reg_access(addr - PVHV_SCRATCH_MMIO_GPA, run->mmio.data, len, run->mmio.is_write, 0);
    return true;
}
