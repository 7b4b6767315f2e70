/* string.h: the string and memory functions libpvfront provides (freestanding). */
#ifndef PVFRONT_STRING_H
#define PVFRONT_STRING_H

#include <stddef.h>

/*
 * Standard C semantics. They keep their standard names because the
 * compiler emits calls to memset/memcpy/memmove/memcmp by itself
 * (structure copies, zeroing); a kernel linking libpvfront must not define
 * them again.
 */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

#endif /* PVFRONT_STRING_H */
