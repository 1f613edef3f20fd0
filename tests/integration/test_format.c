/*
 * Output formats: --prefix, --timestamps, --color, --json, --log-dir.
 */
#include "harness.h"

#include <criterion/criterion.h>

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

TestSuite(format, .init = h_setup, .fini = h_teardown, .timeout = 240);

static int
matches(const char *s, const char *regex)
{
	regex_t re;
	int rc;

	cr_assert_eq(regcomp(&re, regex, REG_EXTENDED | REG_NOSUB), 0,
	    "bad regex in test: %s", regex);
	rc = regexec(&re, s, 0, NULL, 0);
	regfree(&re);
	return rc == 0;
}

/* Removes SGR escapes ("\e[...m") from s. */
static char *
strip_sgr(const char *s)
{
	char *out = h_fmt("%s", s), *d = out;

	while (*s != '\0') {
		if (s[0] == '\033' && s[1] == '[') {
			const char *e = s + 2;

			while ((*e >= '0' && *e <= '9') || *e == ';')
				e++;
			if (*e == 'm') {
				s = e + 1;
				continue;
			}
		}
		*d++ = *s++;
	}
	*d = '\0';
	return out;
}

Test(format, the_default_prefix_is_the_name_and_a_colon)
{
	struct h_proc *p = H_START(NULL,
	    h_fmt("A=exec %s 'x\\n'", HELPER("emit")));

	H_ASSERT_EXIT(p, 0);
	cr_assert_str_eq(p->out.data, "A: x\n", "%s", h_context(p));
}

Test(format, prefix_expands_name_pid_time_and_percent)
{
	struct h_proc *p = H_START(NULL, "--prefix", "[%n|%p|%t|%%] ",
	    h_fmt("A=exec %s", HELPER("isatty_report")));
	struct h_lines l;
	const char *pid;
	size_t i;

	H_ASSERT_EXIT(p, 0);
	l = h_split(p->out.data, p->out.len);
	cr_assert_gt(l.n, 5, "%s", h_context(p));
	pid = strstr(p->out.data, "] pid=");
	cr_assert_not_null(pid, "%s", h_context(p));
	pid += strlen("] pid=");
	for (i = 0; i < l.n; i++) {
		cr_assert(matches(l.v[i], "^\\[A\\|[0-9]+\\|([01][0-9]|2[0-3]):"
		    "[0-5][0-9]:[0-5][0-9]\\.[0-9]{3}\\|%\\] [a-zA-Z_]+"),
		    "line %zu: %s", i + 1, h_show(l.v[i], l.len[i], 200));
		cr_assert(strncmp(l.v[i] + 3, pid, strcspn(pid, "\n")) == 0 &&
		    l.v[i][3 + strcspn(pid, "\n")] == '|',
		    "%%p is not the child's pid %.*s: %s",
		    (int)strcspn(pid, "\n"), pid, l.v[i]);
	}
}

Test(format, timestamps_prefix_each_line_with_the_time)
{
	struct h_proc *p = H_START(NULL, "--timestamps",
	    h_fmt("A=exec %s 'one\\n' 'two\\n'", HELPER("emit")));
	struct h_lines l;
	size_t i;

	H_ASSERT_EXIT(p, 0);
	l = h_split(p->out.data, p->out.len);
	cr_assert_eq(l.n, 2, "%s", h_context(p));
	for (i = 0; i < l.n; i++)
		cr_assert(matches(l.v[i], "^([01][0-9]|2[0-3]):[0-5][0-9]:"
		    "[0-5][0-9]\\.[0-9]{3} A: (one|two)$"), "line %zu: %s",
		    i + 1, h_show(l.v[i], l.len[i], 200));
}

/* --color always: escapes around the prefix, the child's text after the
 * last of them and untouched. */
