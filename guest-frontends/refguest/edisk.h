/* edisk.h: a driver for pvhv's emulated disk (pvhv_platform.h,
 * PVHV_EDISK_PORT): port I/O only, one command at a time, each access a
 * trap to pvhv. Freestanding, as the rest of the guest. */
#ifndef REFGUEST_EDISK_H
#define REFGUEST_EDISK_H

#include <pvfront/pvfront.h>

struct edisk {
    uint64_t sectors;
    int ro;
    /* What LBA_HI and COUNT hold: the registers keep their values, so a
     * driver writes them only when they change (fewer traps). */
    uint32_t lba_hi, count;
    uint32_t status;   /* the last STATUS read */
    uint64_t commands; /* commands issued */
    uint64_t errors;   /* commands that ended in ERROR */
};

/*
 * Find the disk: read ID, SIZE and FLAGS. 0, or -XEN_ENODEV when nothing
 * answers at PVHV_EDISK_PORT (the domain has no emulated disk).
 */
int edisk_probe(struct edisk *dk);

/*
 * Move `len` bytes (a multiple of 512) at sector `lba`, in commands of at
 * most PVHV_EDISK_MAX_SECTORS. 0, or -XEN_EIO when the device reports an
 * error (dk->status holds it, PVHV_EDISK_ERR_* in bits 8..15), -XEN_EINVAL
 * for a length the device cannot take.
 */
int edisk_read(struct edisk *dk, uint64_t lba, void *buf, size_t len);
int edisk_write(struct edisk *dk, uint64_t lba, const void *buf, size_t len);
/* Everything written so far to stable storage. 0 or -XEN_EIO. */
int edisk_flush(struct edisk *dk);

/*
 * One raw command, for tests of the device itself: set LBA and COUNT as
 * given (all three registers written), start `cmd`, and return STATUS
 * right after. No data moves.
 */
uint32_t edisk_raw_command(struct edisk *dk, uint64_t lba, uint32_t count, uint32_t cmd);

/* Raw register access (a 4-byte in/out at PVHV_EDISK_PORT + reg). */
uint32_t edisk_reg_read(uint32_t reg);
void edisk_reg_write(uint32_t reg, uint32_t v);

/* "RANGE", "RO", ... for a STATUS value's error field ("none" if clear). */
const char *edisk_error_name(uint32_t status);

#endif /* REFGUEST_EDISK_H */
