/* edisk.c: the emulated disk's driver: registers and the DATA window by
 * port I/O, the classic PIO way (pvhv_platform.h has the device's rules). */
#include "edisk.h"

#define SECTOR PVHV_EDISK_SECTOR
#define DWORDS_PER_SECTOR (SECTOR / 4)

uint32_t edisk_reg_read(uint32_t reg)
{
    uint32_t v;

    __asm__ volatile("inl %w1, %0" : "=a"(v) : "d"(PVHV_EDISK_PORT + reg));
    return v;
}

void edisk_reg_write(uint32_t reg, uint32_t v)
{
    __asm__ volatile("outl %0, %w1" ::"a"(v), "d"(PVHV_EDISK_PORT + reg));
}

/*
 * The DATA window by string I/O: KVM's emulator hands pvhv up to 1 KiB of
 * `rep insl` per exit, and one element of `rep outsl` per exit (it has no
 * read-ahead for outs). It works the same from PVM's native mode: the
 * `rep ins/outs` traps like any port access and KVM emulates it whole.
 */
static void data_in(void *buf, uint32_t dwords)
{
    __asm__ volatile("cld; rep insl"
                     : "+D"(buf), "+c"(dwords)
                     : "d"(PVHV_EDISK_PORT + PVHV_EDISK_REG_DATA)
                     : "memory");
}

static void data_out(const void *buf, uint32_t dwords)
{
    __asm__ volatile("cld; rep outsl"
                     : "+S"(buf), "+c"(dwords)
                     : "d"(PVHV_EDISK_PORT + PVHV_EDISK_REG_DATA)
                     : "memory");
}

int edisk_probe(struct edisk *dk)
{
    memset(dk, 0, sizeof(*dk));
    if (edisk_reg_read(PVHV_EDISK_REG_ID) != PVHV_EDISK_ID)
        return -XEN_ENODEV;
    dk->sectors = (uint64_t)edisk_reg_read(PVHV_EDISK_REG_SIZE_HI) << 32 |
                  edisk_reg_read(PVHV_EDISK_REG_SIZE_LO);
    dk->ro = !!(edisk_reg_read(PVHV_EDISK_REG_FLAGS) & PVHV_EDISK_F_READONLY);
    dk->lba_hi = edisk_reg_read(PVHV_EDISK_REG_LBA_HI);
    dk->count = edisk_reg_read(PVHV_EDISK_REG_COUNT);
    return 0;
}

/* Start `cmd` on [lba, lba + count) and read the status it left. */
static uint32_t start(struct edisk *dk, uint64_t lba, uint32_t count, uint32_t cmd)
{
    edisk_reg_write(PVHV_EDISK_REG_LBA_LO, (uint32_t)lba);
    if (dk->lba_hi != (uint32_t)(lba >> 32)) {
        dk->lba_hi = (uint32_t)(lba >> 32);
        edisk_reg_write(PVHV_EDISK_REG_LBA_HI, dk->lba_hi);
    }
    if (dk->count != count) {
        dk->count = count;
        edisk_reg_write(PVHV_EDISK_REG_COUNT, count);
    }
    edisk_reg_write(PVHV_EDISK_REG_CMD, cmd);
    dk->commands++;
    return dk->status = edisk_reg_read(PVHV_EDISK_REG_STATUS);
}

static int failed(struct edisk *dk)
{
    dk->errors++;
    return -XEN_EIO;
}

uint32_t edisk_raw_command(struct edisk *dk, uint64_t lba, uint32_t count, uint32_t cmd)
{
    dk->lba_hi = ~(uint32_t)(lba >> 32); /* force all three writes */
    dk->count = ~count;
    return start(dk, lba, count, cmd);
}

/* READ or WRITE len bytes at lba, a command per PVHV_EDISK_MAX_SECTORS. */
static int transfer(struct edisk *dk, uint64_t lba, uint8_t *p, size_t len, bool write)
{
    if (len % SECTOR)
        return -XEN_EINVAL;
    for (size_t n = len / SECTOR; n;) {
        uint32_t c = n < PVHV_EDISK_MAX_SECTORS ? (uint32_t)n : PVHV_EDISK_MAX_SECTORS;
        uint32_t st = start(dk, lba, c, write ? PVHV_EDISK_CMD_WRITE : PVHV_EDISK_CMD_READ);
        if ((st & PVHV_EDISK_ST_ERROR) || !(st & PVHV_EDISK_ST_DRQ))
            return failed(dk);
        if (write) {
            data_out(p, c * DWORDS_PER_SECTOR);
            /* The last word's `out` wrote the sectors: did it work? */
            dk->status = edisk_reg_read(PVHV_EDISK_REG_STATUS);
            if (dk->status & PVHV_EDISK_ST_ERROR)
                return failed(dk);
        } else {
            data_in(p, c * DWORDS_PER_SECTOR);
        }
        p += (size_t)c * SECTOR;
        lba += c;
        n -= c;
    }
    return 0;
}

int edisk_read(struct edisk *dk, uint64_t lba, void *buf, size_t len)
{
    return transfer(dk, lba, buf, len, false);
}

int edisk_write(struct edisk *dk, uint64_t lba, const void *buf, size_t len)
{
    return transfer(dk, lba, (uint8_t *)(uintptr_t)buf, len, true); /* only read from */
}

int edisk_flush(struct edisk *dk)
{
    edisk_reg_write(PVHV_EDISK_REG_CMD, PVHV_EDISK_CMD_FLUSH);
    dk->commands++;
    dk->status = edisk_reg_read(PVHV_EDISK_REG_STATUS);
    return dk->status & PVHV_EDISK_ST_ERROR ? failed(dk) : 0;
}

const char *edisk_error_name(uint32_t status)
{
    static const char *const names[] = {
        [PVHV_EDISK_ERR_RANGE] = "RANGE", [PVHV_EDISK_ERR_COUNT] = "COUNT",
        [PVHV_EDISK_ERR_RO] = "RO",       [PVHV_EDISK_ERR_CMD] = "CMD",
        [PVHV_EDISK_ERR_IO] = "IO",       [PVHV_EDISK_ERR_PROTO] = "PROTO",
    };
    uint32_t e = (status >> PVHV_EDISK_ERR_SHIFT) & 0xff;

    if (!(status & PVHV_EDISK_ST_ERROR))
        return "none";
    return e < sizeof names / sizeof names[0] && names[e] ? names[e] : "?";
}
