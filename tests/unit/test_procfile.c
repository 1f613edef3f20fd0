#include <criterion/criterion.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ptyplex/procfile.h"
#include "ptyplex/spec.h"

/* What every list must look like after any call, failed or not. */
static void
assert_sane_list(const struct spec_list *list)
{
	size_t i, j;

	cr_assert_leq(list->count, list->alloc);
	for (i = 0; i < list->count; i++) {
		cr_assert(spec_name_is_valid(list->items[i].name));
		cr_assert_neq(list->items[i].command[0], '\0');
		for (j = i + 1; j < list->count; j++)
			cr_assert_str_neq(list->items[i].name,
			    list->items[j].name);
	}
}

static void
assert_spec(const struct spec_list *list, size_t i, const char *name,
    const char *command)
{
	cr_assert_lt(i, list->count);
	cr_assert_str_eq(list->items[i].name, name);
	cr_assert_str_eq(list->items[i].command, command);
}

/* Parses a C string that must be a good Procfile. */
static void
parse_ok(struct spec_list *list, const char *text)
{
	char *cause = NULL;

	cr_assert_eq(procfile_parse(text, strlen(text), "Procfile", list,
	    &cause), 0, "parse failed: %s", cause ? cause : "?");
	cr_assert_null(cause);
	assert_sane_list(list);
}

/* Parses len bytes that must fail with exactly want, leaving list as is. */
static void
assert_parse_fails_len(const char *text, size_t len, const char *want)
{
	struct spec_list list;
	char *cause = NULL;

	spec_list_init(&list);
	cr_assert_eq(procfile_parse(text, len, "Procfile", &list, &cause), -1);
	cr_assert_not_null(cause);
	cr_assert_str_eq(cause, want);
	cr_assert_eq(list.count, 0);
	free(cause);
	spec_list_release(&list);
}

static void
assert_parse_fails(const char *text, const char *want)
{
	assert_parse_fails_len(text, strlen(text), want);
}

/* A private directory per test: Criterion runs tests in parallel. */
static char *
make_tmpdir(void)
{
	const char *tmp = getenv("TMPDIR");
	char *dir;

	cr_assert_neq(asprintf(&dir, "%s/test_procfile.XXXXXX",
	    tmp != NULL && tmp[0] == '/' ? tmp : "/tmp"), -1);
	cr_assert_not_null(mkdtemp(dir));
	return dir;
}

