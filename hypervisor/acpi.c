/* acpi.c: a hardware-reduced ACPI platform, as a Xen toolstack gives a
 * PVH guest: the APICs (MADT), and the two registers Linux needs to power
 * off and to reset (FADT), with the _S5 object power-off looks up (DSDT).
 * Without them a stock kernel asked to power off can only halt. */
#include <string.h>

#include <pvhv/pvhv_platform.h>
#include <pvhv/sched.h>

#include "acpi.h"
#include "mptable.h"

#define OEM_ID "PVHV  "
#define OEM_TABLE "PVHVGST "

struct acpi_header {
    char signature[4];
    uint32_t length;
    uint8_t revision;
    uint8_t checksum;
    char oem_id[6];
    char oem_table_id[8];
    uint32_t oem_revision;
    char creator_id[4];
    uint32_t creator_revision;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_header) == 36, "ACPI table header is 36 bytes");

struct rsdp {
    char signature[8]; /* "RSD PTR " */
    uint8_t checksum;  /* of the first 20 bytes */
    char oem_id[6];
    uint8_t revision;  /* 2: XSDT */
    uint32_t rsdt;
    uint32_t length;
    uint64_t xsdt;
    uint8_t ext_checksum;
    uint8_t reserved[3];
} __attribute__((packed));
_Static_assert(sizeof(struct rsdp) == 36, "RSDP is 36 bytes");

/* Generic address structure: a register in I/O space here. */
struct gas {
    uint8_t space; /* 1: system I/O */
    uint8_t bit_width, bit_offset, access_size;
    uint64_t address;
} __attribute__((packed));
_Static_assert(sizeof(struct gas) == 12, "GAS is 12 bytes");

/* FADT revision 6, the fields pvhv sets by name, the rest zero. */
struct fadt {
    struct acpi_header h;
    uint32_t firmware_ctrl, dsdt;
    uint8_t reserved0, pm_profile;
    uint16_t sci_int;
    uint8_t legacy[61];       /* SMI command .. century: unused when hardware-reduced */
    uint16_t iapc_boot_arch;  /* offset 109: what PC hardware is there */
    uint8_t reserved1;
    uint32_t flags;           /* offset 112 */
    struct gas reset_reg;     /* 116 */
    uint8_t reset_value;      /* 128 */
    uint16_t arm_boot_arch;
    uint8_t minor_version;
    uint64_t x_firmware_ctrl, x_dsdt; /* 132, 140 */
    struct gas x_blocks[8];   /* 148: PM1a/b event and control, PM2, PM timer, GPE0/1 */
    struct gas sleep_control; /* 244 */
    struct gas sleep_status;  /* 256 */
    uint64_t hypervisor_id;   /* 268 */
} __attribute__((packed));
_Static_assert(sizeof(struct fadt) == 276, "FADT revision 6 is 276 bytes");
_Static_assert(__builtin_offsetof(struct fadt, iapc_boot_arch) == 109, "FADT IAPC_BOOT_ARCH at 109");
_Static_assert(__builtin_offsetof(struct fadt, flags) == 112, "FADT flags at 112");
_Static_assert(__builtin_offsetof(struct fadt, sleep_control) == 244, "FADT sleep control at 244");

#define FADT_RESET_REG_SUP (1U << 10)
#define FADT_HW_REDUCED    (1U << 20)
/* IA-PC boot architecture flags: no legacy devices, no 8042 (bits 0 and 1
 * clear), no VGA, and no CMOS RTC. Without the last Linux drives the RTC
 * at ports 0x70/0x71, where pvhv has none: reads of all-ones keep its
 * update-in-progress bit set, and a stock Linux guest made ~40,000 exits
 * to pvhv waiting on it during boot (measured in the SVM lab); the
 * wallclock comes from shared_info instead. */
#define FADT_BOOT_NO_VGA      (1U << 2)
#define FADT_BOOT_NO_CMOS_RTC (1U << 5)

struct madt_lapic {
    uint8_t type, length, processor_id, apic_id;
    uint32_t flags; /* 1: enabled */
} __attribute__((packed));

struct madt_ioapic {
    uint8_t type, length, id, reserved;
    uint32_t address, gsi_base;
} __attribute__((packed));
_Static_assert(sizeof(struct madt_lapic) == 8 && sizeof(struct madt_ioapic) == 12,
               "MADT entries are 8 and 12 bytes");

/* DSDT body: Name (_S5, Package (4) { 5, 0, 0, 0 }): S5 is SLP_TYP 5. */
#define S5_SLP_TYP 5
static const uint8_t dsdt_aml[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x07, 0x04,
                                    0x0A, S5_SLP_TYP, 0x00, 0x00, 0x00 };

#define SLP_EN (1U << 5)

static void header(struct acpi_header *h, const char *sig, uint32_t len, uint8_t rev)
{
    memcpy(h->signature, sig, 4);
    h->length = len;
    h->revision = rev;
    memcpy(h->oem_id, OEM_ID, 6);
    memcpy(h->oem_table_id, OEM_TABLE, 8);
    h->oem_revision = 1;
    memcpy(h->creator_id, "PVHV", 4);
    h->creator_revision = 1;
    h->checksum = 0;
    h->checksum = firmware_checksum(h, len);
}

