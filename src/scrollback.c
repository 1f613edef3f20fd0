#include "ptyplex/scrollback.h"

#include <stdlib.h>
#include <sys/uio.h>

#include <event2/buffer.h>

#include "ptyplex/log.h"
#include "ptyplex/xalloc.h"

struct scrollback {
	struct evbuffer *buf;
	size_t capacity;
	int cut;  /* bytes have been dropped from the front */
};

struct scrollback *
scrollback_new(size_t capacity)
{
	struct scrollback *sb = xcalloc(1, sizeof *sb);

	sb->capacity = capacity;
	if ((sb->buf = evbuffer_new()) == NULL)
		fatalx("scrollback: cannot allocate a buffer");
	return sb;
}

void
scrollback_free(struct scrollback *sb)
{
	if (sb == NULL)
		return;
	evbuffer_free(sb->buf);
	free(sb);
}

/* Only the last capacity bytes of a large write are ever copied. */
void
scrollback_add(struct scrollback *sb, const void *buf, size_t len)
{
	const char *p = buf;
	size_t held, excess;

	if (sb->capacity == 0 || len == 0)
		return;
	if (len >= sb->capacity) {
		sb->cut = sb->cut || len > sb->capacity ||
		    evbuffer_get_length(sb->buf) > 0;
		evbuffer_drain(sb->buf, evbuffer_get_length(sb->buf));
		evbuffer_add(sb->buf, p + len - sb->capacity, sb->capacity);
		return;
	}
	held = evbuffer_get_length(sb->buf);
	if (held + len > sb->capacity) {
		excess = held + len - sb->capacity;
		evbuffer_drain(sb->buf, excess);
		sb->cut = 1;
	}
	evbuffer_add(sb->buf, p, len);
}

size_t
scrollback_length(const struct scrollback *sb)
{
	return evbuffer_get_length(sb->buf);
}

/* Where the replay starts: after the first newline once cut. */
static size_t
scrollback_start(const struct scrollback *sb)
{
	struct evbuffer_ptr nl;

	if (!sb->cut)
		return 0;
	nl = evbuffer_search(sb->buf, "\n", 1, NULL);
	return nl.pos == -1 ? 0 : (size_t)nl.pos + 1;
}

void
scrollback_replay(const struct scrollback *sb, size_t max,
    scrollback_piece_fn *fn, void *arg)
{
	struct evbuffer_ptr at;
	struct iovec v[8];
	size_t start = scrollback_start(sb), left, piece;
	int n, i;

	if (max == 0)
		fatalx("scrollback: replay in pieces of 0 bytes");
	left = evbuffer_get_length(sb->buf) - start;
	evbuffer_ptr_set(sb->buf, &at, start, EVBUFFER_PTR_SET);
	while (left > 0) {
		n = evbuffer_peek(sb->buf, left, &at, v, 8);
		if (n > 8)
			n = 8;
		for (i = 0; i < n && left > 0; i++) {
			size_t len = v[i].iov_len < left ? v[i].iov_len : left;
			const char *p = v[i].iov_base;

			left -= len;
			evbuffer_ptr_set(sb->buf, &at, len, EVBUFFER_PTR_ADD);
			for (; len > 0; p += piece, len -= piece) {
				piece = len < max ? len : max;
				fn(arg, p, piece);
			}
		}
	}
}
