/*
 * The --prefix format: "%n" name, "%p" pid, "%t" local time HH:MM:SS.mmm,
 * "%%" a percent sign; any other '%' sequence is an error. Pure.
 *
 * A compiled prefix is rendered once per line into a caller buffer; when
 * the format has no %t the caller may cache the rendering per child.
 */
#ifndef PTYPLEX_PREFIX_H
#define PTYPLEX_PREFIX_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

/* Longest rendering: literal text is limited to this too. */
#define PREFIX_MAX 512

struct prefix;

/* Returns NULL and sets *cause (caller frees) for a bad format. */
struct prefix *prefix_compile(const char *format, char **cause);
void prefix_free(struct prefix *prefix);
/* Whether the rendering changes with time (the format has %t). */
int prefix_uses_time(const struct prefix *prefix);
/*
 * Writes the prefix for a child into out (PREFIX_MAX bytes at least) and
 * returns its length, without a terminating NUL. pid <= 0 renders as "-".
 */
size_t prefix_render(const struct prefix *prefix, char *out,
    const char *name, pid_t pid, const struct timespec *now);
/* "HH:MM:SS.mmm" in local time into out (13 bytes at least, NUL added). */
void prefix_format_time(char *out, const struct timespec *now);

#endif
