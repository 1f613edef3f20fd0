#include <criterion/criterion.h>

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptyplex/matchbuf.h"

static regex_t *
re(const char *pattern)
{
	regex_t *r = malloc(sizeof *r);

	cr_assert_not_null(r);
	cr_assert_eq(regcomp(r, pattern, REG_EXTENDED | REG_NEWLINE), 0,
	    "bad test pattern %s", pattern);
	return r;
}

static void
re_free(regex_t *r)
{
	regfree(r);
	free(r);
}

static void
feed(struct matchbuf *mb, const char *s)
{
	matchbuf_feed(mb, s, strlen(s));
}

/* Whether pattern matches now; a match is used up. */
static int
match(struct matchbuf *mb, const char *pattern)
{
	regex_t *r = re(pattern);
	int rc = matchbuf_match(mb, r, 1);

	re_free(r);
	return rc;
}

static void
assert_tail(struct matchbuf *mb, size_t lines, const char *want)
{
	size_t len;
	const char *p = matchbuf_tail(mb, lines, &len);

	cr_assert_eq(len, strlen(want), "tail '%.*s', want '%s'", (int)len, p,
	    want);
	cr_assert_eq(memcmp(p, want, len), 0, "tail '%.*s', want '%s'",
	    (int)len, p, want);
}

Test(matchbuf, matches_output_that_came_before_the_question)
{
	struct matchbuf *mb = matchbuf_new(MATCHBUF_LIMIT);

	feed(mb, "booting\nlistening on 8080\nmore\n");
	cr_assert(match(mb, "listening on [0-9]+"));
	matchbuf_free(mb);
}

Test(matchbuf, a_match_uses_the_output_up)
{
	struct matchbuf *mb = matchbuf_new(MATCHBUF_LIMIT);

	feed(mb, "ok 1\nok 2\n");
	cr_assert(match(mb, "ok"));
	cr_assert(match(mb, "ok"));
	cr_assert(!match(mb, "ok"));
	cr_assert(match(mb, "2"));
	cr_assert(!match(mb, "1"));
	cr_assert_eq(matchbuf_pending(mb), 1);
	matchbuf_free(mb);
}

Test(matchbuf, no_consume_leaves_the_output)
{
	struct matchbuf *mb = matchbuf_new(MATCHBUF_LIMIT);
	regex_t *r = re("ready");

	feed(mb, "ready\n");
	cr_assert(matchbuf_match(mb, r, 0));
	cr_assert(matchbuf_match(mb, r, 0));
	cr_assert(matchbuf_match(mb, r, 1));
	cr_assert(!matchbuf_match(mb, r, 1));
	re_free(r);
	matchbuf_free(mb);
}

Test(matchbuf, a_prompt_without_newline_matches_at_once)
{
	struct matchbuf *mb = matchbuf_new(MATCHBUF_LIMIT);

	feed(mb, "login: ");
	cr_assert(match(mb, "login: "));
	matchbuf_free(mb);
}

Test(matchbuf, crlf_becomes_lf)
{
	struct matchbuf *mb = matchbuf_new(MATCHBUF_LIMIT);

	feed(mb, "one\r\ntwo\r\n");
	cr_assert(match(mb, "^one\ntwo$"));
	matchbuf_free(mb);
}

Test(matchbuf, crlf_split_between_feeds_becomes_lf)
{
	struct matchbuf *mb = matchbuf_new(MATCHBUF_LIMIT);

	feed(mb, "one\r");
	feed(mb, "\ntwo\r");
	feed(mb, "\n");
	cr_assert(match(mb, "^one\ntwo\n$"));
	/* No '\r' came through. */
	cr_assert_eq(matchbuf_pending(mb), 0);
	matchbuf_free(mb);
}

Test(matchbuf, lone_cr_passes_through)
{
	struct matchbuf *mb = matchbuf_new(MATCHBUF_LIMIT);

	feed(mb, "50%\r100%\r");
	feed(mb, "x");
	cr_assert(match(mb, "50%\r100%\rx"));
	matchbuf_free(mb);
}

Test(matchbuf, dollar_matches_at_line_ends_and_at_the_end_so_far)
{
	struct matchbuf *mb = matchbuf_new(MATCHBUF_LIMIT);

	feed(mb, "$ ");
	cr_assert(match(mb, "\\$ $"));
	feed(mb, "\none\ntwo\nprompt> ");
	cr_assert(match(mb, "^one$"));
	cr_assert(!match(mb, "^one$"));
	cr_assert(match(mb, "^two$"));
	cr_assert(match(mb, "> $"));
	matchbuf_free(mb);
}

