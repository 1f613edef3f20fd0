/*
 * scrollback: a bounded ring of raw output, replayed in pieces, starting
 * at a line boundary once it has dropped anything.
 */
#include "ptyplex/scrollback.h"

#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct replay {
	char buf[1 << 16];
	size_t len;
	size_t pieces;
	size_t max_piece;
};

static void
collect(void *arg, const char *buf, size_t len)
{
	struct replay *r = arg;

	cr_assert(len > 0, "an empty piece");
	cr_assert(r->len + len <= sizeof r->buf);
	memcpy(r->buf + r->len, buf, len);
	r->len += len;
	r->pieces++;
	if (len > r->max_piece)
		r->max_piece = len;
}

static struct replay *
replay(const struct scrollback *sb, size_t max)
{
	struct replay *r = calloc(1, sizeof *r);

	cr_assert(r != NULL);
	scrollback_replay(sb, max, collect, r);
	return r;
}

/* Never more than the capacity, whatever is added. */
static void
assert_sane(const struct scrollback *sb, size_t capacity)
{
	cr_assert_leq(scrollback_length(sb), capacity);
}

Test(scrollback, keeps_everything_below_capacity)
{
	struct scrollback *sb = scrollback_new(100);
	struct replay *r;

	scrollback_add(sb, "abc", 3);
	scrollback_add(sb, "\033[1mde", 6);
	assert_sane(sb, 100);
	r = replay(sb, 64);
	cr_assert_eq(r->len, 9);
	cr_assert(memcmp(r->buf, "abc\033[1mde", 9) == 0);
	free(r);
	scrollback_free(sb);
}

Test(scrollback, drops_the_oldest_and_starts_after_a_newline)
{
	struct scrollback *sb = scrollback_new(10);
	struct replay *r;

	scrollback_add(sb, "line1\nline2\nab", 14);
	assert_sane(sb, 10);
	cr_assert_eq(scrollback_length(sb), 10);
	/* Held: "1\nline2\nab"; the cut line "1" is not replayed. */
	r = replay(sb, 64);
	cr_assert_eq(r->len, 8);
	cr_assert(memcmp(r->buf, "line2\nab", 8) == 0);
	free(r);
	scrollback_free(sb);
}

Test(scrollback, replays_all_when_no_newline_is_held)
{
	struct scrollback *sb = scrollback_new(4);
	struct replay *r;

	scrollback_add(sb, "abcdef", 6);
	r = replay(sb, 64);
	cr_assert_eq(r->len, 4);
	cr_assert(memcmp(r->buf, "cdef", 4) == 0);
	free(r);
	scrollback_free(sb);
}

Test(scrollback, many_small_writes_stay_bounded_and_in_order)
{
	struct scrollback *sb = scrollback_new(1000);
	struct replay *r;
	char line[16];
	int i;

	for (i = 0; i < 5000; i++) {
		int n = snprintf(line, sizeof line, "%05d\n", i);

		scrollback_add(sb, line, (size_t)n);
		assert_sane(sb, 1000);
	}
	r = replay(sb, 64);
	/* 1000 bytes held, the first (cut) line skipped: whole lines. */
	cr_assert_eq(r->len % 6, 0);
	cr_assert(memcmp(r->buf + r->len - 6, "04999\n", 6) == 0);
	cr_assert_leq(r->max_piece, 64);
	free(r);
	scrollback_free(sb);
}

Test(scrollback, pieces_respect_max)
{
	struct scrollback *sb = scrollback_new(50000);
	static char big[40000];
	struct replay *r;

	memset(big, 'x', sizeof big);
	scrollback_add(sb, big, sizeof big);
	r = replay(sb, 1000);
	cr_assert_eq(r->len, sizeof big);
	cr_assert_eq(r->pieces, 40);
	cr_assert_eq(r->max_piece, 1000);
	free(r);
	scrollback_free(sb);
}

Test(scrollback, zero_capacity_keeps_nothing)
{
	struct scrollback *sb = scrollback_new(0);
	struct replay *r;

	scrollback_add(sb, "abc\n", 4);
	cr_assert_eq(scrollback_length(sb), 0);
	r = replay(sb, 10);
	cr_assert_eq(r->pieces, 0);
	free(r);
	scrollback_free(sb);
	scrollback_free(NULL);
}

/*
 * Against a plain model: the last capacity bytes, the replay starting after
 * their first newline once anything was dropped. Sizes that cross the end of
 * the ring, grow it, and overrun it whole, with newlines placed so that the
 * first one held is sometimes on either side of the wrap.
 */
Test(scrollback, matches_a_model_across_growth_and_wrap)
{
	enum { CAP = 10000, TOTAL = 400000 };
	static char all[TOTAL];
	struct scrollback *sb = scrollback_new(CAP);
	size_t total = 0, step = 0, from, nl;
	unsigned seed = 7;
	struct replay *r;

	while (total < TOTAL - CAP - 1) {
		size_t len = (seed = seed * 1103515245 + 12345) >> 16;
		size_t i;

		len = step % 50 == 49 ? CAP + len % 3 : 1 + len % 3000;
		if (total + len > TOTAL)
			break;
		for (i = 0; i < len; i++)
			all[total + i] = (total + i) % 997 == 0 ? '\n' :
			    'a' + (total + i) % 26;
		scrollback_add(sb, all + total, len);
		total += len;
		step++;

		from = total > CAP ? total - CAP : 0;
		cr_assert_eq(scrollback_length(sb), total - from);
		if (from > 0) {
			for (nl = from; nl < total && all[nl] != '\n'; nl++)
				;
			if (nl < total)
				from = nl + 1;
		}
		r = replay(sb, 4096);
		cr_assert_eq(r->len, total - from, "step %zu: %zu bytes, not %zu",
		    step, r->len, total - from);
		cr_assert(memcmp(r->buf, all + from, r->len) == 0,
		    "step %zu: the replay differs", step);
		free(r);
	}
	scrollback_free(sb);
}
