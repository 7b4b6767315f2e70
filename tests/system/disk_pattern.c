/* disk_pattern.c: see disk_pattern.h. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <unistd.h>

#include "disk_pattern.h"

uint64_t disk_pattern(uint64_t seed, uint64_t off)
{
    uint64_t z = seed * 0x9E3779B97F4A7C15ULL + off / 8;

    z ^= z >> 30;
    z *= 0xbf58476d1ce4e5b9ULL;
    z ^= z >> 27;
    z *= 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return z;
}

long long disk_pattern_check(const char *path, uint64_t n, uint64_t seed, uint64_t size)
{
    static uint64_t buf[1 << 17];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    uint64_t off = 0;

    cr_assert_geq(fd, 0, "cannot open %s", path);
    while (off < size) {
        ssize_t got = pread(fd, buf, sizeof(buf), (off_t)off);
        cr_assert_gt(got, 0, "%s: short at %llu", path, (unsigned long long)off);
        for (ssize_t i = 0; i < got / 8; i++) {
            uint64_t o = off + (uint64_t)i * 8;
            if (buf[i] != (o < n ? disk_pattern(seed, o) : 0)) {
                close(fd);
                return (long long)o;
            }
        }
        off += (uint64_t)got;
    }
    close(fd);
    return -1;
}
