#include "ptyplex/scrollback.h"

#include <stdlib.h>
#include <string.h>

#include "ptyplex/log.h"
#include "ptyplex/xalloc.h"

/* The first allocation; the ring doubles from here up to its capacity. */
#define SCROLLBACK_FIRST_SIZE 1024

/*
 * A plain ring: one memcpy per read, where a chain of buffers cost a
 * drain and an add. It grows only while nothing has been dropped, so until
 * it reaches its capacity its bytes start at 0 and realloc keeps them; a
 * thousand quiet children hold a page each, not their whole capacity.
 */
struct scrollback {
	char *ring;
	size_t capacity; /* most bytes ever held */
	size_t size;     /* bytes allocated, at most capacity */
	size_t start;    /* index of the oldest byte */
	size_t len;      /* bytes held */
	int cut;         /* bytes have been dropped from the front */
};

struct scrollback *
scrollback_new(size_t capacity)
{
	struct scrollback *sb = xcalloc(1, sizeof *sb);

	sb->capacity = capacity;
	return sb;
}

void
scrollback_free(struct scrollback *sb)
{
	if (sb == NULL)
		return;
	free(sb->ring);
	free(sb);
}

static void
scrollback_grow(struct scrollback *sb, size_t need)
{
	size_t size = sb->size > 0 ? sb->size : SCROLLBACK_FIRST_SIZE;

	while (size < need)
		size *= 2;
	if (size > sb->capacity)
		size = sb->capacity;
	sb->ring = xreallocarray(sb->ring, 1, size);
	sb->size = size;
}

/* Copies len bytes in at index at, wrapping around the end. */
static void
scrollback_put(struct scrollback *sb, size_t at, const char *p, size_t len)
{
	size_t first = sb->size - at < len ? sb->size - at : len;

	memcpy(sb->ring + at, p, first);
	memcpy(sb->ring, p + first, len - first);
}

/* Only the last capacity bytes of a large write are ever copied. */
void
scrollback_add(struct scrollback *sb, const void *buf, size_t len)
{
	const char *p = buf;
	size_t excess;

	if (sb->capacity == 0 || len == 0)
		return;
	if (len >= sb->capacity) {
		sb->cut = sb->cut || len > sb->capacity || sb->len > 0;
		if (sb->size < sb->capacity)
			scrollback_grow(sb, sb->capacity);
		memcpy(sb->ring, p + len - sb->capacity, sb->capacity);
		sb->start = 0;
		sb->len = sb->capacity;
		return;
	}
	if (sb->len + len > sb->size && sb->size < sb->capacity)
		scrollback_grow(sb, sb->len + len);
	if (sb->len + len > sb->size) {
		excess = sb->len + len - sb->size;
		sb->start = (sb->start + excess) % sb->size;
		sb->len -= excess;
		sb->cut = 1;
	}
	scrollback_put(sb, (sb->start + sb->len) % sb->size, p, len);
	sb->len += len;
}

size_t
scrollback_length(const struct scrollback *sb)
{
	return sb->len;
}

/* The held bytes as at most two runs, oldest first. */
static int
scrollback_runs(const struct scrollback *sb, const char *run[2],
    size_t runlen[2])
{
	size_t first;

	if (sb->len == 0)
		return 0;
	first = sb->size - sb->start < sb->len ? sb->size - sb->start : sb->len;
	run[0] = sb->ring + sb->start;
	runlen[0] = first;
	run[1] = sb->ring;
	runlen[1] = sb->len - first;
	return runlen[1] > 0 ? 2 : 1;
}

/* Where the replay starts: after the first newline once cut. */
static size_t
scrollback_skip(const char *run[2], size_t runlen[2], int nruns)
{
	const char *nl;
	size_t skipped = 0;
	int i;

	for (i = 0; i < nruns; i++) {
		if ((nl = memchr(run[i], '\n', runlen[i])) != NULL)
			return skipped + (size_t)(nl - run[i]) + 1;
		skipped += runlen[i];
	}
	return 0;
}

void
scrollback_replay(const struct scrollback *sb, size_t max,
    scrollback_piece_fn *fn, void *arg)
{
	const char *run[2], *p;
	size_t runlen[2], skip = 0, len, piece;
	int nruns, i;

	if (max == 0)
		fatalx("scrollback: replay in pieces of 0 bytes");
	nruns = scrollback_runs(sb, run, runlen);
	if (sb->cut)
		skip = scrollback_skip(run, runlen, nruns);
	for (i = 0; i < nruns; i++) {
		p = run[i];
		len = runlen[i];
		piece = skip < len ? skip : len;
		p += piece;
		len -= piece;
		skip -= piece;
		for (; len > 0; p += piece, len -= piece) {
			piece = len < max ? len : max;
			fn(arg, p, piece);
		}
	}
}
