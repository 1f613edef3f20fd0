/*
 * transcript: byte-exact copy of a child's pty output in DIR/NAME.log.
 *
 * The file is truncated when the session opens it and appended to across
 * restarts. A write that fails (disk full, RLIMIT_FSIZE) prints one warning
 * and turns that transcript off; the relay goes on.
 */
#ifndef PTYPLEX_TRANSCRIPT_H
#define PTYPLEX_TRANSCRIPT_H

#include <stddef.h>

struct transcript;

/* Creates dir (mode 0700) if missing. Returns -1 with *cause set. */
int transcript_make_dir(const char *dir, char **cause);
/* Returns NULL with *cause set if DIR/NAME.log cannot be opened. */
struct transcript *transcript_open(const char *dir, const char *name,
    char **cause);
void transcript_write(struct transcript *t, const void *buf, size_t len);
void transcript_free(struct transcript *t);

#endif
