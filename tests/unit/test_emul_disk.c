/* test_emul_disk.c: the emulated disk's registers and commands as a guest
 * drives them, through port I/O exits fed straight to emul_disk_pio (no
 * KVM): reads and writes against a real file, the errors each bad command
 * gets, `rep` strings, and what is not the disk's to serve. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pvhv/errno.h>
#include <pvhv/pvhv_platform.h>

#include "emul_disk.h"

#define DATA_OFFSET 4096
#define SECTORS 64 /* the test image: 32 KiB */

static union {
    struct kvm_run run;
    uint8_t bytes[2 * DATA_OFFSET];
} page;

static char path[] = "/tmp/pvhv-edisk-XXXXXX";
static int fd = -1;
static struct emul_disk *dk;

/* A file of SECTORS sectors, byte i = i * 7 + 1 (mod 256). */
static void image(void)
{
    static uint8_t img[SECTORS * 512];

    for (size_t i = 0; i < sizeof(img); i++)
        img[i] = (uint8_t)(i * 7 + 1);
    fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, img, sizeof(img)), (ssize_t)sizeof(img));
}

static void setup_rw(void)
{
    char why[256];

    image();
    cr_assert_eq(emul_disk_new(fd, false, &dk, why, sizeof(why)), 0, "%s", why);
}

static void teardown(void)
{
    emul_disk_free(dk);
    dk = NULL;
    if (fd >= 0)
        close(fd);
    fd = -1;
    unlink(path);
    strcpy(path, "/tmp/pvhv-edisk-XXXXXX");
}

TestSuite(emul_disk, .init = setup_rw, .fini = teardown);

/* One exit: `count` elements of 4 bytes at register `reg`. */
static bool pio(struct emul_disk *d, uint16_t port, bool out, uint8_t size, uint32_t count,
                void *data)
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
        memcpy(page.bytes + DATA_OFFSET, data, (size_t)size * count);
    bool ours = emul_disk_pio(d, r);
    if (!out && ours)
        memcpy(data, page.bytes + DATA_OFFSET, (size_t)size * count);
    return ours;
}

static uint32_t rd(uint32_t reg)
{
    uint32_t v = 0;

    cr_assert(pio(dk, PVHV_EDISK_PORT + reg, false, 4, 1, &v));
    return v;
}

static void wr(uint32_t reg, uint32_t v)
{
    cr_assert(pio(dk, PVHV_EDISK_PORT + reg, true, 4, 1, &v));
}

/* Set LBA and COUNT, start cmd; the status right after. */
static uint32_t command(uint64_t lba, uint32_t count, uint32_t cmd)
{
    wr(PVHV_EDISK_REG_LBA_LO, (uint32_t)lba);
    wr(PVHV_EDISK_REG_LBA_HI, (uint32_t)(lba >> 32));
    wr(PVHV_EDISK_REG_COUNT, count);
    wr(PVHV_EDISK_REG_CMD, cmd);
    return rd(PVHV_EDISK_REG_STATUS);
}

static uint32_t error_status(uint32_t err)
{
    return PVHV_EDISK_ST_READY | PVHV_EDISK_ST_ERROR | err << PVHV_EDISK_ERR_SHIFT;
}

static uint8_t file_byte(off_t off)
{
    uint8_t b = 0;

    cr_assert_eq(pread(fd, &b, 1, off), 1);
    return b;
}

Test(emul_disk, identifies_itself_with_size_and_flags)
{
    cr_expect_eq(rd(PVHV_EDISK_REG_ID), PVHV_EDISK_ID);
    cr_expect_eq(rd(PVHV_EDISK_REG_SIZE_LO), SECTORS);
    cr_expect_eq(rd(PVHV_EDISK_REG_SIZE_HI), 0);
    cr_expect_eq(rd(PVHV_EDISK_REG_FLAGS), 0);
    cr_expect_eq(rd(PVHV_EDISK_REG_STATUS), PVHV_EDISK_ST_READY);
    cr_expect_eq(rd(0x24), 0xffffffffu, "reserved registers read all-ones");
    wr(PVHV_EDISK_REG_ID, 0);
    cr_expect_eq(rd(PVHV_EDISK_REG_ID), PVHV_EDISK_ID, "ID ignores writes");
    uint16_t narrow = 0;
    cr_assert(pio(dk, PVHV_EDISK_PORT, false, 2, 1, &narrow), "a 2-byte access is still ours");
    cr_expect_eq(narrow, 0xffff, "but reads all-ones");
    wr(PVHV_EDISK_REG_LBA_LO, 5);
    uint8_t b = 9;
    cr_assert(pio(dk, PVHV_EDISK_PORT + PVHV_EDISK_REG_LBA_LO, true, 1, 1, &b));
    cr_expect_eq(rd(PVHV_EDISK_REG_LBA_LO), 5, "a byte write is ignored");
}

