#include <criterion/criterion.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ptyplex/script.h"
#include "ptyplex/spec.h"

/* What every script must look like after any call, failed or not. */
static void
assert_sane_script(const struct script *sc)
{
	const struct script_step *st;
	size_t i;

	cr_assert_leq(sc->count, sc->alloc);
	for (i = 0; i < sc->count; i++) {
		st = &sc->steps[i];
		cr_assert_gt(st->line, 0);
		cr_assert_not_null(st->text);
		cr_assert_null(strchr(st->text, '\n'));
		if (st->op == SCRIPT_SLEEP || st->op == SCRIPT_EXIT)
			cr_assert_null(st->name);
		else
			cr_assert(spec_name_is_valid(st->name));
		if (st->op == SCRIPT_SEND)
			cr_assert_gt(st->len, 0);
		if (i > 0)
			cr_assert_gt(st->line, sc->steps[i - 1].line);
	}
}

static void
parse_ok(struct script *sc, const char *text)
{
	char *cause = NULL;

	script_init(sc);
	cr_assert_eq(script_parse(sc, text, strlen(text), "t.script", &cause),
	    0, "parse failed: %s", cause ? cause : "?");
	cr_assert_null(cause);
	assert_sane_script(sc);
}

/* One line that must parse into exactly one step. */
static const struct script_step *
parse_one(struct script *sc, const char *text)
{
	parse_ok(sc, text);
	cr_assert_eq(sc->count, 1, "%zu steps from '%s'", sc->count, text);
	return &sc->steps[0];
}

static void
assert_parse_fails(const char *text, const char *want)
{
	struct script sc;
	char *cause = NULL;

	script_init(&sc);
	cr_assert_eq(script_parse(&sc, text, strlen(text), "t.script",
	    &cause), -1, "'%s' parsed", text);
	cr_assert_not_null(cause);
	cr_assert_str_eq(cause, want);
	cr_assert_null(strchr(cause, '\n'));
	cr_assert_eq(sc.count, 0);
	free(cause);
	script_release(&sc);
}

static int
matches(const regex_t *re, const char *s)
{
	return regexec(re, s, 0, NULL, 0) == 0;
}

Test(script, send_appends_a_newline)
{
	struct script sc;
	const struct script_step *st = parse_one(&sc, "send A hello world\n");

	cr_assert_eq(st->op, SCRIPT_SEND);
	cr_assert_str_eq(st->name, "A");
	cr_assert_eq(st->len, 12);
	cr_assert_eq(memcmp(st->data, "hello world\n", 12), 0);
	cr_assert_str_eq(st->text, "send A hello world");
	cr_assert_eq(st->line, 1);
	script_release(&sc);
}

Test(script, send_n_appends_nothing)
{
	struct script sc;
	const struct script_step *st = parse_one(&sc, "send -n A y");

	cr_assert_eq(st->len, 1);
	cr_assert_eq(st->data[0], 'y');
	script_release(&sc);
}

Test(script, send_without_text_sends_a_newline)
{
	struct script sc;
	const struct script_step *st = parse_one(&sc, "send A");

	cr_assert_eq(st->len, 1);
	cr_assert_eq(st->data[0], '\n');
	script_release(&sc);
}

Test(script, send_text_starts_after_the_blanks_and_keeps_inner_ones)
{
	struct script sc;
	const struct script_step *st = parse_one(&sc,
	    "  send\tA \t a  b # not a comment  \r\n");

	cr_assert_eq(st->len, 21);
	cr_assert_eq(memcmp(st->data, "a  b # not a comment\n", 21), 0,
	    "got '%.*s'", (int)st->len, st->data);
	script_release(&sc);
}

Test(script, send_decodes_escapes)
{
	struct script sc;
	const struct script_step *st = parse_one(&sc,
	    "send -n A \\x03\\tx\\\\y\\r\\n\\x20");

	cr_assert_eq(st->len, 8);
	cr_assert_eq(memcmp(st->data, "\003\tx\\y\r\n ", 8), 0);
	script_release(&sc);
}

Test(script, send_may_carry_a_nul_byte)
{
	struct script sc;
	const struct script_step *st = parse_one(&sc, "send -n A a\\x00b");

	cr_assert_eq(st->len, 3);
	cr_assert_eq(memcmp(st->data, "a\0b", 3), 0);
	script_release(&sc);
}

Test(script, send_to_a_child_named_dash_n)
{
	struct script sc;
	const struct script_step *st = parse_one(&sc, "send -n -n x");

	cr_assert_str_eq(st->name, "-n");
	cr_assert_eq(st->len, 1);
	script_release(&sc);
}

