/* emul_disk.c: the emulated disk: a PIO block device whose every register
 * access and data word is a trap to pvhv, and whose file I/O the trapping
 * vCPU thread does itself, synchronously (the classic trap-and-emulate
 * device, kept small so its cost is the traps, not the model). */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pvhv/errno.h>
#include <pvhv/pvhv_platform.h>

#include "domain.h"
#include "emul_disk.h"
#include "log.h"

#define BUF_BYTES (PVHV_EDISK_MAX_SECTORS * PVHV_EDISK_SECTOR)
/* KVM passes at most a page of string I/O data per exit. */
#define MAX_IO_BYTES 4096

enum xfer { XFER_NONE, XFER_READ, XFER_WRITE };

struct emul_disk {
    pthread_mutex_t lock;    /* every field below */
    int fd;
    bool readonly;
    bool direct;             /* fd is O_DIRECT */
    uint64_t sectors;
    uint32_t lba_lo, lba_hi, count;
    uint32_t status;         /* PVHV_EDISK_ST_* | err << PVHV_EDISK_ERR_SHIFT */
    enum xfer xfer;
    uint64_t xfer_lba;       /* where a WRITE's data goes */
    uint32_t pos, len;       /* bytes of the transfer moved so far, and in all */
    uint8_t *buf;            /* BUF_BYTES, page aligned (O_DIRECT) */
};

static void set_error(struct emul_disk *dk, uint32_t err)
{
    dk->xfer = XFER_NONE;
    dk->status = PVHV_EDISK_ST_READY | PVHV_EDISK_ST_ERROR | err << PVHV_EDISK_ERR_SHIFT;
}

/* Can `fd` do O_DIRECT I/O of 512 bytes at a 512-byte aligned address
 * (what the guest's sectors need)? The same probe as pvblkback's. */
static bool direct_works(int fd, uint8_t *buf)
{
    return pread(fd, buf + 512, 512, 0) >= 0 || errno != EINVAL;
}

/* Full pread/pwrite of len bytes at off; 0 or -errno. A read past the
 * end of a file that shrank since attach gives zeros, as a hole would. */
