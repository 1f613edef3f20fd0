#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptyplex/spec.h"

/* What every list must look like after any call, failed or not. */
static void
assert_sane_list(const struct spec_list *list)
{
	size_t i, j;

	cr_assert_leq(list->count, list->alloc);
	if (list->alloc > 0)
		cr_assert_not_null(list->items);
	for (i = 0; i < list->count; i++) {
		cr_assert(spec_name_is_valid(list->items[i].name),
		    "invalid name '%s' in the list", list->items[i].name);
		cr_assert_neq(list->items[i].command[0], '\0');
		for (j = i + 1; j < list->count; j++)
			cr_assert_str_neq(list->items[i].name,
			    list->items[j].name);
	}
}

/* Adds and expects failure with exactly want as the message. */
static void
assert_add_fails(struct spec_list *list, const char *name,
    const char *command, const char *want)
{
	size_t before = list->count;
	char *cause = NULL;

	cr_assert_eq(spec_list_add(list, name, command, &cause), -1);
	cr_assert_not_null(cause);
	cr_assert_str_eq(cause, want);
	cr_assert_eq(list->count, before);
	assert_sane_list(list);
	free(cause);
}

static void
assert_assignment_fails(struct spec_list *list, const char *word,
    const char *want)
{
	size_t before = list->count;
	char *cause = NULL;

	cr_assert_eq(spec_list_add_assignment(list, word, &cause), -1);
	cr_assert_not_null(cause);
	cr_assert_str_eq(cause, want);
	cr_assert_eq(list->count, before);
	assert_sane_list(list);
	free(cause);
}

static void
add_ok(struct spec_list *list, const char *name, const char *command)
{
	char *cause = NULL;

	cr_assert_eq(spec_list_add(list, name, command, &cause), 0,
	    "add %s failed: %s", name, cause ? cause : "?");
	cr_assert_null(cause);
	assert_sane_list(list);
}

Test(spec, name_accepts_letters_digits_and_punctuation)
{
	cr_assert(spec_name_is_valid("A"));
	cr_assert(spec_name_is_valid("web"));
	cr_assert(spec_name_is_valid("worker-2"));
	cr_assert(spec_name_is_valid("api_v1.test"));
	cr_assert(spec_name_is_valid("..."));
	cr_assert(spec_name_is_valid("-"));
	cr_assert(spec_name_is_valid("0"));
}

Test(spec, name_rejects_other_bytes)
{
	static const char *bad[] = {
		"", "a b", "a/b", "a=b", "a:b", "a\tb", "a\n", "caf\xc3\xa9",
		"a*", "$A", "a'b", "a\"b", " a", "a ", "\x7f", "a\\b",
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_not(spec_name_is_valid(bad[i]), "'%s' passed",
		    bad[i]);
}

Test(spec, name_length_limit_is_spec_name_max)
{
	char name[SPEC_NAME_MAX + 2];

	memset(name, 'x', SPEC_NAME_MAX);
	name[SPEC_NAME_MAX] = '\0';
	cr_assert(spec_name_is_valid(name));
	name[SPEC_NAME_MAX] = 'x';
	name[SPEC_NAME_MAX + 1] = '\0';
	cr_assert_not(spec_name_is_valid(name));
}

Test(spec, init_gives_an_empty_list)
{
	struct spec_list list;

	spec_list_init(&list);
	cr_assert_eq(list.count, 0);
	cr_assert_eq(spec_list_find(&list, "A"), -1);
	assert_sane_list(&list);
	spec_list_release(&list);
}

Test(spec, add_keeps_order_and_find_returns_the_index)
{
	struct spec_list list;

	spec_list_init(&list);
	add_ok(&list, "A", "python3 proc_a.py");
	add_ok(&list, "B", "python3 proc_b.py");
	add_ok(&list, "c.1", "sleep 1");
	cr_assert_eq(list.count, 3);
	cr_assert_str_eq(list.items[0].name, "A");
	cr_assert_str_eq(list.items[0].command, "python3 proc_a.py");
	cr_assert_str_eq(list.items[2].name, "c.1");
	cr_assert_eq(spec_list_find(&list, "A"), 0);
	cr_assert_eq(spec_list_find(&list, "B"), 1);
	cr_assert_eq(spec_list_find(&list, "c.1"), 2);
	cr_assert_eq(spec_list_find(&list, "a"), -1, "names are case-sensitive");
	cr_assert_eq(spec_list_find(&list, "C"), -1);
	cr_assert_eq(spec_list_find(&list, ""), -1);
	spec_list_release(&list);
}

Test(spec, add_copies_its_arguments)
{
	struct spec_list list;
	char name[] = "A", command[] = "echo hi";

	spec_list_init(&list);
	add_ok(&list, name, command);
	name[0] = 'Z';
	command[0] = 'X';
	cr_assert_str_eq(list.items[0].name, "A");
	cr_assert_str_eq(list.items[0].command, "echo hi");
	spec_list_release(&list);
}

Test(spec, add_grows_past_many_children)
{
	struct spec_list list;
	char name[32];
	int i;

	spec_list_init(&list);
	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof name, "child%d", i);
		add_ok(&list, name, "true");
	}
	cr_assert_eq(list.count, 200);
	cr_assert_eq(spec_list_find(&list, "child0"), 0);
	cr_assert_eq(spec_list_find(&list, "child199"), 199);
	spec_list_release(&list);
}

