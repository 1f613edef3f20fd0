#include "ptyplex/spec.h"

#include <stdlib.h>
#include <string.h>

#include "ptyplex/xalloc.h"

/* How much of a bad name an error message quotes. */
#define SPEC_QUOTE_MAX SPEC_NAME_MAX

static char *spec_quote(const char *s);
static int spec_is_blank(const char *s);

/* The name set is kept small so that names are safe in paths and messages. */
int
spec_name_is_valid(const char *name)
{
	size_t len;

	len = strlen(name);
	if (len == 0 || len > SPEC_NAME_MAX)
		return 0;
	return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789_.-") == len;
}

void
spec_list_init(struct spec_list *list)
{
	list->items = NULL;
	list->count = 0;
	list->alloc = 0;
}

/* Leaves the list empty and ready for reuse. */
void
spec_list_release(struct spec_list *list)
{
	size_t i;

	for (i = 0; i < list->count; i++) {
		free(list->items[i].name);
		free(list->items[i].command);
	}
	free(list->items);
	spec_list_init(list);
}

/* Lists hold a handful of children: a linear search is plenty. */
int
spec_list_find(const struct spec_list *list, const char *name)
{
	size_t i;

	for (i = 0; i < list->count; i++) {
		if (strcmp(list->items[i].name, name) == 0)
			return (int)i;
	}
	return -1;
}

/*
 * A blank command would make /bin/sh -c exit 0 at once, which is never what
 * the user meant, so it counts as empty.
 */
int
spec_list_add(struct spec_list *list, const char *name, const char *command,
    char **cause)
{
	struct child_spec *spec;
	char *quoted;

	if (*name == '\0') {
		*cause = xstrdup("empty child name");
		return -1;
	}
	if (!spec_name_is_valid(name)) {
		quoted = spec_quote(name);
		if (strlen(name) > SPEC_NAME_MAX) {
			*cause = xasprintf("child name '%s' is too long "
			    "(at most %d bytes)", quoted, SPEC_NAME_MAX);
		} else {
			*cause = xasprintf("invalid child name '%s' (use "
			    "letters, digits, '_', '.', '-')", quoted);
		}
		free(quoted);
		return -1;
	}
	if (spec_list_find(list, name) != -1) {
		*cause = xasprintf("duplicate child name '%s'", name);
		return -1;
	}
	if (spec_is_blank(command)) {
		*cause = xasprintf("empty command for child '%s'", name);
		return -1;
	}

	if (list->count == list->alloc) {
		list->alloc = list->alloc == 0 ? 8 : list->alloc * 2;
		list->items = xreallocarray(list->items, list->alloc,
		    sizeof *list->items);
	}
	spec = &list->items[list->count++];
	spec->name = xstrdup(name);
	spec->command = xstrdup(command);
	return 0;
}

/*
 * The name ends at the first '=', so a command may hold '=' freely. The
 * message quotes the whole word: it is what the user typed.
 */
int
spec_list_add_assignment(struct spec_list *list, const char *word,
    char **cause)
{
	const char *eq;
	char *name, *quoted;
	int rc;

	eq = strchr(word, '=');
	if (eq == NULL || eq == word) {
		quoted = spec_quote(word);
		*cause = xasprintf("'%s' is not NAME=COMMAND", quoted);
		free(quoted);
		return -1;
	}
	name = xstrndup(word, eq - word);
	rc = spec_list_add(list, name, eq + 1, cause);
	free(name);
	return rc;
}

/*
 * A copy of s fit to quote in a one-line message: bytes outside printable
 * ASCII become \xHH (a newline or an escape sequence must not reach the
 * terminal) and anything past SPEC_QUOTE_MAX bytes becomes "...".
 */
static char *
spec_quote(const char *s)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c;
	char *out, *p;
	size_t i;

	out = p = xmalloc(SPEC_QUOTE_MAX * 4 + sizeof "...");
	for (i = 0; s[i] != '\0' && i < SPEC_QUOTE_MAX; i++) {
		c = s[i];
		if (c >= 0x20 && c < 0x7f) {
			*p++ = c;
			continue;
		}
		*p++ = '\\';
		*p++ = 'x';
		*p++ = hex[c >> 4];
		*p++ = hex[c & 0xf];
	}
	if (s[i] != '\0')
		p = stpcpy(p, "...");
	*p = '\0';
	return out;
}

/* Blanks as the shell sees them between words. */
static int
spec_is_blank(const char *s)
{
	return s[strspn(s, " \t\n")] == '\0';
}