static char *
write_file(const char *dir, const char *name, const char *text, size_t len)
{
	char *path;
	FILE *f;

	cr_assert_neq(asprintf(&path, "%s/%s", dir, name), -1);
	cr_assert_not_null(f = fopen(path, "w"));
	cr_assert_eq(fwrite(text, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
	return path;
}

static void
remove_tmpdir(char *dir, char *path)
{
	if (path != NULL) {
		unlink(path);
		free(path);
	}
	rmdir(dir);
	free(dir);
}

Test(procfile, parses_name_colon_command_lines_in_order)
{
	struct spec_list list;

	spec_list_init(&list);
	parse_ok(&list, "web: python3 -m http.server\nworker: ./work --fast\n");
	cr_assert_eq(list.count, 2);
	assert_spec(&list, 0, "web", "python3 -m http.server");
	assert_spec(&list, 1, "worker", "./work --fast");
	spec_list_release(&list);
}

Test(procfile, skips_comments_and_blank_lines)
{
	struct spec_list list;

	spec_list_init(&list);
	parse_ok(&list, "# the servers\n\n   \n\t# indented: comment\n"
	    "A: a\n\n#B: b\nC: c\n   \n");
	cr_assert_eq(list.count, 2);
	assert_spec(&list, 0, "A", "a");
	assert_spec(&list, 1, "C", "c");
	spec_list_release(&list);
}

Test(procfile, trims_blanks_around_name_and_command)
{
	struct spec_list list;

	spec_list_init(&list);
	parse_ok(&list, "  web \t:\t  echo  two  spaces \t \nx:y\n");
	assert_spec(&list, 0, "web", "echo  two  spaces");
	assert_spec(&list, 1, "x", "y");
	spec_list_release(&list);
}

Test(procfile, command_keeps_later_colons_and_hashes)
{
	struct spec_list list;

	spec_list_init(&list);
	parse_ok(&list, "db: psql postgres://u:p@h:5432/db # main\n");
	assert_spec(&list, 0, "db", "psql postgres://u:p@h:5432/db # main");
	spec_list_release(&list);
}

Test(procfile, crlf_line_endings_are_tolerated)
{
	struct spec_list list;

	spec_list_init(&list);
	parse_ok(&list, "# win\r\n\r\nA: echo a\r\nB: echo b\r\n");
	cr_assert_eq(list.count, 2);
	assert_spec(&list, 0, "A", "echo a");
	assert_spec(&list, 1, "B", "echo b");
	spec_list_release(&list);
}

Test(procfile, last_line_needs_no_newline)
{
	struct spec_list list;

	spec_list_init(&list);
	parse_ok(&list, "A: one\nB: two");
	assert_spec(&list, 1, "B", "two");
	spec_list_release(&list);
}

Test(procfile, leading_byte_order_mark_is_skipped)
{
	struct spec_list list;

	spec_list_init(&list);
	parse_ok(&list, "\xef\xbb\xbfweb: serve\n");
	assert_spec(&list, 0, "web", "serve");
	spec_list_release(&list);
}

Test(procfile, text_need_not_be_nul_terminated)
{
	static const char text[] = { 'A', ':', ' ', 'x', '\n', 'B', ':' };
	struct spec_list list;
	char *cause = NULL;

	spec_list_init(&list);
	cr_assert_eq(procfile_parse(text, 4, "Procfile", &list, &cause), 0);
	assert_spec(&list, 0, "A", "x");
	cr_assert_eq(list.count, 1);
	spec_list_release(&list);
}

Test(procfile, missing_colon_is_an_error_with_its_line_number)
{
	assert_parse_fails("A: a\n# c\nnot a child\nB: b\n",
	    "Procfile:3: missing ':' after the name");
}

Test(procfile, line_numbers_count_blank_and_crlf_lines)
{
	assert_parse_fails("\r\n\r\n\r\nA: a\r\noops\r\n",
	    "Procfile:5: missing ':' after the name");
}

Test(procfile, invalid_name_is_an_error)
{
	assert_parse_fails("A: a\nmy web: serve\n", "Procfile:2: invalid "
	    "child name 'my web' (use letters, digits, '_', '.', '-')");
}

Test(procfile, empty_name_is_an_error)
{
	assert_parse_fails(": serve\n", "Procfile:1: empty child name");
}

Test(procfile, duplicate_name_is_an_error)
{
	assert_parse_fails("A: a\nB: b\nA: again\n",
	    "Procfile:3: duplicate child name 'A'");
}

Test(procfile, empty_command_is_an_error)
{
	assert_parse_fails("A: a\nB:   \r\n", "Procfile:2: empty command for "
	    "child 'B'");
}

Test(procfile, nul_byte_is_an_error)
{
	static const char text[] = "A: a\nB: b\0c\n";

	assert_parse_fails_len(text, sizeof text - 1,
	    "Procfile:2: NUL byte in the line");
}

Test(procfile, procfile_without_children_is_an_error)
{
	assert_parse_fails("", "Procfile: no children");
	assert_parse_fails("\n\n  \n", "Procfile: no children");
	assert_parse_fails("# only\n# comments", "Procfile: no children");
	assert_parse_fails("\xef\xbb\xbf", "Procfile: no children");
}

Test(procfile, error_names_the_file_it_was_given)
{
	struct spec_list list;
	char *cause = NULL;

	spec_list_init(&list);
	cr_assert_eq(procfile_parse("x", 1, "conf/Procfile.dev", &list,
	    &cause), -1);
	cr_assert_str_eq(cause, "conf/Procfile.dev:1: missing ':' after the "
	    "name");
	free(cause);
	spec_list_release(&list);
}

Test(procfile, appends_to_a_list_and_checks_names_against_it)
{
	struct spec_list list;
	char *cause = NULL;

	spec_list_init(&list);
	cr_assert_eq(spec_list_add(&list, "A", "a", &cause), 0);
	parse_ok(&list, "B: b\n");
	cr_assert_eq(list.count, 2);
	assert_spec(&list, 0, "A", "a");
	assert_spec(&list, 1, "B", "b");

	cr_assert_eq(procfile_parse("C: c\nA: x\n", strlen("C: c\nA: x\n"),
	    "Procfile", &list, &cause), -1);
	cr_assert_str_eq(cause, "Procfile:2: duplicate child name 'A'");
	free(cause);
	spec_list_release(&list);
}

Test(procfile, failed_parse_leaves_the_list_as_it_was)
{
	static const char bad[] = "B: b\nC: c\nbad\n";
	struct spec_list list;
	char *cause = NULL;

	spec_list_init(&list);
	parse_ok(&list, "A: a\n");
	cr_assert_eq(procfile_parse(bad, sizeof bad - 1, "Procfile", &list,
	    &cause), -1);
	free(cause);
	cr_assert_eq(list.count, 1);
	assert_spec(&list, 0, "A", "a");
	cr_assert_eq(spec_list_find(&list, "B"), -1);
	assert_sane_list(&list);
	parse_ok(&list, "B: b2\n");
	assert_spec(&list, 1, "B", "b2");
	spec_list_release(&list);
}

Test(procfile, load_reads_a_file)
{
	struct spec_list list;
	char *dir, *path, *cause = NULL;
	static const char text[] = "A: python3 proc_a.py\r\n"
	    "B: python3 proc_b.py\r\n";

	dir = make_tmpdir();
	path = write_file(dir, "Procfile", text, sizeof text - 1);
	spec_list_init(&list);
	cr_assert_eq(procfile_load(path, &list, &cause), 0, "%s",
	    cause ? cause : "?");
	cr_assert_eq(list.count, 2);
	assert_spec(&list, 1, "B", "python3 proc_b.py");
	spec_list_release(&list);
	remove_tmpdir(dir, path);
}

Test(procfile, load_errors_carry_the_path)
{
	struct spec_list list;
	char *dir, *path, *cause = NULL, *want;

	dir = make_tmpdir();
	path = write_file(dir, "Procfile", "A: a\nB\n", 7);
	spec_list_init(&list);
	cr_assert_eq(procfile_load(path, &list, &cause), -1);
	cr_assert_neq(asprintf(&want, "%s:2: missing ':' after the name",
	    path), -1);
	cr_assert_str_eq(cause, want);
	cr_assert_eq(list.count, 0);
	free(want);
	free(cause);
	spec_list_release(&list);
	remove_tmpdir(dir, path);
}

Test(procfile, load_of_a_missing_file_says_so)
{
	struct spec_list list;
	char *cause = NULL;

	spec_list_init(&list);
	cr_assert_eq(procfile_load("/nonexistent/Procfile", &list, &cause),
	    -1);
	cr_assert_str_eq(cause,
	    "Procfile /nonexistent/Procfile: No such file or directory");
	free(cause);
	spec_list_release(&list);
}

Test(procfile, load_of_a_directory_says_so)
{
	struct spec_list list;
	char *dir, *cause = NULL, *want;

	dir = make_tmpdir();
	spec_list_init(&list);
	cr_assert_eq(procfile_load(dir, &list, &cause), -1);
	cr_assert_neq(asprintf(&want, "Procfile %s: Is a directory", dir), -1);
	cr_assert_str_eq(cause, want);
	free(want);
	free(cause);
	spec_list_release(&list);
	remove_tmpdir(dir, NULL);
}

Test(procfile, load_of_an_empty_file_finds_no_children)
{
	struct spec_list list;
	char *dir, *path, *cause = NULL, *want;

	dir = make_tmpdir();
	path = write_file(dir, "Procfile", "", 0);
	spec_list_init(&list);
	cr_assert_eq(procfile_load(path, &list, &cause), -1);
	cr_assert_neq(asprintf(&want, "%s: no children", path), -1);
	cr_assert_str_eq(cause, want);
	free(want);
	free(cause);
	spec_list_release(&list);
	remove_tmpdir(dir, path);
}

/* A Procfile of size bytes: one child, then comment lines as padding. */
static char *
padded_procfile(size_t size)
{
	static const char head[] = "A: a\n";
	char *text;

	text = malloc(size);
	cr_assert_not_null(text);
	memset(text, '#', size);
	memcpy(text, head, sizeof head - 1);
	text[size - 1] = '\n';
	return text;
}

Test(procfile, load_accepts_one_mebibyte_and_refuses_more)
{
	struct spec_list list;
	char *dir, *path, *text, *cause = NULL, *want;
	size_t max = 1024 * 1024;

	dir = make_tmpdir();
	text = padded_procfile(max);
	path = write_file(dir, "Procfile", text, max);
	spec_list_init(&list);
	cr_assert_eq(procfile_load(path, &list, &cause), 0, "%s",
	    cause ? cause : "?");
	cr_assert_eq(list.count, 1);
	spec_list_release(&list);
	unlink(path);
	free(path);
	free(text);

	text = padded_procfile(max + 1);
	path = write_file(dir, "Procfile", text, max + 1);
	cr_assert_eq(procfile_load(path, &list, &cause), -1);
	cr_assert_neq(asprintf(&want, "Procfile %s: larger than 1 MiB", path), -1);
	cr_assert_str_eq(cause, want);
	cr_assert_eq(list.count, 0);
	free(want);
	free(cause);
	free(text);
	spec_list_release(&list);
	remove_tmpdir(dir, path);
}

/* As with "ptyplex -f <(generate-procfile)". */
Test(procfile, load_reads_a_pipe)
{
	static const char text[] = "A: a\nB: b\n";
	struct spec_list list;
	char path[64], *cause = NULL;
	int fds[2];

	cr_assert_eq(pipe(fds), 0);
	cr_assert_eq(write(fds[1], text, sizeof text - 1),
	    (ssize_t)(sizeof text - 1));
	close(fds[1]);
	snprintf(path, sizeof path, "/dev/fd/%d", fds[0]);
	spec_list_init(&list);
	cr_assert_eq(procfile_load(path, &list, &cause), 0, "%s",
	    cause ? cause : "?");
	cr_assert_eq(list.count, 2);
	assert_spec(&list, 1, "B", "b");
	spec_list_release(&list);
	close(fds[0]);
}
