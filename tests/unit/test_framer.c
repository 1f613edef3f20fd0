#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptyplex/framer.h"

/*
 * What a framer emitted, in order. Lines are also rendered as text: a
 * FRAMER_LINE as "[...]", a FRAMER_PARTIAL as "<...>", so most tests
 * compare one string. Every emission is checked as it arrives.
 */
struct sink {
	size_t		 max_line;
	const char	*fed;		/* last buffer given to framer_feed */
	size_t		 fed_len;

	char		 text[65536];	/* rendered lines */
	size_t		 text_len;
	char		 bytes[65536];	/* all line bytes, concatenated */
	size_t		 bytes_len;

	size_t		 nlines;
	size_t		 from_fed;	/* lines passed straight from fed */
};

static struct sink *
sink_new(size_t max_line)
{
	struct sink *s = calloc(1, sizeof *s);

	cr_assert_not_null(s);
	s->max_line = max_line;
	return s;
}

static void
sink_put(struct sink *s, const char *p, size_t n)
{
	cr_assert_leq(s->text_len + n, sizeof s->text - 1, "sink text full");
	memcpy(s->text + s->text_len, p, n);
	s->text_len += n;
	s->text[s->text_len] = '\0';
}

/* The invariants of every emitted line, checked on arrival. */
static void
assert_sane_line(const struct sink *s, const char *line, size_t len,
    enum framer_kind kind)
{
	cr_assert(kind == FRAMER_LINE || kind == FRAMER_PARTIAL);
	cr_assert_leq(len, s->max_line, "line of %zu bytes, max_line %zu",
	    len, s->max_line);
	cr_assert(len == 0 || line != NULL);
	cr_assert_null(memchr(line, '\n', len), "'\\n' inside a line");
	if (kind == FRAMER_PARTIAL)
		cr_assert_gt(len, 0, "empty partial");
}

static void
sink_emit(void *arg, const char *line, size_t len, enum framer_kind kind)
{
	struct sink *s = arg;

	assert_sane_line(s, line, len, kind);
	sink_put(s, kind == FRAMER_LINE ? "[" : "<", 1);
	sink_put(s, line, len);
	sink_put(s, kind == FRAMER_LINE ? "]" : ">", 1);

	cr_assert_leq(s->bytes_len + len, sizeof s->bytes, "sink bytes full");
	memcpy(s->bytes + s->bytes_len, line, len);
	s->bytes_len += len;
	s->nlines++;
	if (s->fed != NULL && line >= s->fed && line < s->fed + s->fed_len)
		s->from_fed++;
}

static struct framer *
framer_for(struct sink *s)
{
	return framer_new(s->max_line, sink_emit, s);
}

static void
feed(struct framer *f, struct sink *s, const char *buf, size_t len)
{
	s->fed = buf;
	s->fed_len = len;
	framer_feed(f, buf, len);
	cr_assert_leq(framer_pending(f), s->max_line);
	s->fed = NULL;
}

static void
feed_str(struct framer *f, struct sink *s, const char *str)
{
	feed(f, s, str, strlen(str));
}

/* Frames str (fed in one piece, then finished) with max_line. */
static struct sink *
frame_whole(const char *str, size_t len, size_t max_line)
{
	struct sink *s = sink_new(max_line);
	struct framer *f = framer_for(s);

	feed(f, s, str, len);
	framer_finish(f);
	cr_assert_eq(framer_pending(f), 0);
	framer_free(f);
	return s;
}

/* The input less its line terminators: what the lines must add up to. */
static size_t
strip_terminators(const char *in, size_t len, char *out)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (in[i] == '\n')
			continue;
		if (in[i] == '\r' && i + 1 < len && in[i + 1] == '\n')
			continue;
		out[n++] = in[i];
	}
	return n;
}