Test(script, expect_with_default_timeout)
{
	struct script sc;
	const struct script_step *st = parse_one(&sc,
	    "expect web /listening on [0-9]+/");

	cr_assert_eq(st->op, SCRIPT_EXPECT);
	cr_assert_str_eq(st->name, "web");
	cr_assert_str_eq(st->data, "listening on [0-9]+");
	cr_assert_eq(st->ms, SCRIPT_TIMEOUT_MS);
	cr_assert(matches(&st->re, "x listening on 8080"));
	cr_assert(!matches(&st->re, "listening on port"));
	script_release(&sc);
}

Test(script, expect_with_seconds)
{
	struct script sc;
	const struct script_step *st = parse_one(&sc, "expect A /x/ 2.5");

	cr_assert_eq(st->ms, 2500);
	script_release(&sc);
}

Test(script, expect_pattern_runs_to_the_last_slash)
{
	struct script sc;
	const struct script_step *st = parse_one(&sc,
	    "expect A /GET /index.html/ 1");

	cr_assert_str_eq(st->data, "GET /index.html");
	cr_assert_eq(st->ms, 1000);
	script_release(&sc);
}

Test(script, expect_escaped_slash_is_a_slash)
{
	struct script sc;
	const struct script_step *st = parse_one(&sc, "expect A /a\\/b/");

	cr_assert_str_eq(st->data, "a/b");
	cr_assert(matches(&st->re, "a/b"));
	script_release(&sc);
}

Test(script, expect_is_extended_and_newline_aware)
{
	struct script sc;
	const struct script_step *st = parse_one(&sc, "expect A /^(ok|yes)$/");

	cr_assert(matches(&st->re, "first\nyes\nlast"));
	cr_assert(!matches(&st->re, "first yes"));
	script_release(&sc);
}

Test(script, sleep_takes_fractions)
{
	struct script sc;
	const struct script_step *st = parse_one(&sc, "sleep .25");

	cr_assert_eq(st->op, SCRIPT_SLEEP);
	cr_assert_eq(st->ms, 250);
	cr_assert_null(st->name);
	script_release(&sc);
}

Test(script, seconds_forms)
{
	static const struct {
		const char *text;
		unsigned ms;
	} cases[] = {
		{ "sleep 0", 0 }, { "sleep 1.", 1000 }, { "sleep 0.001", 1 },
		{ "sleep 0.0009", 0 }, { "sleep 86400", 86400000 },
		{ "sleep 007", 7000 }, { "sleep 1.5", 1500 },
	};
	struct script sc;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cr_assert_eq(parse_one(&sc, cases[i].text)->ms, cases[i].ms,
		    "%s", cases[i].text);
		script_release(&sc);
	}
}

Test(script, signal_by_name_or_number)
{
	static const struct {
		const char *text;
		int sig;
	} cases[] = {
		{ "signal A TERM", SIGTERM }, { "signal A SIGINT", SIGINT },
		{ "signal A hup", SIGHUP }, { "signal A 9", SIGKILL },
		{ "signal A USR1", SIGUSR1 },
	};
	struct script sc;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct script_step *st = parse_one(&sc, cases[i].text);

		cr_assert_eq(st->op, SCRIPT_SIGNAL);
		cr_assert_eq(st->value, cases[i].sig, "%s", cases[i].text);
		script_release(&sc);
	}
}

Test(script, start_and_wait)
{
	struct script sc;

	parse_ok(&sc, "start db\nwait db\nwait db 0.5\n");
	cr_assert_eq(sc.count, 3);
	cr_assert_eq(sc.steps[0].op, SCRIPT_START);
	cr_assert_str_eq(sc.steps[0].name, "db");
	cr_assert_eq(sc.steps[1].op, SCRIPT_WAIT);
	cr_assert_eq(sc.steps[1].ms, SCRIPT_TIMEOUT_MS);
	cr_assert_eq(sc.steps[2].ms, 500);
	script_release(&sc);
}

Test(script, exit_status_defaults_to_zero)
{
	struct script sc;

	parse_ok(&sc, "exit\nexit 3\nexit 255\n");
	cr_assert_eq(sc.steps[0].op, SCRIPT_EXIT);
	cr_assert_eq(sc.steps[0].value, 0);
	cr_assert_eq(sc.steps[1].value, 3);
	cr_assert_eq(sc.steps[2].value, 255);
	script_release(&sc);
}

Test(script, comments_blanks_crlf_and_line_numbers)
{
	struct script sc;

	parse_ok(&sc, "\xef\xbb\xbf# setup\r\n\r\n   # indented comment\n"
	    "\t\nstart A\r\n\nexit 1");
	cr_assert_eq(sc.count, 2);
	cr_assert_eq(sc.steps[0].line, 5);
	cr_assert_str_eq(sc.steps[0].text, "start A");
	cr_assert_eq(sc.steps[1].line, 7);
	cr_assert_str_eq(sc.filename, "t.script");
	script_release(&sc);
}