static struct gas io_reg(uint16_t port)
{
    return (struct gas){ .space = 1, .bit_width = 8, .access_size = 1, .address = port };
}

uint64_t acpi_write(struct domain *d)
{
    size_t madt_len = sizeof(struct acpi_header) + 8 +
                      d->nr_vcpus * sizeof(struct madt_lapic) + sizeof(struct madt_ioapic);
    /* Laid out one after another, 16-byte aligned. */
    uint64_t rsdp_at = PVHV_ACPI_GPA, xsdt_at = rsdp_at + 48, fadt_at = xsdt_at + 64;
    uint64_t dsdt_at = fadt_at + 288, madt_at = dsdt_at + 64;
    size_t total = (size_t)(madt_at - rsdp_at) + madt_len;

    if (d->mem.low_bytes <= 0x100000 || total > PVHV_ACPI_SIZE)
        return 0;
    uint8_t *base = guest_mem_ptr(&d->mem, PVHV_ACPI_GPA, total);
    if (!base)
        return 0;
    memset(base, 0, total);
#define AT(gpa) (base + ((gpa) - PVHV_ACPI_GPA))

    uint8_t *dsdt = AT(dsdt_at);
    memcpy(dsdt + sizeof(struct acpi_header), dsdt_aml, sizeof(dsdt_aml));
    header((struct acpi_header *)dsdt, "DSDT", sizeof(struct acpi_header) + sizeof(dsdt_aml), 2);

    struct fadt *f = (struct fadt *)AT(fadt_at);
    f->dsdt = (uint32_t)dsdt_at;
    f->x_dsdt = dsdt_at;
    f->flags = FADT_HW_REDUCED | FADT_RESET_REG_SUP;
    f->iapc_boot_arch = FADT_BOOT_NO_VGA | FADT_BOOT_NO_CMOS_RTC;
    f->reset_reg = io_reg(PVHV_ACPI_RESET_PORT);
    f->reset_value = PVHV_ACPI_RESET_VALUE;
    f->sleep_control = io_reg(PVHV_ACPI_SLEEP_PORT);
    f->sleep_status = io_reg(PVHV_ACPI_SLEEP_PORT + 1);
    memcpy(&f->hypervisor_id, "PVHV\0\0\0\0", 8);
    header(&f->h, "FACP", sizeof(*f), 6);

    uint8_t *madt = AT(madt_at);
    uint32_t *lapic_addr = (uint32_t *)(madt + sizeof(struct acpi_header));
    lapic_addr[0] = 0xFEE00000U;
    lapic_addr[1] = 0; /* no 8259s to disable: the I/O APIC takes everything */
    uint8_t *p = madt + sizeof(struct acpi_header) + 8;
    for (unsigned i = 0; i < d->nr_vcpus; i++, p += sizeof(struct madt_lapic))
        *(struct madt_lapic *)p = (struct madt_lapic){ .type = 0, .length = 8,
                                                       .processor_id = (uint8_t)i,
                                                       .apic_id = (uint8_t)i, .flags = 1 };
    *(struct madt_ioapic *)p = (struct madt_ioapic){ .type = 1, .length = 12,
                                                     .id = (uint8_t)d->nr_vcpus,
                                                     .address = (uint32_t)PVHV_IOAPIC_GPA };
    header((struct acpi_header *)madt, "APIC", (uint32_t)madt_len, 4);

    uint8_t *xsdt = AT(xsdt_at);
    uint64_t entries[2] = { fadt_at, madt_at };
    memcpy(xsdt + sizeof(struct acpi_header), entries, sizeof(entries));
    header((struct acpi_header *)xsdt, "XSDT", sizeof(struct acpi_header) + sizeof(entries), 1);

    struct rsdp *r = (struct rsdp *)AT(rsdp_at);
    memcpy(r->signature, "RSD PTR ", 8);
    memcpy(r->oem_id, OEM_ID, 6);
    r->revision = 2;
    r->length = sizeof(*r);
    r->xsdt = xsdt_at;
    r->checksum = firmware_checksum(r, 20);
    r->ext_checksum = firmware_checksum(r, sizeof(*r));
#undef AT
    return rsdp_at;
}

bool acpi_port_write(struct domain *d, uint16_t port, uint8_t value)
{
    if (port == PVHV_ACPI_SLEEP_PORT) {
        /* Only S5 ends the domain; other sleep states are not offered. */
        if ((value & SLP_EN) && ((value >> 2) & 7) == S5_SLP_TYP)
            domain_shutdown(d, SHUTDOWN_poweroff);
        return true;
    }
    if (port == PVHV_ACPI_RESET_PORT) {
        if (value == PVHV_ACPI_RESET_VALUE)
            domain_shutdown(d, SHUTDOWN_reboot);
        return true;
    }
    return false;
}
