/* mptable.c: the Intel MP table (MultiProcessor Specification 1.4), so that
 * a guest that finds its APICs the PC way (Linux without ACPI) sees the
 * vCPUs and KVM's in-kernel I/O APIC. */
#include <string.h>

#include <pvhv/pvhv_platform.h>

#include "mptable.h"

#define LAPIC_GPA 0xFEE00000U
#define LAPIC_VERSION 0x14 /* an integrated local APIC */
#define IOAPIC_VERSION 0x11
#define ISA_IRQS 16

/* The spec's structures, byte for byte. */
struct mpf {
    char signature[4]; /* "_MP_" */
    uint32_t physptr;  /* the configuration table */
    uint8_t length;    /* in 16-byte units: 1 */
    uint8_t spec_rev;  /* 4: version 1.4 */
    uint8_t checksum;
    uint8_t feature[5]; /* all 0: a configuration table follows */
} __attribute__((packed));
_Static_assert(sizeof(struct mpf) == 16, "MP floating pointer is 16 bytes");

struct mpc_header {
    char signature[4]; /* "PCMP" */
    uint16_t length;   /* header and entries */
    uint8_t spec_rev;
    uint8_t checksum;
    char oem[8];
    char product[12];
    uint32_t oem_ptr;
    uint16_t oem_size;
    uint16_t count;    /* entries */
    uint32_t lapic;    /* local APIC address */
    uint16_t ext_length;
    uint8_t ext_checksum;
    uint8_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct mpc_header) == 44, "MP configuration header is 44 bytes");

enum { MP_PROCESSOR, MP_BUS, MP_IOAPIC, MP_INTSRC, MP_LINTSRC };
enum { MP_INT = 0, MP_NMI = 1, MP_EXTINT = 3 };

struct mpc_cpu {
    uint8_t type, apicid, apicver, flags; /* flags: 1 enabled, 2 bootstrap */
    uint32_t signature, features;
    uint32_t reserved[2];
} __attribute__((packed));
_Static_assert(sizeof(struct mpc_cpu) == 20, "MP processor entry is 20 bytes");

struct mpc_bus {
    uint8_t type, busid;
    char name[6];
} __attribute__((packed));

struct mpc_ioapic {
    uint8_t type, apicid, apicver, flags;
    uint32_t addr;
} __attribute__((packed));

/* An I/O interrupt (MP_INTSRC) or local interrupt (MP_LINTSRC) entry. */
struct mpc_irq {
    uint8_t type, irqtype;
    uint16_t irqflag; /* 0: polarity and trigger as the bus says */
    uint8_t srcbus, srcbusirq, dstapic, dstirq;
} __attribute__((packed));
_Static_assert(sizeof(struct mpc_bus) == 8 && sizeof(struct mpc_ioapic) == 8 &&
                   sizeof(struct mpc_irq) == 8,
               "MP bus, I/O APIC and interrupt entries are 8 bytes");

uint8_t firmware_checksum(const void *p, size_t len)
{
    const uint8_t *b = p;
    uint8_t sum = 0;

    while (len--)
        sum += *b++;
    return (uint8_t)-sum;
}

void mptable_write(struct domain *d)
{
    /* 64 vCPUs take 1.5 KiB: past the last KiB of base memory, into the
     * reserved range above it (Linux follows physptr wherever it points). */
    size_t size = sizeof(struct mpf) + sizeof(struct mpc_header) +
                  d->nr_vcpus * sizeof(struct mpc_cpu) + sizeof(struct mpc_bus) +
                  sizeof(struct mpc_ioapic) + (ISA_IRQS + 2) * sizeof(struct mpc_irq);
    if (d->mem.low_bytes <= 0x100000 || size > 0x100000 - PVHV_MPTABLE_GPA)
        return;
    uint8_t *base = guest_mem_ptr(&d->mem, PVHV_MPTABLE_GPA, size);
    if (!base)
        return;
    memset(base, 0, size);

    struct mpf *mpf = (struct mpf *)base;
    struct mpc_header *h = (struct mpc_header *)(mpf + 1);
    uint8_t *p = (uint8_t *)(h + 1);
    uint8_t ioapic_id = (uint8_t)d->nr_vcpus; /* after the local APIC ids */
    uint16_t count = 0;

    for (unsigned i = 0; i < d->nr_vcpus; i++, count++) {
        struct mpc_cpu *c = (struct mpc_cpu *)p;
        *c = (struct mpc_cpu){ .type = MP_PROCESSOR, .apicid = (uint8_t)i,
                               .apicver = LAPIC_VERSION, .flags = i == 0 ? 3 : 1,
                               .signature = 0x600, .features = 0x201 /* FPU, APIC */ };
        p += sizeof(*c);
    }
    struct mpc_bus *bus = (struct mpc_bus *)p;
    *bus = (struct mpc_bus){ .type = MP_BUS, .busid = 0 };
    memcpy(bus->name, "ISA   ", 6);
    p += sizeof(*bus);
    count++;
    *(struct mpc_ioapic *)p = (struct mpc_ioapic){ .type = MP_IOAPIC, .apicid = ioapic_id,
                                                   .apicver = IOAPIC_VERSION, .flags = 1,
                                                   .addr = (uint32_t)PVHV_IOAPIC_GPA };
    p += sizeof(struct mpc_ioapic);
    count++;
    for (uint8_t irq = 0; irq < ISA_IRQS; irq++, count++) {
        *(struct mpc_irq *)p = (struct mpc_irq){ .type = MP_INTSRC, .irqtype = MP_INT,
                                                 .srcbus = 0, .srcbusirq = irq,
                                                 .dstapic = ioapic_id, .dstirq = irq };
        p += sizeof(struct mpc_irq);
    }
    /* Every local APIC (0xff): LINT0 takes the 8259's ExtINT, LINT1 NMI. */
    *(struct mpc_irq *)p = (struct mpc_irq){ .type = MP_LINTSRC, .irqtype = MP_EXTINT,
                                             .dstapic = 0xff, .dstirq = 0 };
    p += sizeof(struct mpc_irq);
    *(struct mpc_irq *)p = (struct mpc_irq){ .type = MP_LINTSRC, .irqtype = MP_NMI,
                                             .dstapic = 0xff, .dstirq = 1 };
    p += sizeof(struct mpc_irq);
    count += 2;

    memcpy(h->signature, "PCMP", 4);
    h->length = (uint16_t)(p - (uint8_t *)h);
    h->spec_rev = 4;
    memcpy(h->oem, "PVHV    ", 8);
    memcpy(h->product, "PVHV        ", 12);
    h->count = count;
    h->lapic = LAPIC_GPA;
    h->checksum = firmware_checksum(h, h->length);

    memcpy(mpf->signature, "_MP_", 4);
    mpf->physptr = (uint32_t)(PVHV_MPTABLE_GPA + sizeof(*mpf));
    mpf->length = 1;
    mpf->spec_rev = 4;
    mpf->checksum = firmware_checksum(mpf, sizeof(*mpf));
}
