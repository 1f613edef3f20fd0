#include "ptyplex/procfile.h"

#include <stdlib.h>
#include <string.h>

#include "ptyplex/readfile.h"
#include "ptyplex/spec.h"
#include "ptyplex/xalloc.h"

/* A Procfile is a few lines; anything this big is the wrong file. */
#define PROCFILE_MAX (1024 * 1024)

static int procfile_line(const char *line, size_t len,
    struct spec_list *list, char **why);
static int procfile_is_blank(char c);
static void procfile_trim(const char **s, size_t *len);
static void procfile_unwind(struct spec_list *list, size_t count);

/*
 * On error the list is left as it was on entry, so the caller never sees
 * half a Procfile.
 */
int
procfile_parse(const char *text, size_t len, const char *filename,
    struct spec_list *list, char **cause)
{
	const char *p = text, *end = text + len, *eol;
	size_t start = list->count, lineno = 0;
	char *why;

	/* Some editors start a UTF-8 file with a byte order mark. */
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end) {
		lineno++;
		if ((eol = memchr(p, '\n', end - p)) == NULL)
			eol = end;
		if (procfile_line(p, eol - p, list, &why) == -1) {
			*cause = xasprintf("%s:%zu: %s", filename, lineno, why);
			free(why);
			procfile_unwind(list, start);
			return -1;
		}
		p = eol + 1;
	}
	if (list->count == start) {
		*cause = xasprintf("%s: no children", filename);
		return -1;
	}
	return 0;
}

/* Reads path whole (a pipe too, as from "-f <(...)") and parses it. */
int
procfile_load(const char *path, struct spec_list *list, char **cause)
{
	char *text;
	size_t len;
	int rc;

	if ((text = readfile("Procfile", path, PROCFILE_MAX, &len,
	    cause)) == NULL)
		return -1;
	rc = procfile_parse(text, len, path, list, cause);
	free(text);
	return rc;
}

/* One line without its '\n'. Sets *why (without file and line) on error. */
static int
procfile_line(const char *line, size_t len, struct spec_list *list,
    char **why)
{
	const char *colon, *name, *command;
	size_t name_len, command_len;
	char *name_copy, *command_copy;
	int rc;

	procfile_trim(&line, &len);
	if (len == 0 || *line == '#')
		return 0;
	/* Names and commands are C strings: a NUL would cut one silently. */
	if (memchr(line, '\0', len) != NULL) {
		*why = xstrdup("NUL byte in the line");
		return -1;
	}
	if ((colon = memchr(line, ':', len)) == NULL) {
		*why = xstrdup("missing ':' after the name");
		return -1;
	}
	name = line;
	name_len = colon - line;
	command = colon + 1;
	command_len = len - name_len - 1;
	procfile_trim(&name, &name_len);
	procfile_trim(&command, &command_len);

	name_copy = xstrndup(name, name_len);
	command_copy = xstrndup(command, command_len);
	rc = spec_list_add(list, name_copy, command_copy, why);
	free(command_copy);
	free(name_copy);
	return rc;
}

/* '\r' counts as a blank so that CRLF files parse like LF ones. */
static int
procfile_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static void
procfile_trim(const char **s, size_t *len)
{
	while (*len > 0 && procfile_is_blank((*s)[0])) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && procfile_is_blank((*s)[*len - 1]))
		(*len)--;
}

/* Drops the specs added after the first count. */
static void
procfile_unwind(struct spec_list *list, size_t count)
{
	while (list->count > count) {
		list->count--;
		free(list->items[list->count].name);
		free(list->items[list->count].command);
	}
}

