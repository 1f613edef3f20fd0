/*
 * libFuzzer target for the Procfile parser.
 *
 * The input is a Procfile. Odd-sized inputs are parsed into a list that
 * already holds one child, to exercise duplicates against earlier entries
 * and the unwinding on error. Checked:
 *   - on error: one line "Procfile:..." in *cause, the list as it was;
 *   - on success: at least one child added, every name valid and unique,
 *     every command non-empty with no line end and no blanks at either end;
 *   - writing the children back as "name: command" lines and parsing that
 *     gives the same children.
 * Any failure aborts; leaks are caught by the fuzzer's leak checker.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ptyplex/procfile.h"
#include "ptyplex/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static void
check_cause(const char *cause)
{
	if (cause == NULL || strncmp(cause, "Procfile:", 9) != 0 ||
	    strchr(cause, '\n') != NULL)
		abort();
}

static void
check_list(const struct spec_list *list)
{
	const char *command;
	size_t i, j, len;

	if (list->count > list->alloc)
		abort();
	for (i = 0; i < list->count; i++) {
		if (!spec_name_is_valid(list->items[i].name))
			abort();
		command = list->items[i].command;
		len = strlen(command);
		if (len == 0 || strchr(command, '\n') != NULL ||
		    is_blank(command[0]) || is_blank(command[len - 1]))
			abort();
		for (j = i + 1; j < list->count; j++) {
			if (strcmp(list->items[i].name,
			    list->items[j].name) == 0)
				abort();
		}
	}
}

/* The children from index start on, as Procfile text; caller frees. */
static char *
write_back(const struct spec_list *list, size_t start, size_t *len)
{
	size_t i, n = 0, off = 0;
	char *text;

	for (i = start; i < list->count; i++)
		n += strlen(list->items[i].name) + 2 +
		    strlen(list->items[i].command) + 1;
	if ((text = malloc(n + 1)) == NULL)
		abort();
	for (i = start; i < list->count; i++) {
		n = strlen(list->items[i].name);
		memcpy(text + off, list->items[i].name, n);
		off += n;
		memcpy(text + off, ": ", 2);
		off += 2;
		n = strlen(list->items[i].command);
		memcpy(text + off, list->items[i].command, n);
		off += n;
		text[off++] = '\n';
	}
	*len = off;
	return text;
}

static void
check_round_trip(const struct spec_list *list, size_t start)
{
	struct spec_list again;
	char *text, *cause = NULL;
	size_t len, i;

	text = write_back(list, start, &len);
	spec_list_init(&again);
	if (procfile_parse(text, len, "Procfile", &again, &cause) != 0)
		abort();
	if (again.count != list->count - start)
		abort();
	for (i = 0; i < again.count; i++) {
		if (strcmp(again.items[i].name,
		    list->items[start + i].name) != 0 ||
		    strcmp(again.items[i].command,
		    list->items[start + i].command) != 0)
			abort();
	}
	spec_list_release(&again);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spec_list list;
	char *cause = NULL;
	size_t start;

	spec_list_init(&list);
	if (size % 2 == 1 && spec_list_add(&list, "web", "serve", &cause) != 0)
		abort();
	start = list.count;

	if (procfile_parse((const char *)data, size, "Procfile", &list,
	    &cause) == -1) {
		check_cause(cause);
		free(cause);
		if (list.count != start)
			abort();
		if (start == 1 && (strcmp(list.items[0].name, "web") != 0 ||
		    strcmp(list.items[0].command, "serve") != 0))
			abort();
	} else {
		if (cause != NULL || list.count <= start)
			abort();
		check_list(&list);
		check_round_trip(&list, start);
	}
	spec_list_release(&list);
	return 0;
}
