/*
 * Procfile: one child per line, "name: command"; blank lines and lines
 * starting with '#' (after optional blanks) are skipped. Leading and
 * trailing blanks around name and command are trimmed.
 *
 * The name ends at the first ':'. CRLF line endings and a leading UTF-8 byte
 * order mark are tolerated. Comments are whole lines only: a '#' after a
 * command belongs to the command (where /bin/sh reads it as a comment).
 *
 * Errors come back in *cause (the caller frees it) as "FILE:LINE: reason",
 * e.g. "Procfile:3: missing ':' after the name"; names are checked as
 * spec_list_add() does. A Procfile without children is an error too,
 * "FILE: no children". On error the list is left as it was.
 */
#ifndef PTYPLEX_PROCFILE_H
#define PTYPLEX_PROCFILE_H

#include <stddef.h>

struct spec_list;

/*
 * Parses text (len bytes, need not be NUL-terminated; a NUL byte in a line is
 * an error) and appends its children to list.
 */
int procfile_parse(const char *text, size_t len, const char *filename,
    struct spec_list *list, char **cause);
/*
 * Reads path (a pipe will do) and parses it. An unreadable file is an error
 * in *cause ("Procfile: No such file or directory"), and so is one larger
 * than 1 MiB.
 */
int procfile_load(const char *path, struct spec_list *list, char **cause);

#endif