Test(matchbuf, caret_matches_only_at_line_starts)
{
	struct matchbuf *mb = matchbuf_new(MATCHBUF_LIMIT);

	feed(mb, "say ok\n");
	cr_assert(!match(mb, "^ok"));
	cr_assert(match(mb, "say"));
	/* The rest, " ok\n", does not start a line. */
	cr_assert(!match(mb, "^ ok"));
	feed(mb, "ok\n");
	cr_assert(match(mb, "^ok"));
	matchbuf_free(mb);
}

Test(matchbuf, caret_at_the_start_of_output)
{
	struct matchbuf *mb = matchbuf_new(MATCHBUF_LIMIT);

	feed(mb, "first\n");
	cr_assert(match(mb, "^first$"));
	matchbuf_free(mb);
}

Test(matchbuf, nul_bytes_do_not_hide_what_follows)
{
	struct matchbuf *mb = matchbuf_new(MATCHBUF_LIMIT);

	matchbuf_feed(mb, "a\0b\0 found\n", 11);
	cr_assert(match(mb, "found"));
	matchbuf_free(mb);
}

Test(matchbuf, memory_is_bounded_and_keeps_the_newest)
{
	struct matchbuf *mb = matchbuf_new(64);
	char line[32];
	int i;

	for (i = 0; i < 1000; i++) {
		snprintf(line, sizeof line, "line %d\n", i);
		feed(mb, line);
		cr_assert_leq(matchbuf_pending(mb), 64);
	}
	cr_assert(match(mb, "^line 999$"));
	cr_assert(!match(mb, "line 1\n"));
	matchbuf_free(mb);
}

Test(matchbuf, a_feed_larger_than_the_limit_keeps_its_end)
{
	struct matchbuf *mb = matchbuf_new(16);
	char big[100];

	memset(big, 'x', sizeof big);
	memcpy(big + 90, "\nend", 4);
	memcpy(big + 94, "abcdef", 6);
	matchbuf_feed(mb, big, sizeof big);
	cr_assert_eq(matchbuf_pending(mb), 16);
	cr_assert(match(mb, "^endabcdef"));
	matchbuf_free(mb);
}

Test(matchbuf, dropped_output_mid_line_is_not_a_line_start)
{
	struct matchbuf *mb = matchbuf_new(16);

	feed(mb, "0123456789abcdef");
	feed(mb, "ghij");
	cr_assert(!match(mb, "^4"));
	cr_assert(match(mb, "4"));
	matchbuf_free(mb);
}

Test(matchbuf, tail_shows_the_last_lines_matched_or_not)
{
	struct matchbuf *mb = matchbuf_new(MATCHBUF_LIMIT);

	assert_tail(mb, 3, "");
	feed(mb, "a\nb\nc\nd\n");
	cr_assert(match(mb, "d"));
	assert_tail(mb, 2, "c\nd");
	assert_tail(mb, 10, "a\nb\nc\nd");
	assert_tail(mb, 0, "");
	feed(mb, "prompt> ");
	assert_tail(mb, 1, "prompt> ");
	assert_tail(mb, 2, "d\nprompt> ");
	matchbuf_free(mb);
}

Test(matchbuf, empty_feed_changes_nothing)
{
	struct matchbuf *mb = matchbuf_new(MATCHBUF_LIMIT);

	feed(mb, "x\r");
	matchbuf_feed(mb, "", 0);
	feed(mb, "\n");
	cr_assert(match(mb, "^x\n$"));
	matchbuf_free(mb);
}

/* With ECHO off, the answer to a prompt continues the prompt's line in
 * the child's bytes, but ptyplex shows it on a line of its own once input
 * was sent: matching follows what is shown. */
Test(matchbuf, end_line_makes_the_next_output_a_line_start)
{
	struct matchbuf *mb = matchbuf_new(MATCHBUF_LIMIT);

	feed(mb, "login: ");
	cr_assert(match(mb, "login: "));
	matchbuf_end_line(mb);
	feed(mb, "welcome alice\r\n");
	cr_assert(match(mb, "^welcome alice$"));
	matchbuf_free(mb);
}

Test(matchbuf, end_line_after_a_newline_adds_nothing)
{
	struct matchbuf *mb = matchbuf_new(MATCHBUF_LIMIT);

	matchbuf_end_line(mb);
	cr_assert_eq(matchbuf_pending(mb), 0);
	feed(mb, "a\n");
	matchbuf_end_line(mb);
	cr_assert_eq(matchbuf_pending(mb), 2);
	feed(mb, "b\r");
	matchbuf_end_line(mb);
	feed(mb, "\n");
	/* The '\r' stays, the break is added, the child's '\n' too. */
	cr_assert(match(mb, "^b\r\n\n$"));
	matchbuf_free(mb);
}
