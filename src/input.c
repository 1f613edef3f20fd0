#include "ptyplex/input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "ptyplex/child.h"
#include "ptyplex/log.h"
#include "ptyplex/session.h"
#include "ptyplex/xalloc.h"

/* A line longer than this is routed in pieces: memory stays bounded. */
#define STDIN_LINE_MAX 4096
#define STDIN_READ_SIZE 16384

struct input_queue {
	struct event_base *base;
	struct evbuffer *buf;
	struct event *write_ev;
	int fd;
	int was_full; /* a source may be waiting for room */
	input_room_fn *room;
	void *arg;
};

static void input_queue_write_cb(evutil_socket_t fd, short what, void *arg);
static void stdin_router_read_cb(evutil_socket_t fd, short what, void *arg);

struct input_queue *
input_queue_new(struct event_base *base, input_room_fn *room, void *arg)
{
	struct input_queue *q = xcalloc(1, sizeof *q);

	q->base = base;
	q->fd = -1;
	q->room = room;
	q->arg = arg;
	if ((q->buf = evbuffer_new()) == NULL)
		fatalx("input: cannot allocate a buffer");
	return q;
}

void
input_queue_free(struct input_queue *q)
{
	if (q == NULL)
		return;
	input_queue_close(q);
	evbuffer_free(q->buf);
	free(q);
}

void
input_queue_set_fd(struct input_queue *q, int fd)
{
	input_queue_close(q);
	q->fd = fd;
	q->write_ev = event_new(q->base, fd, EV_WRITE | EV_PERSIST,
	    input_queue_write_cb, q);
	if (q->write_ev == NULL)
		fatalx("input: cannot allocate an event");
}

/* Tells waiting sources once the queue has room again. */
static void
input_queue_check_room(struct input_queue *q)
{
	if (q->was_full && input_queue_has_room(q)) {
		q->was_full = 0;
		q->room(q->arg);
	}
}

void
input_queue_close(struct input_queue *q)
{
	if (q->write_ev != NULL)
		event_free(q->write_ev);
	q->write_ev = NULL;
	q->fd = -1;
	evbuffer_drain(q->buf, evbuffer_get_length(q->buf));
	input_queue_check_room(q);
}

int
input_queue_has_room(const struct input_queue *q)
{
	return evbuffer_get_length(q->buf) < INPUT_QUEUE_MAX;
}

size_t
input_queue_length(const struct input_queue *q)
{
	return evbuffer_get_length(q->buf);
}

/* Hands what it can to the pty; what is left waits for EV_WRITE. */
static void
input_queue_write(struct input_queue *q)
{
	if (evbuffer_write(q->buf, q->fd) == -1 && errno != EAGAIN &&
	    errno != EINTR) {
		/* EIO: the child is gone and nothing will read this. */
		evbuffer_drain(q->buf, evbuffer_get_length(q->buf));
	}
}

void
input_queue_push(struct input_queue *q, const void *buf, size_t len)
{
	int was_empty;

	if (q->fd == -1 || len == 0)
		return;
	was_empty = evbuffer_get_length(q->buf) == 0;
	evbuffer_add(q->buf, buf, len);
	/* Nothing queued before it: write now, a loop turn sooner. */
	if (was_empty)
		input_queue_write(q);
	if (evbuffer_get_length(q->buf) == 0)
		return;
	if (!input_queue_has_room(q))
		q->was_full = 1;
	event_add(q->write_ev, NULL);
}

static void
input_queue_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct input_queue *q = arg;

	(void)fd;
	(void)what;
	input_queue_write(q);
	if (evbuffer_get_length(q->buf) == 0)
		event_del(q->write_ev);
	input_queue_check_room(q);
}

int
input_fd_is_pollable(int fd)
{
	struct stat st;

	if (fstat(fd, &st) == -1)
		return 0;
	return S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || isatty(fd);
}

struct stdin_router {
	struct session *session;
	int fd;
	int pollable;
	int eof;
	int waiting;           /* the target has no room: not reading */
	struct evbuffer *buf;  /* bytes read, not routed yet */
	struct child *target;  /* where the rest of a long line goes */
	struct event *read_ev;
	int saved_flags;
};