Test(format, color_always_wraps_the_prefix_in_escapes)
{
	struct h_proc *p = H_START(NULL, "--color", "always",
	    h_fmt("A=exec %s 'hello\\n'", HELPER("emit")));
	const char *line, *text;

	H_ASSERT_EXIT(p, 0);
	line = p->out.data;
	cr_assert_eq(line[0], '\033', "no escape opens the line\n%s",
	    h_context(p));
	text = strstr(line, "hello\n");
	cr_assert_not_null(text, "%s", h_context(p));
	cr_assert_str_eq(strip_sgr(h_fmt("%.*s", (int)(text + 5 - line),
	    line)), "A: hello", "%s", h_context(p));
	cr_assert(memchr(line, '\033', (size_t)(text - line)) != NULL);
	cr_assert_null(memchr(text, '\033', 5),
	    "an escape inside the child's text\n%s", h_context(p));
	cr_assert(matches(h_fmt("%.*s", (int)(text - line), line),
	    "\033\\[[0-9;]*m.*\033\\[0?m"), "escapes do not close\n%s",
	    h_context(p));
}

/* auto (the default) means no colour when stdout is not a terminal. */
Test(format, no_color_by_default_when_stdout_is_a_pipe)
{
	struct h_proc *p = H_START(NULL,
	    h_fmt("A=exec %s 'hello\\n'", HELPER("emit")));

	H_ASSERT_EXIT(p, 0);
	cr_assert_str_eq(p->out.data, "A: hello\n", "%s", h_context(p));
}

Test(format, color_never_and_color_auto_on_a_pipe_add_no_escape)
{
	static const char *const modes[] = { "never", "auto" };
	size_t i;

	for (i = 0; i < 2; i++) {
		struct h_proc *p = H_START(NULL, "--color", modes[i],
		    h_fmt("A=exec %s 'hello\\n'", HELPER("emit")));

		H_ASSERT_EXIT(p, 0);
		cr_assert_str_eq(p->out.data, "A: hello\n", "--color %s\n%s",
		    modes[i], h_context(p));
	}
}

Test(format, color_auto_on_a_terminal_colours_the_prefix)
{
	struct h_opts o = { .terminal = 1, .env = { "NO_COLOR" } };
	struct h_proc *p = H_START(&o,
	    h_fmt("A=exec %s 'hello\\n'", HELPER("emit")));

	H_ASSERT_EXIT(p, 0);
	cr_assert_eq(p->out.data[0], '\033', "%s", h_context(p));
	cr_assert_str_eq(strip_sgr(p->out.data), "A: hello\n", "%s",
	    h_context(p));
}

Test(format, no_color_in_the_environment_turns_auto_off)
{
	struct h_opts o = { .terminal = 1, .env = { "NO_COLOR=1" } };
	struct h_proc *p = H_START(&o,
	    h_fmt("A=exec %s 'hello\\n'", HELPER("emit")));

	H_ASSERT_EXIT(p, 0);
	cr_assert_str_eq(p->out.data, "A: hello\n", "%s", h_context(p));
}

/* An explicit --color always is the user's word against NO_COLOR. */
Test(format, color_always_wins_over_no_color)
{
	struct h_opts o = { .env = { "NO_COLOR=1" } };
	struct h_proc *p = H_START(&o, "--color", "always",
	    h_fmt("A=exec %s 'hello\\n'", HELPER("emit")));

	H_ASSERT_EXIT(p, 0);
	cr_assert_eq(p->out.data[0], '\033', "%s", h_context(p));
	cr_assert_str_eq(strip_sgr(p->out.data), "A: hello\n", "%s",
	    h_context(p));
}

Test(format, the_childs_own_escapes_pass_through)
{
	struct h_proc *p = H_START(NULL, "--color", "never",
	    h_fmt("A=exec %s '\\e[31mred\\e[0m plain\\n'", HELPER("emit")));

	H_ASSERT_EXIT(p, 0);
	cr_assert_str_eq(p->out.data, "A: \033[31mred\033[0m plain\n", "%s",
	    h_context(p));
}

