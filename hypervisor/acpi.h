/* acpi.h: the ACPI tables pvhv gives every guest (pvhv_platform.h says
 * where), and the two registers behind them. */
#ifndef PVHV_ACPI_H
#define PVHV_ACPI_H

#include <stdbool.h>
#include <stdint.h>

#include "domain.h"

/*
 * Write RSDP, XSDT, FADT, DSDT and MADT at PVHV_ACPI_GPA. Returns the
 * RSDP's guest-physical address for hvm_start_info.rsdp_paddr, or 0 when
 * the domain has no RAM there (under 1 MiB of RAM).
 */
uint64_t acpi_write(struct domain *d);

/*
 * A guest wrote `value` to I/O port `port`. When it is the FADT's sleep
 * control register asking for S5 (power off) or its reset register asking
 * for a reset, shut the domain down with that reason and return true;
 * otherwise return false (the write is not ACPI's).
 */
bool acpi_port_write(struct domain *d, uint16_t port, uint8_t value);

#endif /* PVHV_ACPI_H */
