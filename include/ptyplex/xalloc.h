/*
 * Allocation helpers. On failure they print one line and exit 125, so
 * callers never check. Zero sizes and overflowing n * size are refused.
 */
#ifndef PTYPLEX_XALLOC_H
#define PTYPLEX_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xreallocarray(void *ptr, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Formats into a new string; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