Test(script, an_empty_script_has_no_steps)
{
	struct script sc;

	parse_ok(&sc, "");
	cr_assert_eq(sc.count, 0);
	script_release(&sc);
	parse_ok(&sc, "# nothing\n\n");
	cr_assert_eq(sc.count, 0);
	script_release(&sc);
}

Test(script, release_leaves_an_empty_reusable_script)
{
	struct script sc;

	parse_ok(&sc, "expect A /x/\nsend A y\n");
	script_release(&sc);
	cr_assert_eq(sc.count, 0);
	cr_assert_null(sc.steps);
	script_release(&sc);
	parse_ok(&sc, "sleep 1");
	cr_assert_eq(sc.count, 1);
	script_release(&sc);
}

Test(script, malformed_steps)
{
	static const struct {
		const char *text;
		const char *cause;
	} cases[] = {
		{ "sned A x", "t.script:1: unknown step 'sned' (expected send, "
		    "expect, sleep, signal, start, wait or exit)" },
		{ "SEND A x", "t.script:1: unknown step 'SEND' (expected send, "
		    "expect, sleep, signal, start, wait or exit)" },
		{ "send", "t.script:1: send: missing NAME" },
		{ "send -n", "t.script:1: send: missing NAME" },
		{ "send -n A", "t.script:1: send -n A: nothing to send" },
		{ "send a/b x", "t.script:1: send: 'a/b' is not a valid NAME" },
		{ "send A \\q", "t.script:1: unknown escape '\\q' (expected "
		    "\\n \\t \\r \\\\ or \\xHH)" },
		{ "send A x\\", "t.script:1: '\\' at the end of the text" },
		{ "send A \\x4", "t.script:1: '\\x' needs two hex digits" },
		{ "send A \\xg0", "t.script:1: '\\x' needs two hex digits" },
		{ "expect", "t.script:1: expect: missing NAME" },
		{ "expect A", "t.script:1: expect A: missing /REGEX/" },
		{ "expect A x", "t.script:1: expect A: missing /REGEX/" },
		{ "expect A /x", "t.script:1: expect A: missing /REGEX/" },
		{ "expect A //", "t.script:1: expect A: empty pattern //" },
		{ "expect A /a(/", "t.script:1: expect A: bad pattern /a(/: "
		    "Unmatched ( or \\(" },
		{ "expect A /x/5", "t.script:1: expect A: missing blank after "
		    "the pattern" },
		{ "expect A /x/ soon", "t.script:1: expect: bad SECONDS 'soon' "
		    "(expected 0 to 86400, e.g. 5 or 0.5)" },
		{ "expect A /x/ 1 2", "t.script:1: unexpected '2'" },
		{ "sleep", "t.script:1: sleep: missing SECONDS" },
		{ "sleep -1", "t.script:1: sleep: bad SECONDS '-1' (expected 0 "
		    "to 86400, e.g. 5 or 0.5)" },
		{ "sleep 1e3", "t.script:1: sleep: bad SECONDS '1e3' (expected "
		    "0 to 86400, e.g. 5 or 0.5)" },
		{ "sleep inf", "t.script:1: sleep: bad SECONDS 'inf' (expected "
		    "0 to 86400, e.g. 5 or 0.5)" },
		{ "sleep .", "t.script:1: sleep: bad SECONDS '.' (expected 0 "
		    "to 86400, e.g. 5 or 0.5)" },
		{ "sleep 86400.5", "t.script:1: sleep: bad SECONDS '86400.5' "
		    "(expected 0 to 86400, e.g. 5 or 0.5)" },
		{ "sleep 1 2", "t.script:1: unexpected '2'" },
		{ "signal A", "t.script:1: signal A: missing SIGNAL" },
		{ "signal A BOGUS", "t.script:1: signal A: unknown signal "
		    "'BOGUS'" },
		{ "signal A 0", "t.script:1: signal A: unknown signal '0'" },
		{ "signal A TERM now", "t.script:1: unexpected 'now'" },
		{ "start", "t.script:1: start: missing NAME" },
		{ "start A B", "t.script:1: unexpected 'B'" },
		{ "wait", "t.script:1: wait: missing NAME" },
		{ "wait A x", "t.script:1: wait: bad SECONDS 'x' (expected 0 "
		    "to 86400, e.g. 5 or 0.5)" },
		{ "exit 256", "t.script:1: exit: bad STATUS '256' (expected 0 "
		    "to 255)" },
		{ "exit -1", "t.script:1: exit: bad STATUS '-1' (expected 0 "
		    "to 255)" },
		{ "exit 00001", "t.script:1: exit: bad STATUS '00001' "
		    "(expected 0 to 255)" },
		{ "exit 1 2", "t.script:1: unexpected '2'" },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_parse_fails(cases[i].text, cases[i].cause);
}

Test(script, errors_name_the_line)
{
	assert_parse_fails("# one\nstart A\n\nstart\n",
	    "t.script:4: start: missing NAME");
}

Test(script, nul_byte_is_an_error)
{
	static const char text[] = "start A\nsend A a\0b\n";
	struct script sc;
	char *cause = NULL;

	script_init(&sc);
	cr_assert_eq(script_parse(&sc, text, sizeof text - 1, "t.script",
	    &cause), -1);
	cr_assert_str_eq(cause, "t.script:2: NUL byte in the line");
	cr_assert_eq(sc.count, 0);
	free(cause);
	script_release(&sc);
}

Test(script, long_bad_words_are_cut_in_messages)
{
	char text[300], want[200];

	memset(text, 'x', sizeof text);
	memcpy(text, "sleep ", 6);
	text[sizeof text - 1] = '\0';
	snprintf(want, sizeof want, "t.script:1: sleep: bad SECONDS '%.64s' "
	    "(expected 0 to 86400, e.g. 5 or 0.5)", text + 6);
	assert_parse_fails(text, want);
}

Test(script, load_reads_a_file)
{
	const char *tmp = getenv("TMPDIR");
	struct script sc;
	char *cause = NULL, *path;
	int fd;

	cr_assert_neq(asprintf(&path, "%s/test_script_XXXXXX",
	    tmp != NULL && tmp[0] == '/' ? tmp : "/tmp"), -1);
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "start A\nbad\n", 12), 12);
	close(fd);
	script_init(&sc);
	cr_assert_eq(script_load(&sc, path, &cause), -1);
	cr_assert_not_null(strstr(cause, ":2: unknown step 'bad'"));
	cr_assert_eq(strncmp(cause, path, strlen(path)), 0);
	free(cause);
	unlink(path);
	cr_assert_eq(script_load(&sc, path, &cause), -1);
	cr_assert_not_null(strstr(cause, "No such file or directory"));
	free(cause);
	free(path);
	script_release(&sc);
}