static struct h_json *
parse_json_lines(const struct h_proc *p, size_t *count)
{
	struct h_lines l = h_split(p->out.data, p->out.len);
	struct h_json *objs = calloc(l.n ? l.n : 1, sizeof *objs);
	size_t i;

	cr_assert_not_null(objs);
	for (i = 0; i < l.n; i++) {
		const char *why = NULL;

		cr_assert_eq(h_json_parse(l.v[i], l.len[i], &objs[i], &why), 0,
		    "line %zu is not a JSON object (%s): %s", i + 1, why,
		    h_show(l.v[i], l.len[i], 400));
		cr_assert_not_null(h_json_get(&objs[i], "time"),
		    "line %zu has no time: %s", i + 1, l.v[i]);
		cr_assert_not_null(h_json_get(&objs[i], "name"),
		    "line %zu has no name: %s", i + 1, l.v[i]);
	}
	*count = l.n;
	return objs;
}

static const char *
json_str(const struct h_json *j, const char *key)
{
	const struct h_json_member *m = h_json_get(j, key);

	return m != NULL && m->type == H_JSON_STRING ? m->str : NULL;
}

/* --json must stay valid JSON whatever bytes the child writes: quotes,
 * backslashes, tabs, control bytes, escapes, invalid UTF-8 (as \udcXX) and
 * valid UTF-8. Each line decodes back to the exact bytes. */
Test(format, json_lines_are_valid_objects_with_start_and_exit_events)
{
	static const char *const want[] = {
		"plain",
		"quote \" backslash \\ tab \t end",
		"bad \xff\xfe and \xc3\x28 end",
		"escape \033[1mbold\033[0m",
		"control \x01\x02\x7f",
		"utf8 \xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80",
	};
	struct h_proc *p = H_START(NULL, "--json",
	    h_fmt("A=exec %s 'plain\\n' 'quote \" backslash \\\\ tab \\t end\\n'"
	    " 'bad \\xff\\xfe and \\xc3\\x28 end\\n' 'escape \\e[1mbold\\e[0m\\n'"
	    " 'control \\x01\\x02\\x7f\\n'"
	    " 'utf8 \\xc3\\xa9 \\xe6\\x97\\xa5 \\xf0\\x9f\\x98\\x80\\n' @exit=3",
	    HELPER("emit")));
	const struct h_json_member *m;
	struct h_json *objs;
	size_t n, i, line = 0;
	int started = 0, exited = 0;

	H_ASSERT_EXIT(p, 3);
	objs = parse_json_lines(p, &n);
	for (i = 0; i < n; i++) {
		const char *event = json_str(&objs[i], "event");

		cr_assert_str_eq(json_str(&objs[i], "name"), "A");
		if (event != NULL && strcmp(event, "start") == 0) {
			cr_assert(!started && line == 0, "start comes first");
			m = h_json_get(&objs[i], "pid");
			cr_assert(m != NULL && m->type == H_JSON_NUMBER &&
			    m->num > 1, "start event without a pid");
			started = 1;
		} else if (event != NULL && strcmp(event, "exit") == 0) {
			cr_assert(started && !exited, "exit out of order");
			m = h_json_get(&objs[i], "status");
			cr_assert(m != NULL && m->type == H_JSON_NUMBER &&
			    m->num == 3, "exit event without status 3");
			exited = 1;
		} else {
			m = h_json_get(&objs[i], "line");
			cr_assert(m != NULL && m->type == H_JSON_STRING,
			    "object %zu is neither an event nor a line", i + 1);
			cr_assert(!exited, "a line after the exit event");
			cr_assert_lt(line, 6, "too many lines\n%s",
			    h_context(p));
			cr_assert(m->len == strlen(want[line]) &&
			    memcmp(m->str, want[line], m->len) == 0,
			    "line %zu decodes to %s, expected %s", line + 1,
			    h_show(m->str, m->len, 200),
			    h_show(want[line], strlen(want[line]), 200));
			line++;
		}
	}
	free(objs);
	cr_assert(started && exited, "missing start or exit event\n%s",
	    h_context(p));
	cr_assert_eq(line, 6, "%zu lines\n%s", line, h_context(p));
}