Test(spec, add_rejects_a_duplicate_name)
{
	struct spec_list list;

	spec_list_init(&list);
	add_ok(&list, "A", "true");
	assert_add_fails(&list, "A", "false", "duplicate child name 'A'");
	cr_assert_str_eq(list.items[0].command, "true", "first one kept");
	spec_list_release(&list);
}

Test(spec, add_rejects_an_invalid_name)
{
	struct spec_list list;

	spec_list_init(&list);
	assert_add_fails(&list, "a b", "true", "invalid child name 'a b' "
	    "(use letters, digits, '_', '.', '-')");
	assert_add_fails(&list, "x/y", "true", "invalid child name 'x/y' "
	    "(use letters, digits, '_', '.', '-')");
	spec_list_release(&list);
}

Test(spec, add_rejects_an_empty_name)
{
	struct spec_list list;

	spec_list_init(&list);
	assert_add_fails(&list, "", "true", "empty child name");
	spec_list_release(&list);
}

Test(spec, add_rejects_a_long_name_and_quotes_only_its_start)
{
	struct spec_list list;
	char name[1000], want[200];

	memset(name, 'n', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	snprintf(want, sizeof want, "child name '%.*s...' is too long "
	    "(at most %d bytes)", SPEC_NAME_MAX, name, SPEC_NAME_MAX);
	spec_list_init(&list);
	assert_add_fails(&list, name, "true", want);
	spec_list_release(&list);
}

/*
 * A name from argv or a Procfile may hold a newline or an escape sequence;
 * the message must stay one harmless line.
 */
Test(spec, bad_name_in_a_message_shows_unprintable_bytes_as_hex)
{
	struct spec_list list;

	spec_list_init(&list);
	assert_add_fails(&list, "a\nb\x1b[2J\xc3\xa9", "true",
	    "invalid child name 'a\\x0ab\\x1b[2J\\xc3\\xa9' "
	    "(use letters, digits, '_', '.', '-')");
	spec_list_release(&list);
}

Test(spec, add_rejects_an_empty_or_blank_command)
{
	struct spec_list list;

	spec_list_init(&list);
	assert_add_fails(&list, "A", "", "empty command for child 'A'");
	assert_add_fails(&list, "A", " \t \n", "empty command for child 'A'");
	add_ok(&list, "A", " x ");
	cr_assert_str_eq(list.items[0].command, " x ", "kept as given");
	spec_list_release(&list);
}

Test(spec, name_is_checked_before_command)
{
	struct spec_list list;

	spec_list_init(&list);
	assert_add_fails(&list, "a b", "", "invalid child name 'a b' "
	    "(use letters, digits, '_', '.', '-')");
	spec_list_release(&list);
}

Test(spec, assignment_splits_at_the_first_equals_sign)
{
	struct spec_list list;
	char *cause = NULL;

	spec_list_init(&list);
	cr_assert_eq(spec_list_add_assignment(&list,
	    "A=FOO=bar python3 proc_a.py", &cause), 0);
	cr_assert_null(cause);
	cr_assert_eq(list.count, 1);
	cr_assert_str_eq(list.items[0].name, "A");
	cr_assert_str_eq(list.items[0].command, "FOO=bar python3 proc_a.py");
	assert_sane_list(&list);
	spec_list_release(&list);
}

Test(spec, assignment_without_equals_sign_is_not_name_command)
{
	struct spec_list list;

	spec_list_init(&list);
	assert_assignment_fails(&list, "foo", "'foo' is not NAME=COMMAND");
	assert_assignment_fails(&list, "", "'' is not NAME=COMMAND");
	spec_list_release(&list);
}

Test(spec, assignment_with_nothing_before_equals_is_not_name_command)
{
	struct spec_list list;

	spec_list_init(&list);
	assert_assignment_fails(&list, "=ls", "'=ls' is not NAME=COMMAND");
	spec_list_release(&list);
}

Test(spec, assignment_reports_bad_name_duplicate_and_empty_command)
{
	struct spec_list list;
	char *cause = NULL;

	spec_list_init(&list);
	assert_assignment_fails(&list, "a b=ls", "invalid child name 'a b' "
	    "(use letters, digits, '_', '.', '-')");
	assert_assignment_fails(&list, "A=", "empty command for child 'A'");
	cr_assert_eq(spec_list_add_assignment(&list, "A=true", &cause), 0);
	assert_assignment_fails(&list, "A=false", "duplicate child name 'A'");
	spec_list_release(&list);
}

Test(spec, release_leaves_a_reusable_empty_list)
{
	struct spec_list list;

	spec_list_init(&list);
	spec_list_release(&list);
	add_ok(&list, "A", "true");
	spec_list_release(&list);
	cr_assert_eq(list.count, 0);
	cr_assert_null(list.items);
	cr_assert_eq(spec_list_find(&list, "A"), -1);
	add_ok(&list, "A", "true");
	cr_assert_eq(list.count, 1);
	spec_list_release(&list);
}
