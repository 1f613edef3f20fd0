/*
 * libFuzzer target for the script parser and its escape decoder.
 *
 * The input is a script. Checked:
 *   - on error: one line "fuzz.script:..." in *cause, no steps left;
 *   - on success: every step sane (a valid NAME where the step has one,
 *     line numbers rising, send data not empty, seconds within the limit,
 *     exit status and signal in range);
 *   - the steps' texts, one per line, parse again into the same steps;
 *   - script_unescape() of the whole input never writes more than it read.
 * Any failure aborts; leaks are caught by the fuzzer's leak checker.
 */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ptyplex/script.h"
#include "ptyplex/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_step(const struct script_step *st, const struct script_step *prev)
{
	if (st->text == NULL || strchr(st->text, '\n') != NULL ||
	    st->line == 0 || (prev != NULL && st->line <= prev->line))
		abort();
	if ((st->op == SCRIPT_SLEEP || st->op == SCRIPT_EXIT) !=
	    (st->name == NULL))
		abort();
	if (st->name != NULL && !spec_name_is_valid(st->name))
		abort();
	if (st->op == SCRIPT_SEND && (st->data == NULL || st->len == 0))
		abort();
	if (st->op == SCRIPT_EXPECT && (st->data == NULL || *st->data == '\0'))
		abort();
	if (st->ms > 86400000u)
		abort();
	if (st->op == SCRIPT_EXIT && (st->value < 0 || st->value > 255))
		abort();
	if (st->op == SCRIPT_SIGNAL && (st->value < 1 || st->value >= NSIG))
		abort();
}

static int
same_step(const struct script_step *a, const struct script_step *b)
{
	if (a->op != b->op || a->ms != b->ms || a->value != b->value ||
	    a->len != b->len || strcmp(a->text, b->text) != 0)
		return 0;
	if ((a->name == NULL) != (b->name == NULL) ||
	    (a->name != NULL && strcmp(a->name, b->name) != 0))
		return 0;
	if (a->op == SCRIPT_SEND)
		return memcmp(a->data, b->data, a->len) == 0;
	if (a->op == SCRIPT_EXPECT)
		return strcmp(a->data, b->data) == 0;
	return 1;
}

/* The steps' texts, one per line, parse into the same steps. */
static void
check_round_trip(const struct script *sc)
{
	struct script again;
	char *text, *p, *cause = NULL;
	size_t i, n = 0;

	for (i = 0; i < sc->count; i++)
		n += strlen(sc->steps[i].text) + 1;
	if ((text = malloc(n + 1)) == NULL)
		abort();
	p = text;
	for (i = 0; i < sc->count; i++) {
		n = strlen(sc->steps[i].text);
		memcpy(p, sc->steps[i].text, n);
		p += n;
		*p++ = '\n';
	}
	script_init(&again);
	if (script_parse(&again, text, p - text, "again", &cause) != 0)
		abort();
	if (again.count != sc->count)
		abort();
	for (i = 0; i < again.count; i++) {
		if (again.steps[i].line != i + 1 ||
		    !same_step(&again.steps[i], &sc->steps[i]))
			abort();
	}
	script_release(&again);
	free(text);
}

static void
check_unescape(const uint8_t *data, size_t size)
{
	char *dst = malloc(size + 1);
	char *why = NULL;
	long n;

	if (dst == NULL)
		abort();
	n = script_unescape((const char *)data, size, dst, &why);
	if (n == -1) {
		if (why == NULL || strchr(why, '\n') != NULL)
			abort();
		free(why);
	} else if (n < 0 || (size_t)n > size || why != NULL)
		abort();
	free(dst);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct script sc;
	char *cause = NULL;
	size_t i;

	script_init(&sc);
	if (script_parse(&sc, (const char *)data, size, "fuzz.script",
	    &cause) == -1) {
		if (cause == NULL || strncmp(cause, "fuzz.script:", 12) != 0 ||
		    strchr(cause, '\n') != NULL || sc.count != 0)
			abort();
		free(cause);
	} else {
		if (cause != NULL)
			abort();
		for (i = 0; i < sc.count; i++)
			check_step(&sc.steps[i], i > 0 ? &sc.steps[i - 1] :
			    NULL);
		check_round_trip(&sc);
	}
	script_release(&sc);
	check_unescape(data, size);
	return 0;
}
