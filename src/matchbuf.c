#include "ptyplex/matchbuf.h"

#include <stdlib.h>
#include <string.h>

#include "ptyplex/log.h"
#include "ptyplex/xalloc.h"

/*
 * regexec() needs the text in one piece, so this is a flat array rather
 * than an evbuffer (and the module stays free of libevent). It holds twice
 * the limit: bytes are appended until it is full, then the newest limit
 * bytes move to the front, so each byte is moved at most once on average.
 * Only the newest limit bytes count (matchbuf_window()), whatever the
 * array holds at the moment. A NUL always follows the data: regexec()
 * reads by length (REG_STARTEND), but sanitizers' regexec() interceptors
 * measure the text with strlen().
 */
struct matchbuf {
	char *buf;
	size_t len;     /* bytes in buf */
	size_t cap;     /* 2 * limit */
	size_t limit;
	size_t start;   /* output before this offset is used up */
	int dropped_nl; /* the byte before buf[0] (dropped) was a '\n' */
	int cr_last;    /* buf ends with a '\r' that a '\n' may follow */
};

struct matchbuf *
matchbuf_new(size_t limit)
{
	struct matchbuf *mb;

	if (limit < 16)
		fatalx("matchbuf: limit %zu too small", limit);
	mb = xcalloc(1, sizeof *mb);
	mb->limit = limit;
	mb->cap = 2 * limit;
	mb->buf = xmalloc(mb->cap + 1);
	mb->buf[0] = '\0';
	mb->dropped_nl = 1; /* the start of the output is a line start */
	return mb;
}

void
matchbuf_free(struct matchbuf *mb)
{
	if (mb == NULL)
		return;
	free(mb->buf);
	free(mb);
}

/* Makes room for n more bytes (n <= limit) by dropping the oldest. */
static void
matchbuf_make_room(struct matchbuf *mb, size_t n)
{
	size_t keep, drop;

	if (mb->len + n <= mb->cap)
		return;
	keep = mb->limit - n;
	if (keep > mb->len)
		keep = mb->len;
	drop = mb->len - keep;
	if (drop == 0)
		return;
	mb->dropped_nl = mb->buf[drop - 1] == '\n';
	memmove(mb->buf, mb->buf + drop, keep);
	mb->len = keep;
	mb->buf[keep] = '\0';
	mb->start = mb->start > drop ? mb->start - drop : 0;
}

/* Appends bytes that hold no "\r\n". */
static void
matchbuf_append(struct matchbuf *mb, const char *p, size_t n)
{
	if (n > mb->limit) {
		/* Only the newest limit bytes can be kept. */
		mb->dropped_nl = p[n - mb->limit - 1] == '\n';
		p += n - mb->limit;
		n = mb->limit;
		mb->len = mb->start = 0;
	}
	matchbuf_make_room(mb, n);
	memcpy(mb->buf + mb->len, p, n);
	mb->len += n;
	mb->buf[mb->len] = '\0';
}

void
matchbuf_feed(struct matchbuf *mb, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *cr;

	if (len == 0)
		return;
	/* The '\n' that completes a "\r\n" whose '\r' came last time. */
	if (mb->cr_last && *p == '\n' && mb->len > mb->start) {
		mb->buf[mb->len - 1] = '\n';
		p++;
	}
	mb->cr_last = 0;
	while (p < end && (cr = memchr(p, '\r', end - p)) != NULL) {
		if (cr + 1 < end && cr[1] == '\n') {
			matchbuf_append(mb, p, cr - p);
			p = cr + 1; /* the '\n' starts the next piece */
			continue;
		}
		matchbuf_append(mb, p, cr + 1 - p);
		p = cr + 1;
	}
	matchbuf_append(mb, p, end - p);
	mb->cr_last = len > 0 && buf[len - 1] == '\r';
}

void
matchbuf_end_line(struct matchbuf *mb)
{
	if (mb->len == 0 || mb->buf[mb->len - 1] == '\n')
		return;
	mb->cr_last = 0;
	matchbuf_append(mb, "\n", 1);
}

/* Where the output that counts begins: the newest limit bytes at most. */
static size_t
matchbuf_window(const struct matchbuf *mb)
{
	size_t oldest = mb->len > mb->limit ? mb->len - mb->limit : 0;

	return mb->start > oldest ? mb->start : oldest;
}

/* Whether offset off (in buf) is the start of a line. */
static int
matchbuf_is_bol(const struct matchbuf *mb, size_t off)
{
	return off > 0 ? mb->buf[off - 1] == '\n' : mb->dropped_nl;
}

int
matchbuf_match(struct matchbuf *mb, const regex_t *re, int consume)
{
	size_t from = matchbuf_window(mb);
	regmatch_t m;
	int flags = REG_STARTEND;

	if (!matchbuf_is_bol(mb, from))
		flags |= REG_NOTBOL;
	/* REG_STARTEND: the text is a length, not a C string (NULs pass). */
	m.rm_so = 0;
	m.rm_eo = mb->len - from;
	if (regexec(re, mb->buf + from, 1, &m, flags) != 0)
		return 0;
	if (consume)
		mb->start = from + m.rm_eo;
	return 1;
}

size_t
matchbuf_pending(const struct matchbuf *mb)
{
	return mb->len - matchbuf_window(mb);
}

const char *
matchbuf_tail(const struct matchbuf *mb, size_t max_lines, size_t *len)
{
	size_t oldest = mb->len > mb->limit ? mb->len - mb->limit : 0;
	size_t end = mb->len, p, lines = 0;

	/* A trailing newline ends the last line rather than starting one. */
	if (end > oldest && mb->buf[end - 1] == '\n')
		end--;
	for (p = end; p > oldest && max_lines > 0; p--) {
		if (mb->buf[p - 1] == '\n' && ++lines == max_lines)
			break;
	}
	*len = max_lines > 0 ? end - p : 0;
	return mb->buf + (max_lines > 0 ? p : end);
}
