/* console_log.h: a domain's hypervisor console (console_io output), kept
 * as the last PVHV_CONSOLE_LOG_SIZE bytes of an endless byte stream. */
#ifndef PVHV_CONSOLE_LOG_H
#define PVHV_CONSOLE_LOG_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <pvhv/pvhv_control.h>

struct console_log {
    pthread_mutex_t lock;
    /* Input typed at the console, read with CONSOLEIO_read. */
    uint8_t in[PVHV_CONSOLE_INPUT_SIZE];
    uint32_t in_len;
    uint64_t end;                        /* stream offset after last byte */
    uint8_t buf[PVHV_CONSOLE_LOG_SIZE];  /* byte at offset o is buf[o % size] */
};

void console_log_init(struct console_log *cl);
void console_log_destroy(struct console_log *cl);

/* Append `len` bytes; the oldest bytes drop out when the log is full. */
void console_log_append(struct console_log *cl, const void *data, size_t len);

/* Queue console input; returns how many bytes fit. */
size_t console_input_put(struct console_log *cl, const void *data, size_t len);
/* Take up to `max` bytes of queued input into dst; returns how many. */
size_t console_input_take(struct console_log *cl, void *dst, size_t max);

/*
 * Copy up to `max` bytes from stream offset `offset` into `dst`. Bytes that
 * already dropped out are skipped: *first is set to the offset of the first
 * byte copied, *end to the stream end. Returns the number of bytes copied.
 */
size_t console_log_read(struct console_log *cl, uint64_t offset, void *dst,
                        size_t max, uint64_t *first, uint64_t *end);

#endif
