#include "ptyplex/attach_server.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/queue.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "ptyplex/child.h"
#include "ptyplex/control.h"
#include "ptyplex/log.h"
#include "ptyplex/options.h"
#include "ptyplex/proto.h"
#include "ptyplex/scrollback.h"
#include "ptyplex/session.h"
#include "ptyplex/xalloc.h"

/* How long a closing client may take to read its last message. */
#define ATTACH_CLOSE_SECONDS 10

struct attach_client {
	struct attach_server *as;
	struct child *child;
	struct bufferevent *bev;
	int waiting;  /* an INPUT waits for room in the child's queue */
	int closing;  /* the last message is queued: freed once written */
	TAILQ_ENTRY(attach_client) entry;
};

TAILQ_HEAD(attach_clients, attach_client);

struct attach_server {
	struct session *session;
	size_t limit;          /* bytes a client may leave unread */
	unsigned char *msgbuf; /* PROTO_MAX_MSG: one encoded message */
	struct attach_clients clients;
};

static void attach_client_read_cb(struct bufferevent *bev, void *arg);
static void attach_client_write_cb(struct bufferevent *bev, void *arg);
static void attach_client_event_cb(struct bufferevent *bev, short what,
    void *arg);

/*
 * The bound on a client's unread output: the scrollback (which an attach
 * sends at once) or 1 MiB, whichever is larger, plus one message, so that
 * a replay of the whole scrollback never counts as falling behind.
 */
struct attach_server *
attach_server_new(struct session *s)
{
	struct attach_server *as = xcalloc(1, sizeof *as);
	size_t sb = s->opts->scrollback;

	as->session = s;
	as->limit = (sb > ATTACH_CLIENT_MIN_BUFFER ? sb :
	    ATTACH_CLIENT_MIN_BUFFER) + PROTO_MAX_MSG;
	as->msgbuf = xmalloc(PROTO_MAX_MSG);
	TAILQ_INIT(&as->clients);
	return as;
}

static void
attach_client_free(struct attach_client *cl)
{
	TAILQ_REMOVE(&cl->as->clients, cl, entry);
	bufferevent_free(cl->bev);
	free(cl);
}

void
attach_server_free(struct attach_server *as)
{
	struct attach_client *cl;

	if (as == NULL)
		return;
	while ((cl = TAILQ_FIRST(&as->clients)) != NULL) {
		/* What they have not read yet: an EXITED, say. */
		control_flush_last(cl->bev);
		attach_client_free(cl);
	}
	free(as->msgbuf);
	free(as);
}

static void
attach_client_send(struct attach_client *cl, const struct proto_msg *msg)
{
	size_t n;

	n = proto_encode(msg, cl->as->msgbuf, PROTO_MAX_MSG);
	if (n == 0)
		fatalx("attach: cannot encode a %s message",
		    proto_type_name(msg->type));
	bufferevent_write(cl->bev, cl->as->msgbuf, n);
}

/* Bytes of output, in as many OUTPUT messages as they need. */
static void
attach_client_output(struct attach_client *cl, const char *buf, size_t len)
{
	struct proto_msg msg = { .type = PROTO_OUTPUT };
	size_t n;

	while (len > 0) {
		n = len < PROTO_MAX_DATA ? len : PROTO_MAX_DATA;
		msg.data = buf;
		msg.datalen = n;
		attach_client_send(cl, &msg);
		buf += n;
		len -= n;
	}
}

static void
attach_client_replay_cb(void *arg, const char *buf, size_t len)
{
	attach_client_output(arg, buf, len);
}

/* The last message is queued: stop reading, free once it is written. */
static void
attach_client_close(struct attach_client *cl)
{
	struct timeval tv = { ATTACH_CLOSE_SECONDS, 0 };

	cl->closing = 1;
	bufferevent_disable(cl->bev, EV_READ);
	bufferevent_set_timeouts(cl->bev, NULL, &tv);
	if (evbuffer_get_length(bufferevent_get_output(cl->bev)) == 0)
		attach_client_free(cl);
}

static void attach_client_fail(struct attach_client *cl, const char *fmt,
    ...) __attribute__((format(printf, 2, 3)));

