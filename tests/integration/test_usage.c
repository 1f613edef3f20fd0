/*
 * Bad input: exactly one line on stderr, "ptyplex: ...", naming the
 * problem, exit 125, and no child started.
 */
#include "harness.h"

#include <criterion/criterion.h>

#include <string.h>
#include <unistd.h>

TestSuite(usage, .init = h_setup, .fini = h_teardown, .timeout = 240);

/* A child command that leaves a trace if it is ever started. */
static const char *
marker(const char *name)
{
	return h_fmt("%s=touch %s/started", name, h_dir());
}

/* Runs ptyplex with args (NULL-terminated) and checks the usage error;
 * mention, if not NULL, must appear in the message. */
static void
expect_usage_error(const char *const *args, const char *mention)
{
	struct h_proc *p = h_start(NULL, args);
	const char *nl;
	char *words = h_fmt("%s", "");
	size_t i;

	for (i = 0; args[i] != NULL; i++)
		words = h_fmt("%s '%s'", words, args[i]);
	H_ASSERT_EXIT(p, 125);
	cr_assert_str_eq(p->out.data, "", "stdout not empty for%s\n%s", words,
	    h_context(p));
	nl = strchr(p->err.data, '\n');
	cr_assert(strncmp(p->err.data, "ptyplex: ", 9) == 0 && nl != NULL &&
	    nl[1] == '\0', "not exactly one \"ptyplex: \" line on stderr "
	    "for%s\n%s", words, h_context(p));
	if (mention != NULL)
		cr_assert_not_null(strstr(p->err.data, mention),
		    "the message does not name %s for%s\n%s", mention, words,
		    h_context(p));
	cr_assert_neq(access(h_path("started"), F_OK), 0,
	    "a child was started for%s", words);
}

#define EXPECT_USAGE_ERROR(mention, ...) \
	expect_usage_error((const char *const[]){ __VA_ARGS__, NULL }, \
	    (mention))

Test(usage, an_unknown_long_option)
{
	EXPECT_USAGE_ERROR("--bogus", "--bogus", marker("A"));
}

Test(usage, an_unknown_short_option)
{
	EXPECT_USAGE_ERROR("-Z", "-Z", marker("A"));
}

Test(usage, an_option_missing_its_value)
{
	EXPECT_USAGE_ERROR("--prefix", marker("A"), "--prefix");
}

Test(usage, no_child_at_all)
{
	EXPECT_USAGE_ERROR(NULL, "-q");
}

Test(usage, an_empty_name)
{
	EXPECT_USAGE_ERROR(NULL, h_fmt("=touch %s/started", h_dir()));
}

Test(usage, a_name_with_a_slash)
{
	EXPECT_USAGE_ERROR("a/b", marker("a/b"));
}

Test(usage, a_name_with_a_space)
{
	EXPECT_USAGE_ERROR("a b", marker("a b"));
}

Test(usage, a_name_longer_than_64_bytes)
{
	char name[70];

	memset(name, 'n', 65);
	name[65] = '\0';
	EXPECT_USAGE_ERROR(NULL, marker(name));
}

Test(usage, a_duplicate_name)
{
	EXPECT_USAGE_ERROR("A", marker("A"), marker("A"));
}

Test(usage, a_word_without_equals)
{
	EXPECT_USAGE_ERROR("hello", "hello");
}

Test(usage, a_word_without_equals_after_a_child)
{
	EXPECT_USAGE_ERROR("hello", marker("A"), "hello");
}

Test(usage, an_empty_command)
{
	EXPECT_USAGE_ERROR("A", "A=");
}

static void
expect_bad_values(const char *option, const char *const *values)
{
	size_t i;

	for (i = 0; values[i] != NULL; i++) {
		expect_usage_error((const char *const[]){ option, values[i],
		    marker("A"), NULL }, NULL);
	}
}

Test(usage, bad_size_values)
{
	expect_bad_values("--size", (const char *const[]){ "80", "80x",
	    "x24", "0x24", "80x0", "axb", "80x24x3", "-80x24", "80 x 24",
	    "99999999x24", "", NULL });
}

Test(usage, bad_prefix_values)
{
	expect_bad_values("--prefix", (const char *const[]){ "%q: ",
	    "trailing %", "%", NULL });
}

Test(usage, bad_color_values)
{
	expect_bad_values("--color", (const char *const[]){ "sometimes",
	    "", "yes please", NULL });
}

Test(usage, bad_flush_ms_values)
{
	expect_bad_values("--flush-ms", (const char *const[]){ "abc", "-1",
	    "10x", "", "99999999999999999999", NULL });
}

Test(usage, bad_max_line_values)
{
	expect_bad_values("--max-line", (const char *const[]){ "abc", "-5",
	    "0", "", NULL });
}

Test(usage, bad_kill_timeout_values)
{
	expect_bad_values("--kill-timeout", (const char *const[]){ "abc",
	    "-1", "", NULL });
}

Test(usage, input_naming_no_child)
{
	EXPECT_USAGE_ERROR("Z", "--input", "Z", marker("A"));
}

Test(usage, exit_with_naming_no_child)
{
	EXPECT_USAGE_ERROR("Z", "--exit-with", "Z", marker("A"));
}

Test(usage, a_missing_procfile)
{
	const char *path = h_path("no-such-Procfile");

	EXPECT_USAGE_ERROR("no-such-Procfile", "-f", path);
}

Test(usage, a_malformed_procfile_names_the_line)
{
	const char *path = h_path("Procfile");

	h_write_file(path, h_fmt("# children\nA: touch %s/started\n\n"
	    "this line has no colon\n", h_dir()));
	EXPECT_USAGE_ERROR("Procfile:4", "-f", path);
}

Test(usage, a_procfile_with_an_invalid_name_names_the_line)
{
	const char *path = h_path("Procfile");

	h_write_file(path, h_fmt("A: touch %s/started\nb/c: true\n",
	    h_dir()));
	EXPECT_USAGE_ERROR("Procfile:2", "-f", path);
}

Test(usage, a_procfile_with_a_duplicate_name_names_the_line)
{
	const char *path = h_path("Procfile");

	h_write_file(path, h_fmt("A: touch %s/started\nA: true\n", h_dir()));
	EXPECT_USAGE_ERROR("Procfile:2", "-f", path);
}

Test(usage, a_procfile_with_an_empty_command_names_the_line)
{
	const char *path = h_path("Procfile");

	h_write_file(path, h_fmt("A: touch %s/started\nB:\n", h_dir()));
	EXPECT_USAGE_ERROR("Procfile:2", "-f", path);
}

Test(usage, a_procfile_filter_naming_no_entry)
{
	const char *path = h_path("Procfile");

	h_write_file(path, h_fmt("A: touch %s/started\n", h_dir()));
	EXPECT_USAGE_ERROR("Z", "-f", path, "Z");
}

Test(usage, help_and_version_exit_0)
{
	struct h_proc *p = H_START(NULL, "--help");

	H_ASSERT_EXIT(p, 0);
	cr_assert_not_null(strstr(p->out.data, "ptyplex"), "%s",
	    h_context(p));
	p = H_START(NULL, "--version");
	H_ASSERT_EXIT(p, 0);
	cr_assert_neq(p->out.len, 0, "%s", h_context(p));
}