static int file_io(struct emul_disk *dk, bool write, uint64_t off, uint32_t len)
{
    for (uint32_t done = 0; done < len;) {
        ssize_t n = write ? pwrite(dk->fd, dk->buf + done, len - done, (off_t)(off + done))
                          : pread(dk->fd, dk->buf + done, len - done, (off_t)(off + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0) {
            if (write)
                return -EIO;
            memset(dk->buf + done, 0, len - done);
            return 0;
        }
        done += (uint32_t)n;
    }
    return 0;
}

/* Start command `cmd`; the status says how it went. */
static void command(struct emul_disk *dk, uint32_t cmd)
{
    uint64_t lba = (uint64_t)dk->lba_hi << 32 | dk->lba_lo;
    uint32_t err = 0;

    dk->xfer = XFER_NONE; /* a new command abandons any transfer */
    if (cmd == PVHV_EDISK_CMD_FLUSH)
        err = !dk->readonly && fdatasync(dk->fd) < 0 && errno != EINVAL ? PVHV_EDISK_ERR_IO : 0;
    else if (cmd != PVHV_EDISK_CMD_READ && cmd != PVHV_EDISK_CMD_WRITE)
        err = PVHV_EDISK_ERR_CMD;
    else if (dk->count == 0 || dk->count > PVHV_EDISK_MAX_SECTORS)
        err = PVHV_EDISK_ERR_COUNT;
    else if (lba > dk->sectors || dk->count > dk->sectors - lba) /* no overflowing sum */
        err = PVHV_EDISK_ERR_RANGE;
    else if (cmd == PVHV_EDISK_CMD_WRITE && dk->readonly)
        err = PVHV_EDISK_ERR_RO;
    if (err || cmd == PVHV_EDISK_CMD_FLUSH) {
        if (err)
            set_error(dk, err);
        else
            dk->status = PVHV_EDISK_ST_READY;
        return;
    }
    dk->pos = 0;
    dk->len = dk->count * PVHV_EDISK_SECTOR;
    dk->xfer_lba = lba;
    if (cmd == PVHV_EDISK_CMD_WRITE) {
        dk->xfer = XFER_WRITE;
        dk->status = PVHV_EDISK_ST_DRQ;
    } else if (file_io(dk, false, lba * PVHV_EDISK_SECTOR, dk->len) < 0) {
        set_error(dk, PVHV_EDISK_ERR_IO);
    } else {
        dk->xfer = XFER_READ;
        dk->status = PVHV_EDISK_ST_READY | PVHV_EDISK_ST_DRQ;
    }
}

/* `n` dwords through DATA: copied to or from the buffer while the transfer
 * lasts; the WRITE that fills it goes to the file. Words past the
 * transfer's end are a driver's mistake: PROTO. */
static void data(struct emul_disk *dk, uint8_t *io, uint32_t n, bool out)
{
    enum xfer want = out ? XFER_WRITE : XFER_READ;
    uint32_t room = dk->xfer == want ? (dk->len - dk->pos) / 4 : 0;
    uint32_t k = n < room ? n : room;

    if (out)
        memcpy(dk->buf + dk->pos, io, (size_t)k * 4);
    else
        memcpy(io, dk->buf + dk->pos, (size_t)k * 4);
    dk->pos += k * 4;
    if (k && dk->pos == dk->len) {
        dk->xfer = XFER_NONE;
        dk->status = PVHV_EDISK_ST_READY;
        if (out && file_io(dk, true, dk->xfer_lba * PVHV_EDISK_SECTOR, dk->len) < 0)
            set_error(dk, PVHV_EDISK_ERR_IO);
    }
    if (k < n) {
        if (!out)
            memset(io + (size_t)k * 4, 0xff, (size_t)(n - k) * 4);
        set_error(dk, PVHV_EDISK_ERR_PROTO);
    }
}

static uint32_t reg_read(struct emul_disk *dk, uint32_t off)
{
    switch (off) {
    case PVHV_EDISK_REG_ID: return PVHV_EDISK_ID;
    case PVHV_EDISK_REG_SIZE_LO: return (uint32_t)dk->sectors;
    case PVHV_EDISK_REG_SIZE_HI: return (uint32_t)(dk->sectors >> 32);
    case PVHV_EDISK_REG_FLAGS: return dk->readonly ? PVHV_EDISK_F_READONLY : 0;
    case PVHV_EDISK_REG_LBA_LO: return dk->lba_lo;
    case PVHV_EDISK_REG_LBA_HI: return dk->lba_hi;
    case PVHV_EDISK_REG_COUNT: return dk->count;
    case PVHV_EDISK_REG_STATUS: return dk->status;
    default: return ~0U;
    }
}

static void reg_write(struct emul_disk *dk, uint32_t off, uint32_t v)
{
    switch (off) {
    case PVHV_EDISK_REG_LBA_LO: dk->lba_lo = v; break;
    case PVHV_EDISK_REG_LBA_HI: dk->lba_hi = v; break;
    case PVHV_EDISK_REG_COUNT: dk->count = v; break;
    case PVHV_EDISK_REG_CMD: command(dk, v); break;
    default: break; /* read-only or reserved: ignored */
    }
}

bool emul_disk_pio(struct emul_disk *dk, struct kvm_run *run)
{
    uint16_t port = run->io.port;

    if (!dk || port < PVHV_EDISK_PORT || port >= PVHV_EDISK_PORT + PVHV_EDISK_PORT_SIZE)
        return false;
    uint8_t *io = (uint8_t *)run + run->io.data_offset;
    bool out = run->io.direction == KVM_EXIT_IO_OUT;
    uint32_t off = port - PVHV_EDISK_PORT, n = run->io.count;

    /* KVM never passes more than a page; a corrupt run must not make us
     * touch memory past it. */
    if (run->io.size == 0 || n > MAX_IO_BYTES / run->io.size)
        n = MAX_IO_BYTES / (run->io.size ? run->io.size : 1);
    if (run->io.size != 4) {
        if (!out)
            memset(io, 0xff, (size_t)run->io.size * n);
        return true;
    }
    pthread_mutex_lock(&dk->lock);
    if (off == PVHV_EDISK_REG_DATA) {
        data(dk, io, n, out);
    } else {
        for (uint32_t i = 0; i < n; i++) {
            uint32_t v;
            if (out) {
                memcpy(&v, io + (size_t)i * 4, 4);
                reg_write(dk, off, v);
            } else {
                v = reg_read(dk, off);
                memcpy(io + (size_t)i * 4, &v, 4);
            }
        }
    }
    pthread_mutex_unlock(&dk->lock);
    return true;
}

int emul_disk_new(int fd, bool readonly, struct emul_disk **out, char *why, size_t why_len)
{
    struct emul_disk *dk;
    struct stat st;
    uint64_t bytes = 0;
    char link[32];
    int flags = fcntl(fd, F_GETFL);

    if (flags < 0 || fstat(fd, &st) < 0) {
        snprintf(why, why_len, "cannot inspect the disk's descriptor: %s", strerror(errno));
        return -XEN_EBADF;
    }
    /* The reopen below must not gain access the sender's descriptor lacks. */
    if ((flags & O_ACCMODE) != O_RDWR && (!readonly || (flags & O_ACCMODE) != O_RDONLY)) {
        snprintf(why, why_len, readonly ? "the disk's descriptor must be readable"
                                        : "a writable disk needs a descriptor opened read-write");
        return -XEN_EACCES;
    }
    if (S_ISREG(st.st_mode)) {
        bytes = (uint64_t)st.st_size;
    } else if (S_ISBLK(st.st_mode)) {
        if (ioctl(fd, BLKGETSIZE64, &bytes) < 0) {
            snprintf(why, why_len, "cannot read the block device's size: %s", strerror(errno));
            return -XEN_EINVAL;
        }
    } else {
        snprintf(why, why_len, "the disk must be a regular file or a block device");
        return -XEN_EINVAL;
    }
    if (bytes < PVHV_EDISK_SECTOR) {
        snprintf(why, why_len, "the disk holds %llu bytes, less than one %d-byte sector",
                 (unsigned long long)bytes, PVHV_EDISK_SECTOR);
        return -XEN_EINVAL;
    }
    dk = calloc(1, sizeof(*dk));
    if (!dk || posix_memalign((void **)&dk->buf, 4096, BUF_BYTES) != 0) {
        free(dk);
        snprintf(why, why_len, "out of memory");
        return -XEN_ENOMEM;
    }
    /* O_DIRECT when the file takes our sector-sized I/O that way, as
     * pvblkback opens its images, so both disks see the same caching. On an
     * open file of our own (the magic link reopens the same inode), so the
     * sender's descriptor keeps its flags. */
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    dk->fd = open(link, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_DIRECT);
    dk->direct = dk->fd >= 0 && direct_works(dk->fd, dk->buf);
    if (!dk->direct) {
        if (dk->fd >= 0)
            close(dk->fd);
        dk->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    }
    if (dk->fd < 0) {
        snprintf(why, why_len, "cannot keep the disk's descriptor: %s", strerror(errno));
        free(dk->buf);
        free(dk);
        return -XEN_ENOMEM;
    }
    pthread_mutex_init(&dk->lock, NULL);
    dk->readonly = readonly;
    dk->sectors = bytes / PVHV_EDISK_SECTOR;
    dk->status = PVHV_EDISK_ST_READY;
    *out = dk;
    return 0;
}

void emul_disk_free(struct emul_disk *dk)
{
    if (!dk)
        return;
    close(dk->fd);
    pthread_mutex_destroy(&dk->lock);
    free(dk->buf);
    free(dk);
}

int emul_disk_attach(struct domain *d, int fd, bool readonly, char *why, size_t why_len)
{
    struct emul_disk *dk, *none = NULL;
    int r;

    if (emul_disk_of(d)) {
        snprintf(why, why_len, "domain %u has an emulated disk already (at most one)",
                 d->domid);
        return -XEN_EEXIST;
    }
    r = emul_disk_new(fd, readonly, &dk, why, why_len);
    if (r < 0)
        return r;
    /* Published under the lock so a destroy cannot slip between the check
     * and the store: the domain frees whatever it holds then. */
    pthread_mutex_lock(&d->lock);
    if (d->dying) {
        r = -XEN_ESRCH;
        snprintf(why, why_len, "domain %u is being destroyed", d->domid);
    } else if (!__atomic_compare_exchange_n(&d->emul_disk, &none, dk, false, __ATOMIC_RELEASE,
                                            __ATOMIC_RELAXED)) {
        r = -XEN_EEXIST;
        snprintf(why, why_len, "domain %u has an emulated disk already (at most one)",
                 d->domid);
    }
    pthread_mutex_unlock(&d->lock);
    if (r < 0) {
        emul_disk_free(dk);
        return r;
    }
    log_info("domain %u: emulated disk at port %#x: %llu sectors, %s, %s", d->domid,
             PVHV_EDISK_PORT, (unsigned long long)dk->sectors,
             readonly ? "read-only" : "read-write", dk->direct ? "O_DIRECT" : "buffered");
    return 0;
}

struct emul_disk *emul_disk_of(struct domain *d)
{
    return __atomic_load_n(&d->emul_disk, __ATOMIC_ACQUIRE);
}
