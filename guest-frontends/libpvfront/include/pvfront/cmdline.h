/* cmdline.h: reading key=value options from the kernel command line. */
#ifndef PVFRONT_CMDLINE_H
#define PVFRONT_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The command line is a list of words separated by spaces or tabs; a word
 * is `key=value` or a bare `key` (value ""). There is no quoting, so a
 * value never contains a space. The first word with a matching key wins.
 * libpvfront copies the line at boot (at most PVHV_CMDLINE_MAX - 1 bytes),
 * so these work for the kernel's whole life.
 */

/* pvfront_cmdline: the whole command line; "" if the loader gave none. */
const char *pvfront_cmdline(void);

/* pvfront_cmdline_has: true if some word has key `key` (with or without '='). */
bool pvfront_cmdline_has(const char *key);

/*
 * pvfront_cmdline_get: copy the value of `key` into val (len bytes, always
 * NUL-terminated when len > 0). Returns the value's full length (>= len
 * means it was cut), or -XEN_ENOENT if no word has that key.
 */
int pvfront_cmdline_get(const char *key, char *val, size_t len);

/*
 * pvfront_cmdline_get_u64: parse the value of `key` as an unsigned number:
 * decimal, or hexadecimal with a 0x prefix; an optional k/m/g suffix
 * multiplies by 2^10/2^20/2^30. Returns 0 and sets *out, -XEN_ENOENT if
 * the key is absent, -XEN_EINVAL if the value is not such a number or
 * overflows 64 bits (*out unchanged).
 */
int pvfront_cmdline_get_u64(const char *key, uint64_t *out);

#endif /* PVFRONT_CMDLINE_H */
