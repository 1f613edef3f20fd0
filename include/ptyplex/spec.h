/*
 * Child specifications: a NAME and the COMMAND that /bin/sh -c runs.
 *
 * A NAME is [A-Za-z0-9_.-]+ (at most SPEC_NAME_MAX bytes); a COMMAND is not
 * empty or blank (only spaces, tabs, newlines). A spec list owns its strings
 * and keeps names unique, in the order they were added.
 *
 * Messages in *cause are one line without the "ptyplex: " prefix, e.g.
 * "duplicate child name 'A'"; a bad name is quoted with bytes outside
 * printable ASCII as \xHH and cut after SPEC_NAME_MAX bytes.
 */
#ifndef PTYPLEX_SPEC_H
#define PTYPLEX_SPEC_H

#include <stddef.h>

#define SPEC_NAME_MAX 64

struct child_spec {
	char *name;
	char *command;
};

struct spec_list {
	struct child_spec *items;
	size_t count;
	size_t alloc;
};

/* 1 if name is a valid NAME, else 0. */
int spec_name_is_valid(const char *name);

void spec_list_init(struct spec_list *list);
/* Frees every spec; the list is then empty and may be reused. */
void spec_list_release(struct spec_list *list);
/* Index of the spec named name, or -1. */
int spec_list_find(const struct spec_list *list, const char *name);
/*
 * Adds a copy of name and command. Returns -1 and sets *cause (the caller
 * frees it) for an invalid or duplicate name or an empty command.
 */
int spec_list_add(struct spec_list *list, const char *name,
    const char *command, char **cause);
/*
 * Parses "NAME=COMMAND" (the name ends at the first '=') and adds it, as
 * spec_list_add(). A word without '=' or with nothing before it gives
 * "'WORD' is not NAME=COMMAND".
 */
int spec_list_add_assignment(struct spec_list *list, const char *word,
    char **cause);

#endif