/* A fixed xorshift, so a failing random test fails the same way again. */
static uint32_t
next_random(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

/* Input made of the bytes that matter to a framer, and some others. */
static void
random_input(uint32_t *state, char *buf, size_t len)
{
	static const char alphabet[] = "\r\n\r\nab\rc\0";
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = alphabet[next_random(state) % (sizeof alphabet - 1)];
}

Test(framer, lf_ends_a_line)
{
	struct sink *s = sink_new(64);
	struct framer *f = framer_for(s);

	feed_str(f, s, "one\ntwo\n");
	cr_assert_str_eq(s->text, "[one][two]");
	cr_assert_eq(framer_pending(f), 0);
	framer_free(f);
	free(s);
}

Test(framer, crlf_becomes_lf)
{
	struct sink *s = sink_new(64);
	struct framer *f = framer_for(s);

	feed_str(f, s, "hi\r\nthere\r\n");
	cr_assert_str_eq(s->text, "[hi][there]");
	framer_free(f);
	free(s);
}

Test(framer, empty_lines_are_kept)
{
	struct sink *s = sink_new(64);
	struct framer *f = framer_for(s);

	feed_str(f, s, "\n\r\n\nx\n");
	cr_assert_str_eq(s->text, "[][][][x]");
	framer_free(f);
	free(s);
}

Test(framer, split_crlf_across_feeds)
{
	struct sink *s = sink_new(64);
	struct framer *f = framer_for(s);

	feed_str(f, s, "hi\r");
	cr_assert_str_eq(s->text, "");
	cr_assert_eq(framer_pending(f), 3);
	feed_str(f, s, "\n");
	cr_assert_str_eq(s->text, "[hi]");
	cr_assert_eq(framer_pending(f), 0);
	framer_free(f);
	free(s);
}

Test(framer, held_cr_alone_then_lf_is_an_empty_line)
{
	struct sink *s = sink_new(64);
	struct framer *f = framer_for(s);

	feed_str(f, s, "a\n\r");
	feed_str(f, s, "\nb\n");
	cr_assert_str_eq(s->text, "[a][][b]");
	framer_free(f);
	free(s);
}

Test(framer, lone_cr_passes_through)
{
	struct sink *s = sink_new(64);
	struct framer *f = framer_for(s);

	feed_str(f, s, "50%\r100%\n\r\r\n\rx\r\n");
	cr_assert_str_eq(s->text, "[50%\r100%][\r][\rx]");
	framer_free(f);
	free(s);
}

Test(framer, nul_and_escape_bytes_pass_through)
{
	static const char in[] = "a\0b\033[1mc\n";
	struct sink *s = frame_whole(in, sizeof in - 1, 64);

	cr_assert_eq(s->bytes_len, sizeof in - 2);
	cr_assert_eq(memcmp(s->bytes, in, sizeof in - 2), 0);
	cr_assert_eq(s->nlines, 1);
	free(s);
}

Test(framer, empty_feed_does_nothing)
{
	struct sink *s = sink_new(64);
	struct framer *f = framer_for(s);

	framer_feed(f, NULL, 0);
	feed_str(f, s, "");
	cr_assert_eq(s->nlines, 0);
	cr_assert_eq(framer_pending(f), 0);
	framer_free(f);
	free(s);
}

Test(framer, partial_line_is_held_until_its_end)
{
	struct sink *s = sink_new(64);
	struct framer *f = framer_for(s);

	feed_str(f, s, "abc");
	cr_assert_str_eq(s->text, "");
	cr_assert_eq(framer_pending(f), 3);
	feed_str(f, s, "def");
	cr_assert_eq(framer_pending(f), 6);
	feed_str(f, s, "g\nh");
	cr_assert_str_eq(s->text, "[abcdefg]");
	cr_assert_eq(framer_pending(f), 1);
	framer_free(f);
	free(s);
}

Test(framer, lines_inside_a_chunk_come_from_the_callers_buffer)
{
	struct sink *s = sink_new(4);
	struct framer *f = framer_for(s);

	/* Three lines and two pieces of a long one: none needs a copy. */
	feed_str(f, s, "a\nbb\r\nccc\nddddeeee\nta");
	cr_assert_str_eq(s->text, "[a][bb][ccc][dddd][eeee]");
	cr_assert_eq(s->from_fed, 5);
	framer_free(f);
	free(s);
}

Test(framer, long_line_split_at_max_line)
{
	struct sink *s = frame_whole("abcdefghij\n", 11, 4);

	cr_assert_str_eq(s->text, "[abcd][efgh][ij]");
	free(s);
}

Test(framer, line_of_exactly_max_line_is_one_line)
{
	struct sink *s = frame_whole("abcd\nefgh\r\nijklmnop\n", 20, 4);

	cr_assert_str_eq(s->text, "[abcd][efgh][ijkl][mnop]");
	free(s);
}

Test(framer, long_line_split_across_feeds_adds_no_empty_line)
{
	struct sink *s = sink_new(4);
	struct framer *f = framer_for(s);

	feed_str(f, s, "ab");
	feed_str(f, s, "cdef");
	cr_assert_str_eq(s->text, "[abcd]");
	feed_str(f, s, "gh");
	cr_assert_eq(framer_pending(f), 4);
	feed_str(f, s, "\n");
	cr_assert_str_eq(s->text, "[abcd][efgh]");
	framer_free(f);
	free(s);
}

Test(framer, split_never_leaves_a_stray_cr_line)
{
	struct sink *s = sink_new(4);
	struct framer *f = framer_for(s);

	/* A full buffer, then "\r" and "\n" in separate feeds. */
	feed_str(f, s, "abcd");
	feed_str(f, s, "\r");
	feed_str(f, s, "\n");
	/* The '\r' of "\r\n" lands exactly at max_line. */
	feed_str(f, s, "efg\r");
	feed_str(f, s, "\n");
	feed_str(f, s, "hijk\r\n");
	cr_assert_str_eq(s->text, "[abcd][efg][hijk]");
	framer_free(f);
	free(s);
}

Test(framer, long_line_without_newline_keeps_memory_bounded)
{
	char chunk[1000];
	struct sink *s = sink_new(16);
	struct framer *f = framer_for(s);
	int i;

	memset(chunk, 'x', sizeof chunk);
	for (i = 0; i < 10; i++) {
		feed(f, s, chunk, sizeof chunk);
		cr_assert_gt(framer_pending(f), 0);
	}
	cr_assert_eq(s->bytes_len + framer_pending(f), 10 * sizeof chunk);
	cr_assert_eq(s->nlines, (10 * sizeof chunk - 1) / 16);
	framer_free(f);
	free(s);
}

Test(framer, smallest_max_line_works)
{
	struct sink *s = frame_whole("abc\r\n\r\r\nxy\rz\n", 13, 2);

	cr_assert_str_eq(s->text, "[ab][c][\r][xy][\rz]");
	free(s);
}

Test(framer, flush_emits_held_bytes_as_partial)
{
	struct sink *s = sink_new(64);
	struct framer *f = framer_for(s);

	feed_str(f, s, "done\nName? ");
	framer_flush(f);
	cr_assert_str_eq(s->text, "[done]<Name? >");
	cr_assert_eq(framer_pending(f), 0);
	framer_free(f);
	free(s);
}

Test(framer, flush_with_nothing_held_emits_nothing)
{
	struct sink *s = sink_new(64);
	struct framer *f = framer_for(s);

	framer_flush(f);
	feed_str(f, s, "line\n");
	framer_flush(f);
	cr_assert_str_eq(s->text, "[line]");
	framer_free(f);
	free(s);
}

Test(framer, flush_keeps_trailing_cr_back)
{
	struct sink *s = sink_new(64);
	struct framer *f = framer_for(s);

	feed_str(f, s, "abc\r");
	framer_flush(f);
	cr_assert_str_eq(s->text, "<abc>");
	cr_assert_eq(framer_pending(f), 1);
	/* A lone held '\r' is not shown either. */
	framer_flush(f);
	cr_assert_str_eq(s->text, "<abc>");
	feed_str(f, s, "\n");
	cr_assert_str_eq(s->text, "<abc>");
	cr_assert_eq(framer_pending(f), 0);
	framer_free(f);
	free(s);
}

Test(framer, flush_keeps_back_only_the_last_cr)
{
	struct sink *s = sink_new(64);
	struct framer *f = framer_for(s);

	/* Only the last '\r' can be half of "\r\n"; the one before is text. */
	feed_str(f, s, "ab\r\r");
	framer_flush(f);
	feed_str(f, s, "\n");
	cr_assert_str_eq(s->text, "<ab\r>");
	framer_free(f);
	free(s);
}

Test(framer, cr_kept_by_flush_stays_content_when_no_lf_follows)
{
	struct sink *s = sink_new(64);
	struct framer *f = framer_for(s);

	feed_str(f, s, "abc\r");
	framer_flush(f);
	feed_str(f, s, "x\n");
	cr_assert_str_eq(s->text, "<abc>[\rx]");
	framer_free(f);
	free(s);
}

Test(framer, partial_flush_then_continuation)
{
	struct sink *s = sink_new(64);
	struct framer *f = framer_for(s);

	feed_str(f, s, "Name: ");
	framer_flush(f);
	feed_str(f, s, "bob\r\nnext\n");
	cr_assert_str_eq(s->text, "<Name: >[bob][next]");
	framer_free(f);
	free(s);
}

Test(framer, repeated_flushes_show_each_new_part)
{
	struct sink *s = sink_new(64);
	struct framer *f = framer_for(s);

	feed_str(f, s, "a");
	framer_flush(f);
	feed_str(f, s, "b");
	framer_flush(f);
	framer_flush(f);
	feed_str(f, s, "\n");
	cr_assert_str_eq(s->text, "<a><b>");
	framer_free(f);
	free(s);
}

Test(framer, flushed_partial_followed_by_newline_emits_no_empty_line)
{
	struct sink *s = sink_new(64);
	struct framer *f = framer_for(s);

	feed_str(f, s, "abc");
	framer_flush(f);
	feed_str(f, s, "\n");
	feed_str(f, s, "def");
	framer_flush(f);
	feed_str(f, s, "\r\n");
	cr_assert_str_eq(s->text, "<abc><def>");
	/* Only the first line end belonged to the partial. */
	feed_str(f, s, "\n");
	cr_assert_str_eq(s->text, "<abc><def>[]");
	framer_free(f);
	free(s);
}

Test(framer, flush_of_a_full_buffer_respects_max_line)
{
	struct sink *s = sink_new(4);
	struct framer *f = framer_for(s);

	feed_str(f, s, "abcdef");
	framer_flush(f);
	feed_str(f, s, "ghi\r");
	framer_flush(f);
	feed_str(f, s, "\n");
	cr_assert_str_eq(s->text, "[abcd]<ef><ghi>");
	framer_free(f);
	free(s);
}

Test(framer, finish_emits_last_line_without_newline)
{
	struct sink *s = sink_new(64);
	struct framer *f = framer_for(s);

	feed_str(f, s, "one\ntail");
	framer_finish(f);
	cr_assert_str_eq(s->text, "[one][tail]");
	cr_assert_eq(framer_pending(f), 0);
	framer_free(f);
	free(s);
}

Test(framer, finish_includes_trailing_cr)
{
	struct sink *s = frame_whole("tail\r", 5, 64);

	cr_assert_str_eq(s->text, "[tail\r]");
	free(s);
}

Test(framer, finish_emits_cr_kept_by_flush)
{
	struct sink *s = sink_new(64);
	struct framer *f = framer_for(s);

	feed_str(f, s, "abc\r");
	framer_flush(f);
	framer_finish(f);
	cr_assert_str_eq(s->text, "<abc>[\r]");
	framer_free(f);
	free(s);
}

Test(framer, finish_with_nothing_held_emits_nothing)
{
	struct sink *s = sink_new(64);
	struct framer *f = framer_for(s);

	framer_finish(f);
	feed_str(f, s, "line\n");
	framer_finish(f);
	feed_str(f, s, "prompt");
	framer_flush(f);
	framer_finish(f);
	cr_assert_str_eq(s->text, "[line]<prompt>");
	framer_free(f);
	free(s);
}

Test(framer, finish_leaves_a_fresh_framer)
{
	struct sink *s = sink_new(64);
	struct framer *f = framer_for(s);

	feed_str(f, s, "p");
	framer_flush(f);
	framer_finish(f);
	/* The flushed partial is forgotten: this empty line is real. */
	feed_str(f, s, "\nx\n");
	cr_assert_str_eq(s->text, "<p>[][x]");
	framer_free(f);
	free(s);
}

Test(framer, free_null_does_nothing)
{
	framer_free(NULL);
}

Test(framer, max_line_below_two_is_a_bug, .exit_code = 125,
    .init = cr_redirect_stderr)
{
	struct sink *s = sink_new(1);

	framer_new(1, sink_emit, s);
}

Test(framer, byte_at_a_time_equals_whole_chunk)
{
	static const char in[] = "ab\r\ncd\rx\n\r\r\nabcdefgh\r\n\n"
	    "abcdefg\r\r\nxyz\r";
	size_t len = sizeof in - 1, max_line, i;
	struct sink *whole, *bytes;
	struct framer *f;

	for (max_line = 2; max_line <= 10; max_line++) {
		whole = frame_whole(in, len, max_line);
		bytes = sink_new(max_line);
		f = framer_for(bytes);
		for (i = 0; i < len; i++)
			feed(f, bytes, in + i, 1);
		framer_finish(f);
		cr_assert_str_eq(bytes->text, whole->text,
		    "max_line %zu", max_line);
		framer_free(f);
		free(bytes);
		free(whole);
	}
}

Test(framer, whole_chunk_matches_the_line_rules)
{
	static const char in[] = "abcdefgh\r\r\nxy\n";
	struct sink *s = frame_whole(in, sizeof in - 1, 4);

	/* Content "abcdefgh\r" is cut every 4 bytes; its '\r' is content. */
	cr_assert_str_eq(s->text, "[abcd][efgh][\r][xy]");
	free(s);
}

Test(framer, random_chunkings_give_the_same_lines)
{
	static char in[4096];
	uint32_t state = 0x2545f491;
	struct sink *whole, *chunked;
	struct framer *f;
	size_t max_line, off, n;
	int round;

	for (round = 0; round < 200; round++) {
		max_line = 2 + next_random(&state) % 12;
		random_input(&state, in, sizeof in);
		whole = frame_whole(in, sizeof in, max_line);
		chunked = sink_new(max_line);
		f = framer_for(chunked);
		for (off = 0; off < sizeof in; off += n) {
			n = 1 + next_random(&state) % (3 * max_line);
			if (n > sizeof in - off)
				n = sizeof in - off;
			feed(f, chunked, in + off, n);
		}
		framer_finish(f);
		cr_assert_eq(chunked->text_len, whole->text_len,
		    "round %d", round);
		cr_assert_eq(memcmp(chunked->text, whole->text,
		    whole->text_len), 0, "round %d", round);
		framer_free(f);
		free(chunked);
		free(whole);
	}
}

Test(framer, random_chunkings_and_flushes_preserve_content)
{
	static char in[4096], want[4096];
	uint32_t state = 0x9e3779b9;
	struct sink *s;
	struct framer *f;
	size_t max_line, off, n, want_len;
	int round;

	for (round = 0; round < 200; round++) {
		max_line = 2 + next_random(&state) % 12;
		random_input(&state, in, sizeof in);
		want_len = strip_terminators(in, sizeof in, want);
		s = sink_new(max_line);
		f = framer_for(s);
		for (off = 0; off < sizeof in; off += n) {
			n = 1 + next_random(&state) % (3 * max_line);
			if (n > sizeof in - off)
				n = sizeof in - off;
			feed(f, s, in + off, n);
			if (next_random(&state) % 3 == 0)
				framer_flush(f);
		}
		framer_finish(f);
		cr_assert_eq(s->bytes_len, want_len, "round %d", round);
		cr_assert_eq(memcmp(s->bytes, want, want_len), 0,
		    "round %d", round);
		framer_free(f);
		free(s);
	}
}