static void
attach_client_fail(struct attach_client *cl, const char *fmt, ...)
{
	struct proto_msg msg = { .type = PROTO_ERROR };
	char text[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	msg.data = text;
	msg.datalen = n < 0 ? 0 : (size_t)n < sizeof text ? (size_t)n :
	    sizeof text - 1;
	attach_client_send(cl, &msg);
	attach_client_close(cl);
}

/*
 * The newest size wins. The kernel signals the foreground process group
 * only when the size changes; a newcomer with the same size gets its
 * SIGWINCH anyway, so a full-screen program redraws for it.
 */
static void
attach_resize(struct child *c, unsigned cols, unsigned rows, int redraw)
{
	struct winsize ws, now;
	pid_t pgrp;

	if (c->master == -1)
		return;
	memset(&ws, 0, sizeof ws);
	ws.ws_col = cols;
	ws.ws_row = rows;
	if (ioctl(c->master, TIOCGWINSZ, &now) == 0 &&
	    now.ws_col == ws.ws_col && now.ws_row == ws.ws_row) {
		if (redraw && (pgrp = tcgetpgrp(c->master)) > 0)
			kill(-pgrp, SIGWINCH);
		return;
	}
	ioctl(c->master, TIOCSWINSZ, &ws);
}

void
attach_server_add(struct attach_server *as, struct bufferevent *bev,
    struct child *c, unsigned cols, unsigned rows)
{
	struct attach_client *cl = xcalloc(1, sizeof *cl);
	struct proto_msg ok = { .type = PROTO_OK };

	cl->as = as;
	cl->child = c;
	cl->bev = bev;
	TAILQ_INSERT_TAIL(&as->clients, cl, entry);
	bufferevent_setwatermark(bev, EV_READ, 0, PROTO_MAX_MSG);
	bufferevent_setwatermark(bev, EV_WRITE, 0, 0);
	bufferevent_set_timeouts(bev, NULL, NULL);
	bufferevent_setcb(bev, attach_client_read_cb, attach_client_write_cb,
	    attach_client_event_cb, cl);
	attach_client_send(cl, &ok);
	scrollback_replay(c->scrollback, PROTO_MAX_DATA,
	    attach_client_replay_cb, cl);
	attach_resize(c, cols, rows, 1);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	/* Keystrokes may have come right behind the ATTACH. */
	attach_client_read_cb(bev, cl);
}

/* Past its bound a client is dropped: nothing here waits for it. */
static int
attach_client_overflowed(struct attach_client *cl)
{
	if (evbuffer_get_length(bufferevent_get_output(cl->bev)) <=
	    cl->as->limit)
		return 0;
	log_notice("%s: dropped an attached client that stopped reading "
	    "(more than %zu bytes behind)", cl->child->name, cl->as->limit);
	attach_client_free(cl);
	return 1;
}

void
attach_server_output(struct attach_server *as, struct child *c,
    const void *buf, size_t len)
{
	struct attach_client *cl, *next;

	if (as == NULL)
		return;
	for (cl = TAILQ_FIRST(&as->clients); cl != NULL; cl = next) {
		next = TAILQ_NEXT(cl, entry);
		if (cl->child != c || cl->closing)
			continue;
		attach_client_output(cl, buf, len);
		attach_client_overflowed(cl);
	}
}

void
attach_server_child_exited(struct attach_server *as, struct child *c)
{
	struct proto_msg msg = { .type = PROTO_EXITED };
	struct attach_client *cl, *next;

	if (as == NULL)
		return;
	if (WIFSIGNALED(c->wait_status)) {
		msg.exit_kind = PROTO_EXIT_SIGNAL;
		msg.exit_value = WTERMSIG(c->wait_status);
	} else {
		msg.exit_kind = PROTO_EXIT_STATUS;
		msg.exit_value = WEXITSTATUS(c->wait_status);
	}
	for (cl = TAILQ_FIRST(&as->clients); cl != NULL; cl = next) {
		next = TAILQ_NEXT(cl, entry);
		if (cl->child != c || cl->closing)
			continue;
		attach_client_send(cl, &msg);
		attach_client_close(cl);
	}
}

/*
 * Handles one message. Returns 0 to go on, 1 if the INPUT must wait for
 * room (not consumed), -1 if the client is closing.
 */
static int
attach_client_handle(struct attach_client *cl, const struct proto_msg *msg)
{
	struct proto_msg ok = { .type = PROTO_OK };

	switch (msg->type) {
	case PROTO_INPUT:
		if (!child_input_has_room(cl->child))
			return 1;
		child_send(cl->child, msg->data, msg->datalen);
		return 0;
	case PROTO_RESIZE:
		attach_resize(cl->child, msg->cols, msg->rows, 0);
		return 0;
	case PROTO_DETACH:
		attach_client_send(cl, &ok);
		attach_client_close(cl);
		return -1;
	default:
		attach_client_fail(cl, "%s is not valid while attached",
		    proto_type_name(msg->type));
		return -1;
	}
}

static void
attach_client_read_cb(struct bufferevent *bev, void *arg)
{
	struct attach_client *cl = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct proto_msg msg;
	char err[160];
	size_t size;
	int r;

	cl->waiting = 0;
	while (!cl->closing) {
		r = control_next_message(in, &msg, &size, err, sizeof err);
		if (r == 0)
			break;
		if (r == -1) {
			attach_client_fail(cl, "%s", err);
			return;
		}
		r = attach_client_handle(cl, &msg);
		if (r == -1)
			return;
		if (r == 1) {
			cl->waiting = 1;
			bufferevent_disable(bev, EV_READ);
			return;
		}
		evbuffer_drain(in, size);
	}
	if (!cl->closing)
		bufferevent_enable(bev, EV_READ);
}

static void
attach_client_write_cb(struct bufferevent *bev, void *arg)
{
	struct attach_client *cl = arg;

	if (cl->closing && evbuffer_get_length(bufferevent_get_output(bev)) ==
	    0)
		attach_client_free(cl);
}

/* EOF (a detach without DETACH), an error or a timeout: gone. */
static void
attach_client_event_cb(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)what;
	attach_client_free(arg);
}

void
attach_server_input_room(struct attach_server *as)
{
	struct attach_client *cl, *next;

	if (as == NULL)
		return;
	for (cl = TAILQ_FIRST(&as->clients); cl != NULL; cl = next) {
		next = TAILQ_NEXT(cl, entry);
		if (cl->waiting && child_input_has_room(cl->child))
			attach_client_read_cb(cl->bev, cl);
	}
}

size_t
attach_server_count(const struct attach_server *as, const struct child *c)
{
	const struct attach_client *cl;
	size_t n = 0;

	if (as == NULL)
		return 0;
	TAILQ_FOREACH(cl, &as->clients, entry)
		if (!cl->closing && (c == NULL || cl->child == c))
			n++;
	return n;
}