Test(emul_disk, read_through_rep_insl_in_kvm_sized_pieces)
{
    uint8_t got[2 * 512];

    cr_expect_eq(command(3, 2, PVHV_EDISK_CMD_READ), PVHV_EDISK_ST_READY | PVHV_EDISK_ST_DRQ);
    /* KVM's emulator hands `rep insl` over 256 dwords at most per exit. */
    cr_assert(pio(dk, PVHV_EDISK_PORT + PVHV_EDISK_REG_DATA, false, 4, 200, got));
    cr_expect_eq(rd(PVHV_EDISK_REG_STATUS) & PVHV_EDISK_ST_DRQ, PVHV_EDISK_ST_DRQ);
    cr_assert(pio(dk, PVHV_EDISK_PORT + PVHV_EDISK_REG_DATA, false, 4, 56, got + 800));
    for (size_t i = 0; i < sizeof(got); i++)
        cr_assert_eq(got[i], (uint8_t)((3 * 512 + i) * 7 + 1), "byte %zu", i);
    cr_expect_eq(rd(PVHV_EDISK_REG_STATUS), PVHV_EDISK_ST_READY, "DRQ clears with the last word");
    cr_expect_eq(rd(PVHV_EDISK_REG_LBA_LO), 3, "LBA keeps its value");
    cr_expect_eq(rd(PVHV_EDISK_REG_COUNT), 2, "COUNT keeps its value");
}

Test(emul_disk, write_one_dword_an_exit_lands_on_the_last)
{
    cr_expect_eq(command(10, 1, PVHV_EDISK_CMD_WRITE), PVHV_EDISK_ST_DRQ);
    for (uint32_t i = 0; i < 128; i++) {
        uint32_t v = 0xa5000000u | i;
        wr(PVHV_EDISK_REG_DATA, v);
        if (i == 126)
            cr_expect_eq(file_byte(10 * 512), (uint8_t)(10 * 512 * 7 + 1),
                         "nothing is written before the last word");
    }
    cr_expect_eq(rd(PVHV_EDISK_REG_STATUS), PVHV_EDISK_ST_READY);
    cr_expect_eq(file_byte(10 * 512), 0x00);
    cr_expect_eq(file_byte(10 * 512 + 3), 0xa5);
    cr_expect_eq(file_byte(10 * 512 + 4 * 127), 127);
    cr_expect_eq(file_byte(11 * 512), (uint8_t)(11 * 512 * 7 + 1), "the next sector untouched");
    cr_expect_eq(command(0, 1, PVHV_EDISK_CMD_FLUSH), PVHV_EDISK_ST_READY);
}

Test(emul_disk, bad_commands_get_their_error_and_touch_nothing)
{
    cr_expect_eq(command(SECTORS, 1, PVHV_EDISK_CMD_READ), error_status(PVHV_EDISK_ERR_RANGE));
    cr_expect_eq(command(SECTORS - 1, 2, PVHV_EDISK_CMD_WRITE),
                 error_status(PVHV_EDISK_ERR_RANGE), "straddling the end");
    cr_expect_eq(command(UINT64_MAX, 8, PVHV_EDISK_CMD_READ), error_status(PVHV_EDISK_ERR_RANGE),
                 "LBA + COUNT wraps");
    cr_expect_eq(command(0, 0, PVHV_EDISK_CMD_READ), error_status(PVHV_EDISK_ERR_COUNT));
    cr_expect_eq(command(0, PVHV_EDISK_MAX_SECTORS + 1, PVHV_EDISK_CMD_READ),
                 error_status(PVHV_EDISK_ERR_COUNT));
    cr_expect_eq(command(0, 1, 0x77), error_status(PVHV_EDISK_ERR_CMD));
    /* DATA with no transfer: all-ones in, words out dropped, PROTO. */
    uint32_t v = 0x12345678;
    cr_expect_eq(rd(PVHV_EDISK_REG_DATA), 0xffffffffu);
    cr_expect_eq(rd(PVHV_EDISK_REG_STATUS), error_status(PVHV_EDISK_ERR_PROTO));
    wr(PVHV_EDISK_REG_DATA, v);
    cr_expect_eq(file_byte(0), 1);
    /* and the device still works */
    cr_expect_eq(command(SECTORS - 1, 1, PVHV_EDISK_CMD_READ),
                 PVHV_EDISK_ST_READY | PVHV_EDISK_ST_DRQ);
}

Test(emul_disk, words_past_the_transfer_are_a_protocol_error)
{
    uint32_t words[129];

    cr_expect_eq(command(0, 1, PVHV_EDISK_CMD_READ), PVHV_EDISK_ST_READY | PVHV_EDISK_ST_DRQ);
    cr_assert(pio(dk, PVHV_EDISK_PORT + PVHV_EDISK_REG_DATA, false, 4, 129, words));
    uint32_t want = 0;
    for (int b = 3; b >= 0; b--)
        want = want << 8 | (uint8_t)((508 + b) * 7 + 1);
    cr_expect_eq(words[127], want, "%#x", words[127]); /* bytes 508..511 */
    cr_expect_eq(words[128], 0xffffffffu);
    cr_expect_eq(rd(PVHV_EDISK_REG_STATUS), error_status(PVHV_EDISK_ERR_PROTO));
}

