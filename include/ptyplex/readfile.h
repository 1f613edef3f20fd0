/*
 * readfile: a whole small text file (a Procfile, a script) into memory.
 *
 * Reads until EOF rather than trusting st_size, so pipes and /dev/stdin
 * work. A file larger than max bytes is refused. Errors come back in
 * *cause naming what the file is for: "Procfile x: No such file or
 * directory", "script s: larger than 1 MiB".
 */
#ifndef PTYPLEX_READFILE_H
#define PTYPLEX_READFILE_H

#include <stddef.h>

/* Returns the contents (the caller frees them) or NULL with *cause set. */
char *readfile(const char *what, const char *path, size_t max, size_t *len,
    char **cause);

#endif
