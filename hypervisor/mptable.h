/* mptable.h: the Intel MP table pvhv gives every guest (pvhv_platform.h
 * says where and why). */
#ifndef PVHV_MPTABLE_H
#define PVHV_MPTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "domain.h"

/*
 * Write the MP floating pointer and configuration table at
 * PVHV_MPTABLE_GPA: one processor entry per vCPU (local APIC id = vCPU id,
 * vCPU 0 the bootstrap processor), an ISA bus, KVM's I/O APIC with ISA
 * IRQs 0-15 on its pins 0-15, and ExtINT/NMI on every local APIC's LINT0/1.
 * Does nothing when the domain has no RAM there (under 1 MiB of RAM).
 */
void mptable_write(struct domain *d);

/* The byte that makes `len` bytes at p sum to 0 mod 256: the checksum of
 * the MP spec's structures and of ACPI's tables alike. */
uint8_t firmware_checksum(const void *p, size_t len);

#endif /* PVHV_MPTABLE_H */