Test(emul_disk, an_abandoned_write_leaves_the_disk_as_it_was)
{
    cr_expect_eq(command(0, 1, PVHV_EDISK_CMD_WRITE), PVHV_EDISK_ST_DRQ);
    for (uint32_t i = 0; i < 64; i++)
        wr(PVHV_EDISK_REG_DATA, 0);
    cr_expect_eq(command(0, 1, PVHV_EDISK_CMD_READ), PVHV_EDISK_ST_READY | PVHV_EDISK_ST_DRQ);
    cr_expect_eq(rd(PVHV_EDISK_REG_DATA) & 0xff, 1, "sector 0 unchanged");
    cr_expect_eq(file_byte(0), 1);
}

Test(emul_disk, not_its_ports_nor_without_a_disk)
{
    uint32_t v = 0x5a5a5a5a;

    cr_expect_not(pio(dk, PVHV_EDISK_PORT - 4, false, 4, 1, &v));
    cr_expect_not(pio(dk, PVHV_EDISK_PORT + PVHV_EDISK_PORT_SIZE, false, 4, 1, &v));
    cr_expect_not(pio(dk, PVHV_SCRATCH_PORT, true, 4, 1, &v));
    cr_expect_not(pio(NULL, PVHV_EDISK_PORT, false, 4, 1, &v), "no disk: not ours");
    cr_expect_eq(page.bytes[DATA_OFFSET], 0, "an access that is not ours is left untouched");
}

Test(emul_disk, a_corrupt_count_stays_within_a_page)
{
    struct kvm_run *r = &page.run;

    cr_expect_eq(command(0, PVHV_EDISK_MAX_SECTORS, PVHV_EDISK_CMD_READ) & PVHV_EDISK_ST_ERROR,
                 PVHV_EDISK_ST_ERROR, "past the 64-sector image");
    cr_expect_eq(command(0, SECTORS, PVHV_EDISK_CMD_READ), PVHV_EDISK_ST_READY | PVHV_EDISK_ST_DRQ);
    memset(&page, 0, sizeof(page));
    r->io.direction = KVM_EXIT_IO_IN;
    r->io.size = 4;
    r->io.port = PVHV_EDISK_PORT + PVHV_EDISK_REG_DATA;
    r->io.count = 1u << 20; /* KVM never sends this */
    r->io.data_offset = DATA_OFFSET;
    cr_assert(emul_disk_pio(dk, r)); /* ASan would catch a write past page.bytes */
    cr_expect_eq(rd(PVHV_EDISK_REG_STATUS) & PVHV_EDISK_ST_DRQ, PVHV_EDISK_ST_DRQ,
                 "4 KiB moved, 28 KiB still to come");
}

/* Disks made by the test itself. */
TestSuite(emul_disk_new, .init = image, .fini = teardown);

Test(emul_disk_new, refuses_what_is_not_a_disk)
{
    char why[256];
    struct emul_disk *d = NULL;
    int dir = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int ro = open(path, O_RDONLY | O_CLOEXEC);

    cr_expect_eq(emul_disk_new(dir, true, &d, why, sizeof(why)), -XEN_EINVAL);
    cr_expect(strstr(why, "regular file or a block device"), "%s", why);
    cr_expect_eq(emul_disk_new(ro, false, &d, why, sizeof(why)), -XEN_EACCES);
    cr_expect(strstr(why, "read-write"), "%s", why);
    int wo = open(path, O_WRONLY | O_CLOEXEC);
    cr_expect_eq(emul_disk_new(wo, true, &d, why, sizeof(why)), -XEN_EACCES);
    cr_expect(strstr(why, "readable"), "%s", why);
    close(wo);
    cr_assert_eq(ftruncate(fd, 100), 0);
    cr_expect_eq(emul_disk_new(fd, true, &d, why, sizeof(why)), -XEN_EINVAL);
    cr_expect(strstr(why, "less than one"), "%s", why);
    close(dir);
    close(ro);
}

Test(emul_disk_new, read_only_refuses_writes)
{
    char why[256];
    int ro = open(path, O_RDONLY | O_CLOEXEC);

    cr_assert_eq(emul_disk_new(ro, true, &dk, why, sizeof(why)), 0, "%s", why);
    close(ro); /* the disk keeps its own copy */
    cr_expect_eq(rd(PVHV_EDISK_REG_FLAGS), PVHV_EDISK_F_READONLY);
    cr_expect_eq(command(0, 1, PVHV_EDISK_CMD_WRITE), error_status(PVHV_EDISK_ERR_RO));
    wr(PVHV_EDISK_REG_DATA, 0);
    cr_expect_eq(file_byte(0), 1);
    cr_expect_eq(command(0, 1, PVHV_EDISK_CMD_READ), PVHV_EDISK_ST_READY | PVHV_EDISK_ST_DRQ,
                 "reads still work");
    cr_expect_eq(command(0, 1, PVHV_EDISK_CMD_FLUSH), PVHV_EDISK_ST_READY);
}
