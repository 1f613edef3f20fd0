#include "ptyplex/framer.h"

#include <stdlib.h>
#include <string.h>

#include "ptyplex/log.h"
#include "ptyplex/xalloc.h"

/*
 * Lines that lie wholly inside a fed chunk go to emit straight from the
 * caller's buffer; only the tail after the last '\n' is copied, into buf.
 * A line longer than max_line is cut lazily: a full buf becomes a piece
 * only once a further byte of the same line arrives, so a line of exactly
 * max_line bytes stays one line whatever the chunking.
 */
struct framer {
	framer_emit_fn	*emit;
	void		*arg;
	size_t		 max_line;

	char		*buf;		/* held bytes of the current line */
	size_t		 len;		/* never more than max_line */

	/*
	 * Part of the current line was already emitted (a max_line piece
	 * or a flushed partial). If the line then ends with nothing more,
	 * there is nothing left to show: no empty line.
	 */
	int		 started;
};

struct framer *
framer_new(size_t max_line, framer_emit_fn *emit, void *arg)
{
	struct framer *f;

	if (max_line < 2)
		fatalx("framer: max_line %zu is below 2", max_line);
	f = xcalloc(1, sizeof *f);
	f->emit = emit;
	f->arg = arg;
	f->max_line = max_line;
	f->buf = xmalloc(max_line);
	return f;
}

void
framer_free(struct framer *f)
{
	if (f == NULL)
		return;
	free(f->buf);
	free(f);
}

size_t
framer_pending(const struct framer *f)
{
	return f->len;
}

/* A max_line piece of a line that goes on. */
static void
framer_piece(struct framer *f, const char *p, size_t n)
{
	f->emit(f->arg, p, n, FRAMER_LINE);
	f->started = 1;
}

/*
 * The end of a line whose content (terminator removed) is p[0..n) and
 * nothing held; p may be the caller's buffer or our own.
 */
static void
framer_end_line(struct framer *f, const char *p, size_t n)
{
	if (n == 0 && f->started) {
		f->started = 0;
		return;
	}
	while (n > f->max_line) {
		f->emit(f->arg, p, f->max_line, FRAMER_LINE);
		p += f->max_line;
		n -= f->max_line;
	}
	f->emit(f->arg, p, n, FRAMER_LINE);
	f->started = 0;
}

/*
 * Adds line content (no '\n' in it) to what is held. Whatever does not fit
 * goes out in max_line pieces, from the caller's buffer where it can; at
 * least one byte stays held when n > 0.
 */
static void
framer_append(struct framer *f, const char *p, size_t n)
{
	size_t	room, k;

	if (f->len > 0) {
		room = f->max_line - f->len;
		k = n < room ? n : room;
		memcpy(f->buf + f->len, p, k);
		f->len += k;
		p += k;
		n -= k;
		if (n == 0)
			return;
		framer_piece(f, f->buf, f->len);
		f->len = 0;
	}
	while (n > f->max_line) {
		framer_piece(f, p, f->max_line);
		p += f->max_line;
		n -= f->max_line;
	}
	memcpy(f->buf, p, n);
	f->len = n;
}

/* One memchr per line; complete lines leave without being copied. */
void
framer_feed(struct framer *f, const char *buf, size_t len)
{
	const char	*end, *nl;
	size_t		 n, held;

	if (len == 0)
		return;
	end = buf + len;
	while (buf < end) {
		if ((nl = memchr(buf, '\n', end - buf)) == NULL) {
			framer_append(f, buf, end - buf);
			return;
		}
		/* The '\r' of a "\r\n" may be held from an earlier feed. */
		n = nl - buf;
		if (n > 0 && nl[-1] == '\r')
			n--;
		else if (n == 0 && f->len > 0 && f->buf[f->len - 1] == '\r')
			f->len--;

		if (f->len == 0)
			framer_end_line(f, buf, n);
		else {
			framer_append(f, buf, n);
			held = f->len;
			f->len = 0;
			framer_end_line(f, f->buf, held);
		}
		buf = nl + 1;
	}
}

/*
 * Shows the held bytes as a partial line. A trailing '\r' stays held: if
 * a '\n' follows, it was half of the line end and must not be shown.
 */
void
framer_flush(struct framer *f)
{
	size_t	n = f->len;
	int	cr;

	if (n == 0)
		return;
	cr = f->buf[n - 1] == '\r';
	if (cr)
		n--;
	if (n == 0)
		return;
	f->emit(f->arg, f->buf, n, FRAMER_PARTIAL);
	f->started = 1;
	f->len = 0;
	if (cr)
		f->buf[f->len++] = '\r';
}

/* No line end will come: the held bytes, '\r' and all, are the last line. */
void
framer_finish(struct framer *f)
{
	size_t	n = f->len;

	f->len = 0;
	f->started = 0;
	if (n > 0)
		f->emit(f->arg, f->buf, n, FRAMER_LINE);
}
