/*
 * libFuzzer target for the framer.
 *
 * Input: byte 0 picks max_line (2..65), bytes 1-2 seed the chunk sizes and
 * the flush points; the rest is what a child wrote. The framer is run three
 * ways and each run is checked against a byte-at-a-time model of the
 * contract in framer.h:
 *   - chunked, with flushes between chunks;
 *   - the same chunks without flushes;
 *   - the whole input in one feed.
 * Every emitted line must also be at most max_line bytes with no '\n', and
 * the lines of each run must add up to the input less its line terminators.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptyplex/framer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Emitted lines, serialized as kind, length, bytes; and their content. */
struct record {
	size_t	 max_line;
	char	*events;
	size_t	 events_len;
	char	*content;
	size_t	 content_len;
};

/* The contract, one byte at a time. */
struct model {
	struct record	*rec;
	size_t		 max_line;
	char		*line;
	size_t		 len;
	int		 started;
};

static void
fail(const char *what)
{
	fprintf(stderr, "fuzz_framer: %s\n", what);
	abort();
}

static void
record_init(struct record *rec, size_t max_line, size_t size)
{
	/* Each byte adds at most one event (a kind, a length, itself). */
	rec->max_line = max_line;
	rec->events = malloc(2 * (size + 1) * (1 + sizeof(size_t)) + size);
	rec->content = malloc(size + 1);
	if (rec->events == NULL || rec->content == NULL)
		fail("out of memory");
	rec->events_len = 0;
	rec->content_len = 0;
}

static void
record_release(struct record *rec)
{
	free(rec->events);
	free(rec->content);
}

static void
record_emit(void *arg, const char *line, size_t len, enum framer_kind kind)
{
	struct record *rec = arg;

	if (len > rec->max_line)
		fail("line longer than max_line");
	if (memchr(line, '\n', len) != NULL)
		fail("'\\n' inside a line");
	if (kind == FRAMER_PARTIAL && len == 0)
		fail("empty partial");
	if (kind != FRAMER_LINE && kind != FRAMER_PARTIAL)
		fail("unknown kind");

	rec->events[rec->events_len++] = kind == FRAMER_LINE ? 'L' : 'P';
	memcpy(rec->events + rec->events_len, &len, sizeof len);
	rec->events_len += sizeof len;
	memcpy(rec->events + rec->events_len, line, len);
	rec->events_len += len;
	memcpy(rec->content + rec->content_len, line, len);
	rec->content_len += len;
}

static void
record_compare(const struct record *a, const struct record *b,
    const char *what)
{
	if (a->events_len != b->events_len ||
	    memcmp(a->events, b->events, a->events_len) != 0)
		fail(what);
}

static void
model_init(struct model *m, struct record *rec, size_t max_line)
{
	m->rec = rec;
	m->max_line = max_line;
	m->line = malloc(max_line);
	if (m->line == NULL)
		fail("out of memory");
	m->len = 0;
	m->started = 0;
}

static void
model_byte(struct model *m, char c)
{
	if (c == '\n') {
		if (m->len > 0 && m->line[m->len - 1] == '\r')
			m->len--;
		if (m->len > 0 || !m->started)
			record_emit(m->rec, m->line, m->len, FRAMER_LINE);
		m->len = 0;
		m->started = 0;
		return;
	}
	if (m->len == m->max_line) {
		record_emit(m->rec, m->line, m->len, FRAMER_LINE);
		m->len = 0;
		m->started = 1;
	}
	m->line[m->len++] = c;
}

static void
model_flush(struct model *m)
{
	size_t	n = m->len;
	int	cr;

	if (n == 0)
		return;
	cr = m->line[n - 1] == '\r';
	if (cr)
		n--;
	if (n == 0)
		return;
	record_emit(m->rec, m->line, n, FRAMER_PARTIAL);
	m->started = 1;
	m->len = 0;
	if (cr)
		m->line[m->len++] = '\r';
}

static void
model_finish(struct model *m)
{
	if (m->len > 0)
		record_emit(m->rec, m->line, m->len, FRAMER_LINE);
	m->len = 0;
	m->started = 0;
	free(m->line);
}

/* A fixed generator: the same input always runs the same way. */
static uint32_t
next_random(uint32_t *state)
{
	*state = *state * 1103515245 + 12345;
	return *state >> 16;
}

/*
 * Feeds in to a framer and to the model in chunks; with flushes, flushes
 * both at the same points. Chunk sizes are mostly small, sometimes large.
 */
static void
run_chunked(const char *in, size_t len, size_t max_line, uint32_t seed,
    int flushes, struct record *got, struct record *want)
{
	struct framer *f = framer_new(max_line, record_emit, got);
	struct model m;
	size_t off, n, i;
	uint32_t r;

	model_init(&m, want, max_line);
	for (off = 0; off < len; off += n) {
		r = next_random(&seed);
		n = r % 8 == 0 ? 1 + r % 512 : 1 + r % (2 * max_line + 2);
		if (n > len - off)
			n = len - off;
		framer_feed(f, in + off, n);
		for (i = off; i < off + n; i++)
			model_byte(&m, in[i]);
		if (framer_pending(f) > max_line)
			fail("more than max_line bytes held");
		if (flushes && r % 3 == 0) {
			framer_flush(f);
			model_flush(&m);
		}
	}
	framer_finish(f);
	model_finish(&m);
	if (framer_pending(f) != 0)
		fail("bytes held after finish");
	framer_free(f);
}

/* One feed, which takes the zero-copy paths as far as they go. */
static void
run_whole(const char *in, size_t len, size_t max_line, struct record *got,
    struct record *want)
{
	struct framer *f = framer_new(max_line, record_emit, got);
	struct model m;
	size_t i;

	framer_feed(f, in, len);
	framer_finish(f);
	framer_free(f);
	model_init(&m, want, max_line);
	for (i = 0; i < len; i++)
		model_byte(&m, in[i]);
	model_finish(&m);
}

/* Line terminators removed: '\n', and a '\r' right before one. */
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

static void
check_content(const struct record *rec, const char *want, size_t want_len)
{
	if (rec->content_len != want_len ||
	    memcmp(rec->content, want, want_len) != 0)
		fail("lines do not add up to the input");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct record got, want;
	const char *in;
	char *stripped;
	size_t len, max_line, stripped_len;
	uint32_t seed;
	int flushes;

	if (size < 3)
		return 0;
	max_line = 2 + data[0] % 64;
	seed = (uint32_t)data[1] << 8 | data[2];
	in = (const char *)data + 3;
	len = size - 3;

	if ((stripped = malloc(len + 1)) == NULL)
		fail("out of memory");
	stripped_len = strip_terminators(in, len, stripped);

	for (flushes = 1; flushes >= 0; flushes--) {
		record_init(&got, max_line, len);
		record_init(&want, max_line, len);
		run_chunked(in, len, max_line, seed, flushes, &got, &want);
		record_compare(&got, &want, flushes ?
		    "chunked with flushes differs from the model" :
		    "chunked differs from the model");
		check_content(&got, stripped, stripped_len);
		record_release(&got);
		record_release(&want);
	}

	record_init(&got, max_line, len);
	record_init(&want, max_line, len);
	run_whole(in, len, max_line, &got, &want);
	record_compare(&got, &want, "one feed differs from the model");
	check_content(&got, stripped, stripped_len);
	record_release(&got);
	record_release(&want);

	free(stripped);
	return 0;
}