Test(script_unescape, plain_text_is_copied)
{
	char dst[16];
	char *why = NULL;

	cr_assert_eq(script_unescape("abc", 3, dst, &why), 3);
	cr_assert_eq(memcmp(dst, "abc", 3), 0);
	cr_assert_eq(script_unescape("", 0, dst, &why), 0);
	cr_assert_null(why);
}

Test(script_unescape, every_escape)
{
	char dst[32];
	char *why = NULL;
	const char *src = "\\n\\t\\r\\\\\\x41\\xff\\x00\\x7F";

	cr_assert_eq(script_unescape(src, strlen(src), dst, &why), 8);
	cr_assert_eq(memcmp(dst, "\n\t\r\\A\xff\0\x7f", 8), 0);
}

Test(script_unescape, hex_takes_exactly_two_digits)
{
	char dst[16];
	char *why = NULL;

	cr_assert_eq(script_unescape("\\x414", 5, dst, &why), 2);
	cr_assert_eq(memcmp(dst, "A4", 2), 0);
}

Test(script_unescape, never_reads_past_len)
{
	char dst[16];
	char *why = NULL;

	/* "\x4" followed (outside len) by a hex digit. */
	cr_assert_eq(script_unescape("\\x41", 3, dst, &why), -1);
	cr_assert_str_eq(why, "'\\x' needs two hex digits");
	free(why);
	cr_assert_eq(script_unescape("a\\n", 2, dst, &why), -1);
	cr_assert_str_eq(why, "'\\' at the end of the text");
	free(why);
}

Test(script_unescape, unknown_escapes)
{
	char dst[16];
	char *why = NULL;

	cr_assert_eq(script_unescape("\\e", 2, dst, &why), -1);
	cr_assert_str_eq(why, "unknown escape '\\e' (expected \\n \\t \\r "
	    "\\\\ or \\xHH)");
	free(why);
	cr_assert_eq(script_unescape("\\\x01", 2, dst, &why), -1);
	cr_assert_str_eq(why, "unknown escape: '\\' before byte 0x01");
	free(why);
}

Test(script_format_seconds, drops_trailing_zeros)
{
	char buf[32];

	script_format_seconds(buf, sizeof buf, 10000);
	cr_assert_str_eq(buf, "10");
	script_format_seconds(buf, sizeof buf, 0);
	cr_assert_str_eq(buf, "0");
	script_format_seconds(buf, sizeof buf, 500);
	cr_assert_str_eq(buf, "0.5");
	script_format_seconds(buf, sizeof buf, 1250);
	cr_assert_str_eq(buf, "1.25");
	script_format_seconds(buf, sizeof buf, 100001);
	cr_assert_str_eq(buf, "100.001");
}
