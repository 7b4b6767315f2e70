/* cmd_edisk.c: the `edisk` command: pvhv's emulated disk through edisk.c: info, verify, check, write-ro, hostile, fio. */
#include <pvfront/xenbus.h>

#include "edisk.h"
#include "fio.h"
#include "refguest.h"

/* Verify and check move the data through a buffer of at most this many bytes. */
#define DATA_MAX (1u << 20)

static struct edisk disk;

static int ed_read(void *dev, uint64_t sector, void *buf, size_t len)
{
    return edisk_read(dev, sector, buf, len);
}

static int ed_write(void *dev, uint64_t sector, const void *buf, size_t len)
{
    return edisk_write(dev, sector, buf, len);
}

static int ed_flush(void *dev)
{
    return edisk_flush(dev);
}

static const struct refguest_blkio io = { "edisk", &disk, ed_read, ed_write, ed_flush };

static void say(const char *what, uint32_t st)
{
    pvfront_printf("edisk: hostile %s status=%#x error=%s\n", what, st, edisk_error_name(st));
}

/* Requests the device must refuse, each with its error; then it must still work. */
static int hostile(uint8_t *buf)
{
    struct edisk *dk = &disk;

    say("range", edisk_raw_command(dk, dk->sectors, 1, PVHV_EDISK_CMD_READ));
    say("straddle", edisk_raw_command(dk, dk->sectors - 1, 2, PVHV_EDISK_CMD_READ));
    say("wrap", edisk_raw_command(dk, UINT64_MAX, 8, PVHV_EDISK_CMD_READ));
    say("count0", edisk_raw_command(dk, 0, 0, PVHV_EDISK_CMD_READ));
    say("count-big", edisk_raw_command(dk, 0, PVHV_EDISK_MAX_SECTORS + 1, PVHV_EDISK_CMD_READ));
    say("badcmd", edisk_raw_command(dk, 0, 1, 0x77));
    uint32_t v = edisk_reg_read(PVHV_EDISK_REG_DATA);
    pvfront_printf("edisk: hostile data-idle value=%#x\n", v);
    say("data-idle", edisk_reg_read(PVHV_EDISK_REG_STATUS));

    /* A WRITE abandoned half way by the next command leaves the disk as it was. */
    if (edisk_read(dk, 0, buf, 4096) < 0)
        return refguest_failed("edisk", "read", -XEN_EIO);
    uint32_t st = edisk_raw_command(dk, 0, 8, PVHV_EDISK_CMD_WRITE);
    for (unsigned int i = 0; i < 512 && (st & PVHV_EDISK_ST_DRQ); i++)
        edisk_reg_write(PVHV_EDISK_REG_DATA, ~((uint32_t *)buf)[i]);
    if (edisk_read(dk, 0, buf + 4096, 4096) < 0)
        return refguest_failed("edisk", "read", -XEN_EIO);
    pvfront_printf("edisk: hostile abandon write=%#x intact=%d\n", st,
                   !memcmp(buf, buf + 4096, 4096));

    if (edisk_read(dk, 0, buf, 4096) < 0)
        return refguest_failed("edisk", "sane read", -XEN_EIO);
    pvfront_printf("edisk: hostile sane-read ok\n");
    return 0;
}

int cmd_edisk(const struct pvfront_boot_info *bi)
{
    char op[16] = "info";
    uint64_t bytes = 0, seed = 1;
    int r;

    pvfront_cmdline_get("op", op, sizeof op);
    pvfront_cmdline_get_u64("bytes", &bytes);
    pvfront_cmdline_get_u64("seed", &seed);
    refguest_disk_arena(bi);
    if ((r = edisk_probe(&disk)) < 0) {
        pvfront_printf("edisk: no disk at port %#x\n", PVHV_EDISK_PORT);
        return 1;
    }
    pvfront_printf("edisk: sectors=%lu ro=%d port=%#x max-sectors=%u\n",
                   (unsigned long)disk.sectors, disk.ro, PVHV_EDISK_PORT,
                   PVHV_EDISK_MAX_SECTORS);

    int rw = !strcmp(op, "verify") || !strcmp(op, "check");
    if (rw &&
        (bytes == 0 || bytes % PVHV_EDISK_SECTOR || bytes / PVHV_EDISK_SECTOR > disk.sectors)) {
        pvfront_printf("edisk: bytes=N must be a positive multiple of 512, at most the disk\n");
        return 1;
    }
    size_t buf_len = rw ? (size_t)(bytes < DATA_MAX ? bytes : DATA_MAX) : 2 * 4096;
    uint8_t *buf = refguest_disk_take(buf_len);
    if (!buf) {
        pvfront_printf("edisk: not enough free RAM\n");
        return 1;
    }

    if (!strcmp(op, "info")) {
        r = 0;
    } else if (!strcmp(op, "verify")) {
        r = refguest_disk_verify(&io, buf, buf_len, bytes, seed);
    } else if (!strcmp(op, "check")) {
        r = refguest_disk_check(&io, buf, buf_len, bytes, seed, "check");
    } else if (!strcmp(op, "write-ro")) {
        memset(buf, 0x5e, 4096);
        r = edisk_write(&disk, 0, buf, 4096);
        if (r < 0)
            pvfront_printf("edisk: write refused: error=%s\n", edisk_error_name(disk.status));
        else
            pvfront_printf("edisk: write accepted\n");
        r = 0;
    } else if (!strcmp(op, "hostile")) {
        r = hostile(buf);
    } else if (!strcmp(op, "fio")) {
        struct fio_run run;
        r = fio_setup(&run) || fio_check_size(&run, disk.sectors * PVHV_EDISK_SECTOR, "edisk") ||
            fio_run_sync(&io, &run);
    } else {
        pvfront_printf("edisk: unknown op '%s' (info, verify, check, write-ro, hostile, fio)\n",
                       op);
        return 1;
    }
    pvfront_printf("edisk: stats commands=%lu errors=%lu\n", (unsigned long)disk.commands,
                   (unsigned long)disk.errors);
    if (r)
        return r;
    pvfront_printf("edisk: done\n");
    return 0;
}