Test(format, json_exit_event_of_a_signalled_child_names_the_signal)
{
	struct h_proc *p = H_START(NULL, "--json",
	    h_fmt("A=exec %s SIGUSR1", HELPER("exit_with")));
	const struct h_json_member *m = NULL;
	struct h_json *objs;
	size_t n, i;

	H_ASSERT_EXIT(p, 128 + 10);
	objs = parse_json_lines(p, &n);
	for (i = 0; i < n; i++) {
		const char *event = json_str(&objs[i], "event");

		if (event != NULL && strcmp(event, "exit") == 0)
			m = h_json_get(&objs[i], "signal");
	}
	cr_assert_not_null(m, "no exit event with a signal\n%s",
	    h_context(p));
	cr_assert((m->type == H_JSON_NUMBER && m->num == 10) ||
	    (m->type == H_JSON_STRING && strstr(m->str, "USR1") != NULL),
	    "signal is %s\n%s", m->str, h_context(p));
	free(objs);
}

Test(format, json_shows_a_partial_line_too)
{
	struct h_proc *p = H_START(NULL, "--json",
	    h_fmt("A=exec %s", HELPER("no_newline")));
	struct h_json *objs;
	size_t n, i;
	int seen = 0;

	H_ASSERT_EXIT(p, 0);
	objs = parse_json_lines(p, &n);
	for (i = 0; i < n; i++) {
		const char *line = json_str(&objs[i], "line");

		if (line != NULL) {
			cr_assert_str_eq(line, "last line without newline");
			seen++;
		}
	}
	free(objs);
	cr_assert_eq(seen, 1, "%s", h_context(p));
}

/* Transcripts are the pty's bytes, untouched: the child's output with
 * the terminal's "\n" -> "\r\n", partial last line and invalid bytes
 * included, whatever the framer did to stdout. */
Test(format, log_dir_transcripts_are_byte_exact)
{
	const size_t total = 1000037;
	const char *logs = h_path("logs");
	const char *c_bytes = "x\xff\ty\r\n\033[1m\n\x01partial";
	const char *got;
	size_t want_len, got_len;
	char *want;
	struct h_proc *p;

	cr_assert_eq(mkdir(logs, 0700), 0);
	p = H_START(NULL, "--wait-all", "--max-line", "64", "--log-dir", logs,
	    h_fmt("A=exec %s %zu", HELPER("blast"), total),
	    h_fmt("B=exec %s", HELPER("no_newline")),
	    h_fmt("C=exec %s 'x\\xff\\ty\\r\\n\\e[1m\\n\\x01partial'",
	    HELPER("emit")));
	H_ASSERT_EXIT_WITHIN(p, 0, 240);

	want = h_onlcr(h_blast_bytes(total), total, &want_len);
	got = h_read_file(h_fmt("%s/A.log", logs), &got_len);
	cr_assert_not_null(got, "no A.log");
	cr_assert_eq(got_len, want_len, "A.log has %zu bytes, expected %zu",
	    got_len, want_len);
	cr_assert(memcmp(got, want, want_len) == 0, "A.log differs");

	got = h_read_file(h_fmt("%s/B.log", logs), &got_len);
	cr_assert_not_null(got, "no B.log");
	cr_assert_str_eq(got, "last line without newline");

	want = h_onlcr(c_bytes, strlen(c_bytes), &want_len);
	got = h_read_file(h_fmt("%s/C.log", logs), &got_len);
	cr_assert_not_null(got, "no C.log");
	cr_assert(got_len == want_len && memcmp(got, want, want_len) == 0,
	    "C.log is %s\nexpected %s", h_show(got, got_len, 200),
	    h_show(want, want_len, 200));
}
