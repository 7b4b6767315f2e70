/* test_firmware_tables.c: the MP table and ACPI tables pvhv writes below
 * 1 MiB: found where a guest looks, checksummed, pointing at each other,
 * one entry per vCPU, and the _S5 object power-off needs. */
#include <criterion/criterion.h>
#include <string.h>

#include <pvhv/pvhv_platform.h>

#include "acpi.h"
#include "domain.h"
#include "mptable.h"

static struct domain d;

static void setup(void)
{
    memset(&d, 0, sizeof(d));
    cr_assert_eq(guest_mem_init(&d.mem, 64 << 20, "test"), 0);
    d.nr_vcpus = 3;
}

static void teardown(void)
{
    guest_mem_release(&d.mem);
}

TestSuite(firmware_tables, .init = setup, .fini = teardown);

static uint8_t *at(uint64_t gpa, uint64_t len)
{
    uint8_t *p = guest_mem_ptr(&d.mem, gpa, len);
    cr_assert_not_null(p, "0x%lx+%lu is not guest memory", (unsigned long)gpa,
                       (unsigned long)len);
    return p;
}

static uint8_t sum(const uint8_t *p, size_t len)
{
    uint8_t s = 0;
    while (len--)
        s += *p++;
    return s;
}

static uint32_t u32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint64_t u64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* A table at gpa with signature `sig`: checksummed over its length. */
static const uint8_t *table(uint64_t gpa, const char *sig)
{
    const uint8_t *t = at(gpa, 36);
    cr_assert_eq(memcmp(t, sig, 4), 0, "no %s at 0x%lx", sig, (unsigned long)gpa);
    uint32_t len = u32(t + 4);
    cr_assert_eq(sum(at(gpa, len), len), 0, "%s checksum", sig);
    return t;
}

Test(firmware_tables, mp_table_lists_every_vcpu_and_the_io_apic)
{
    mptable_write(&d);
    const uint8_t *mpf = at(PVHV_MPTABLE_GPA, 16);
    cr_assert_eq(memcmp(mpf, "_MP_", 4), 0);
    cr_expect_eq(sum(mpf, 16), 0, "floating pointer checksum");
    uint32_t cfg = u32(mpf + 4);
    const uint8_t *h = at(cfg, 44);
    cr_assert_eq(memcmp(h, "PCMP", 4), 0);
    uint16_t len, count;
    memcpy(&len, h + 4, 2);
    memcpy(&count, h + 34, 2);
    cr_expect_eq(sum(at(cfg, len), len), 0, "configuration table checksum");
    unsigned cpus = 0, ioapics = 0;
    const uint8_t *e = h + 44;
    for (unsigned i = 0; i < count; i++) {
        if (e[0] == 0) {
            cr_expect_eq(e[1], cpus, "processor %u's APIC id", cpus);
            cr_expect_eq(e[3] & 2, cpus == 0 ? 2 : 0, "only vCPU 0 is the bootstrap CPU");
            cpus++;
        } else if (e[0] == 2) {
            cr_expect_eq(u32(e + 4), (uint32_t)PVHV_IOAPIC_GPA);
            ioapics++;
        }
        e += e[0] == 0 ? 20 : 8;
    }
    cr_expect_eq(cpus, 3);
    cr_expect_eq(ioapics, 1);
    cr_expect_eq((size_t)(e - h), len, "entries fill the table exactly");
}

Test(firmware_tables, acpi_rsdp_xsdt_fadt_dsdt_madt)
{
    uint64_t rsdp = acpi_write(&d);
    cr_assert_eq(rsdp, PVHV_ACPI_GPA);
    const uint8_t *r = at(rsdp, 36);
    cr_assert_eq(memcmp(r, "RSD PTR ", 8), 0);
    cr_expect_eq(sum(r, 20), 0, "RSDP checksum");
    cr_expect_eq(sum(r, 36), 0, "RSDP extended checksum");

    const uint8_t *x = table(u64(r + 24), "XSDT");
    uint32_t n = (u32(x + 4) - 36) / 8;
    cr_assert_eq(n, 2);
    const uint8_t *fadt = table(u64(x + 36), "FACP");
    const uint8_t *madt = table(u64(x + 44), "APIC");

    /* Hardware-reduced, with a reset register; sleep control at our port. */
    cr_expect(u32(fadt + 112) & (1U << 20), "not hardware-reduced");
    cr_expect_eq(u64(fadt + 116 + 4), PVHV_ACPI_RESET_PORT);
    cr_expect_eq(fadt[128], PVHV_ACPI_RESET_VALUE);
    cr_expect_eq(u64(fadt + 244 + 4), PVHV_ACPI_SLEEP_PORT);
    /* IAPC_BOOT_ARCH: no CMOS RTC (pvhv has none at 0x70; Linux would poll
     * it), no VGA, no 8042, no legacy devices. */
    uint16_t boot_arch = (uint16_t)(fadt[109] | fadt[110] << 8);
    cr_expect_eq(boot_arch, (1U << 5) | (1U << 2), "IAPC_BOOT_ARCH %#x", boot_arch);
    const uint8_t *dsdt = table(u64(fadt + 140), "DSDT");
    cr_expect_eq(u32(fadt + 40), (uint32_t)u64(fadt + 140), "DSDT and X_DSDT differ");
    cr_expect_not_null(memmem(dsdt + 36, u32(dsdt + 4) - 36, "_S5_", 4), "no _S5 in the DSDT");

    unsigned lapics = 0, ioapics = 0;
    for (const uint8_t *e = madt + 44; e < madt + u32(madt + 4); e += e[1]) {
        cr_assert_gt(e[1], 0);
        if (e[0] == 0) {
            cr_expect_eq(e[3], lapics, "local APIC id");
            cr_expect_eq(u32(e + 4) & 1, 1, "vCPU %u not enabled", lapics);
            lapics++;
        } else if (e[0] == 1) {
            cr_expect_eq(u32(e + 4), (uint32_t)PVHV_IOAPIC_GPA);
            ioapics++;
        }
    }
    cr_expect_eq(lapics, 3);
    cr_expect_eq(ioapics, 1);
}

Test(firmware_tables, not_under_one_mib_of_ram)
{
    struct domain small = { .nr_vcpus = 1 };
    cr_assert_eq(guest_mem_init(&small.mem, 1 << 20, "small"), 0);
    cr_expect_eq(acpi_write(&small), 0);
    mptable_write(&small); /* writes nothing: nowhere to write it */
    guest_mem_release(&small.mem);
}

Test(firmware_tables, ports_that_are_not_acpi_pass_through)
{
    cr_expect(!acpi_port_write(&d, 0x80, 0x34));
    cr_expect(!acpi_port_write(&d, PVHV_ACPI_SLEEP_PORT + 1, 0x80));
}
