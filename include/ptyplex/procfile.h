/*
 * Procfile: one child per line, "name: command"; blank lines and lines
 * starting with '#' (after optional blanks) are skipped. Leading and
 * trailing blanks around name and command are trimmed.
 *
 * Errors come back in *cause (the caller frees it) as "FILE:LINE: reason",
 * e.g. "Procfile:3: missing ':' after the name".
 */
#ifndef PTYPLEX_PROCFILE_H
#define PTYPLEX_PROCFILE_H

#include <stddef.h>

struct spec_list;

/* Parses text (len bytes, need not be NUL-terminated) into list. */
int procfile_parse(const char *text, size_t len, const char *filename,
    struct spec_list *list, char **cause);
/* Reads path and parses it; an unreadable file is an error in *cause. */
int procfile_load(const char *path, struct spec_list *list, char **cause);

#endif