struct stdin_router *
stdin_router_new(struct session *s, int fd)
{
	struct stdin_router *r = xcalloc(1, sizeof *r);

	r->session = s;
	r->fd = fd;
	r->pollable = input_fd_is_pollable(fd);
	r->buf = evbuffer_new();
	/* Regular files and /dev/null: no readiness to wait for. */
	r->read_ev = event_new(s->base, r->pollable ? fd : -1,
	    r->pollable ? EV_READ | EV_PERSIST : 0, stdin_router_read_cb, r);
	if (r->buf == NULL || r->read_ev == NULL)
		fatalx("stdin: cannot allocate events");
	r->saved_flags = fcntl(fd, F_GETFL);
	if (r->pollable && r->saved_flags != -1)
		fcntl(fd, F_SETFL, r->saved_flags | O_NONBLOCK);
	stdin_router_resume(r);
	return r;
}

void
stdin_router_free(struct stdin_router *r)
{
	if (r == NULL)
		return;
	if (r->pollable && r->saved_flags != -1)
		fcntl(r->fd, F_SETFL, r->saved_flags);
	event_free(r->read_ev);
	evbuffer_free(r->buf);
	free(r);
}

/* Child named by a "NAME: " route at the start of line, or NULL. */
static struct child *
stdin_router_route(struct stdin_router *r, const char *line, size_t len,
    size_t *skip)
{
	const char *colon = memchr(line, ':', len < 80 ? len : 80);
	struct child *c;
	size_t after;

	if (colon == NULL || colon == line)
		return NULL;
	c = session_find_child(r->session, line, colon - line);
	if (c == NULL)
		return NULL;
	/* "NAME: text", or a bare "NAME:" for an empty line. */
	after = colon - line + 1;
	if (after < len && line[after] == ' ')
		after++;
	else if (after < len && line[after] != '\n')
		return NULL;
	*skip = after;
	return c;
}

/*
 * Sends one line (or the first piece of a long one) to its child. Returns
 * 0 when it was routed, -1 when the child has no room yet.
 */
static int
stdin_router_send(struct stdin_router *r, size_t len, int complete)
{
	char *line = (char *)evbuffer_pullup(r->buf, len);
	struct child *target = r->target;
	size_t skip = 0;

	if (target == NULL)
		target = stdin_router_route(r, line, len, &skip);
	if (target == NULL)
		target = session_default_input(r->session);
	if (!child_input_has_room(target))
		return -1;
	child_send(target, line + skip, len - skip);
	evbuffer_drain(r->buf, len);
	r->target = complete ? NULL : target;
	return 0;
}

/* Routes every whole line in the buffer, and long or final fragments. */
static void
stdin_router_route_all(struct stdin_router *r)
{
	struct evbuffer_ptr eol;
	size_t len, eol_len;

	for (;;) {
		len = evbuffer_get_length(r->buf);
		if (len == 0)
			return;
		eol = evbuffer_search_eol(r->buf, NULL, &eol_len,
		    EVBUFFER_EOL_LF);
		if (eol.pos != -1) {
			if (stdin_router_send(r, eol.pos + 1, 1) == -1)
				break;
		} else if (len >= STDIN_LINE_MAX || r->eof) {
			if (stdin_router_send(r, len, 0) == -1)
				break;
		} else
			return;
	}
	r->waiting = 1;
	event_del(r->read_ev);
}

static void
stdin_router_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct stdin_router *r = arg;
	int n;

	(void)fd;
	(void)what;
	n = evbuffer_read(r->buf, r->fd, STDIN_READ_SIZE);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		r->eof = 1;
		event_del(r->read_ev);
	}
	stdin_router_route_all(r);
	if (!r->pollable && !r->eof && !r->waiting)
		event_active(r->read_ev, EV_READ, 0);
	if (r->eof && evbuffer_get_length(r->buf) == 0)
		session_stdin_closed(r->session);
}

void
stdin_router_resume(struct stdin_router *r)
{
	r->waiting = 0;
	stdin_router_route_all(r);
	if (r->waiting)
		return;
	if (r->eof) {
		if (evbuffer_get_length(r->buf) == 0)
			session_stdin_closed(r->session);
		return;
	}
	if (r->pollable)
		event_add(r->read_ev, NULL);
	else
		event_active(r->read_ev, EV_READ, 0);
}
