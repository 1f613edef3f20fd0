#include "ptyplex/attach.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "ptyplex/client.h"
#include "ptyplex/input.h"
#include "ptyplex/log.h"
#include "ptyplex/proto.h"
#include "ptyplex/term.h"
#include "ptyplex/xalloc.h"

#define ATTACH_READ_SIZE 16384
/* Keystrokes the session has not taken yet: past this, stop reading. */
#define ATTACH_INPUT_MAX (256 * 1024)
/* Output the terminal has not taken yet: past this, stop reading the
 * session, which then drops us if it goes on for long. */
#define ATTACH_OUTPUT_MAX (256 * 1024)
/* At the end, how long a stuck terminal may keep us from exiting. */
#define ATTACH_FLUSH_MS 5000
/*
 * How long to wait for the session's OK to a DETACH. A session that is
 * not reading us (the child takes no input) gets the keys already sent
 * all the same: they are in its socket, and closing detaches too.
 */
#define ATTACH_DETACH_MS 2000

static const int attach_signal_numbers[] = {
	SIGWINCH, SIGTERM, SIGHUP, SIGINT, SIGQUIT,
};
#define ATTACH_SIGNALS (sizeof attach_signal_numbers / \
    sizeof attach_signal_numbers[0])

enum attach_state {
	ATTACH_WAITING,   /* ATTACH sent, OK or ERROR awaited */
	ATTACH_ON,        /* attached */
	ATTACH_DETACHING, /* DETACH sent, OK or EOF awaited */
	ATTACH_OVER,      /* status and message are final */
};

struct attach {
	struct event_base *base;
	const char *path;
	const char *name;
	int key;
	enum attach_state state;
	int status;
	char *message;              /* said once the terminal is restored */
	int message_is_error;
	struct bufferevent *bev;    /* the session */
	struct evbuffer *out;       /* for stdout, not written yet */
	struct event *stdin_ev;
	struct event *stdout_ev;
	struct event *detach_ev;    /* gives up waiting for the DETACH's OK */
	int line_start;             /* the terminal's cursor is at column 0 */
	struct event *signals[ATTACH_SIGNALS];
	int stdin_pollable;
	int stdin_reading;
	int in_flags, out_flags;    /* to restore: -1 if unknown */
	unsigned short cols, rows;  /* last size sent */
	unsigned char *msgbuf;      /* PROTO_MAX_MSG: one encoded message */
};

static void attach_session_read_cb(struct bufferevent *bev, void *arg);
static void attach_session_write_cb(struct bufferevent *bev, void *arg);
static void attach_session_event_cb(struct bufferevent *bev, short what,
    void *arg);
static void attach_stdin_cb(evutil_socket_t fd, short what, void *arg);
static void attach_stdout_cb(evutil_socket_t fd, short what, void *arg);
static void attach_signal_cb(evutil_socket_t sig, short what, void *arg);
static void attach_detach_cb(evutil_socket_t fd, short what, void *arg);

int
attach_parse_key(const char *s)
{
	int c;

	if (strcmp(s, "none") == 0)
		return ATTACH_NO_KEY;
	if (s[0] != '^' || s[1] == '\0' || s[2] != '\0')
		return ATTACH_BAD_KEY;
	if (s[1] == '?')
		return 0x7f;
	c = toupper((unsigned char)s[1]);
	if (c < '@' || c > '_')
		return ATTACH_BAD_KEY;
	return c & 0x1f;
}

/* The end: the loop stops, and main says why once the terminal is back. */
static void attach_over(struct attach *a, int status, int error,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
attach_over(struct attach *a, int status, int error, const char *fmt, ...)
{
	va_list ap;

	if (a->state == ATTACH_OVER)
		return;
	a->state = ATTACH_OVER;
	a->status = status;
	a->message_is_error = error;
	if (fmt != NULL) {
		va_start(ap, fmt);
		if (vasprintf(&a->message, fmt, ap) == -1)
			a->message = NULL;
		va_end(ap);
	}
	event_base_loopbreak(a->base);
}

static void
attach_send(struct attach *a, const struct proto_msg *msg)
{
	size_t n = proto_encode(msg, a->msgbuf, PROTO_MAX_MSG);

	if (n == 0)
		fatalx("attach: cannot encode %s", proto_type_name(msg->type));
	bufferevent_write(a->bev, a->msgbuf, n);
}

static void
attach_window(unsigned short *cols, unsigned short *rows)
{
	if (term_get_size(cols, rows) == -1) {
		*cols = 80;
		*rows = 24;
	}
}

static void
attach_start_stdin(struct attach *a)
{
	if (a->stdin_reading || a->state != ATTACH_ON)
		return;
	a->stdin_reading = 1;
	if (a->stdin_pollable)
		event_add(a->stdin_ev, NULL);
	else
		event_active(a->stdin_ev, EV_READ, 0);
}

static void
attach_stop_stdin(struct attach *a)
{
	a->stdin_reading = 0;
	event_del(a->stdin_ev);
}

/* OK to the ATTACH: from now on the terminal is the child's. */
static void
attach_attached(struct attach *a)
{
	a->state = ATTACH_ON;
	if (isatty(STDIN_FILENO) && term_raw_enter(STDIN_FILENO) == -1)
		log_warn("cannot put the terminal in raw mode: %s",
		    strerror(errno));
	attach_start_stdin(a);
}

static void
attach_detach(struct attach *a)
{
	struct proto_msg msg = { .type = PROTO_DETACH };
	struct timeval tv = { ATTACH_DETACH_MS / 1000,
	    (ATTACH_DETACH_MS % 1000) * 1000 };

	if (a->state != ATTACH_ON)
		return;
	attach_stop_stdin(a);
	attach_send(a, &msg);
	a->state = ATTACH_DETACHING;
	event_add(a->detach_ev, &tv);
}

static void
attach_detach_cb(evutil_socket_t fd, short what, void *arg)
{
	struct attach *a = arg;

	(void)fd;
	(void)what;
	attach_over(a, 0, 0, "detached from %s", a->name);
}

/* Writes what the terminal takes now; waits for it if it is full. */
static void
attach_flush_stdout(struct attach *a)
{
	while (evbuffer_get_length(a->out) > 0) {
		if (evbuffer_write(a->out, STDOUT_FILENO) >= 0)
			continue;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {
			event_add(a->stdout_ev, NULL);
			break;
		}
		evbuffer_drain(a->out, evbuffer_get_length(a->out));
		attach_over(a, 128 + SIGPIPE, 0, NULL);
		return;
	}
	/* A terminal that does not keep up slows the session's sending. */
	if (evbuffer_get_length(a->out) > ATTACH_OUTPUT_MAX)
		bufferevent_disable(a->bev, EV_READ);
	else if (a->state != ATTACH_OVER)
		bufferevent_enable(a->bev, EV_READ);
}

static void
attach_exited(struct attach *a, const struct proto_msg *msg)
{
	const char *abbrev;

	if (msg->exit_kind == PROTO_EXIT_SIGNAL) {
		abbrev = sigabbrev_np(msg->exit_value);
		attach_over(a, 128 + msg->exit_value, 0,
		    "%s exited with signal %d (SIG%s)", a->name,
		    (int)msg->exit_value, abbrev != NULL ? abbrev : "?");
	} else
		attach_over(a, msg->exit_value, 0, "%s exited with status %d",
		    a->name, (int)msg->exit_value);
}

/* One message from the session; the state says what may come. */
static void
attach_handle(struct attach *a, const struct proto_msg *msg)
{
	switch (msg->type) {
	case PROTO_OK:
		if (a->state == ATTACH_WAITING)
			attach_attached(a);
		else if (a->state == ATTACH_DETACHING)
			attach_over(a, 0, 0, "detached from %s", a->name);
		else
			break;
		return;
	case PROTO_ERROR:
		attach_over(a, a->state == ATTACH_WAITING ?
		    CLIENT_EXIT_REFUSED : PTYPLEX_EXIT_FAILURE, 1, "%.*s",
		    (int)msg->datalen, msg->data);
		return;
	case PROTO_OUTPUT:
		if (a->state == ATTACH_WAITING)
			break;
		evbuffer_add(a->out, msg->data, msg->datalen);
		if (msg->datalen > 0)
			a->line_start = msg->data[msg->datalen - 1] == '\n';
		return;
	case PROTO_EXITED:
		if (a->state == ATTACH_WAITING)
			break;
		attach_exited(a, msg);
		return;
	default:
		break;
	}
	attach_over(a, PTYPLEX_EXIT_FAILURE, 1, "%s: unexpected %s from the "
	    "session", a->path, proto_type_name(msg->type));
}

static void
attach_session_read_cb(struct bufferevent *bev, void *arg)
{
	struct attach *a = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct proto_msg msg;
	unsigned char *p;
	char err[160];
	size_t size, len;
	int r;

	while (a->state != ATTACH_OVER &&
	    (len = evbuffer_get_length(in)) >= PROTO_HEADER_SIZE) {
		p = evbuffer_pullup(in, PROTO_HEADER_SIZE);
		r = proto_decode(p, PROTO_HEADER_SIZE, &msg, &size, err,
		    sizeof err);
		if (r == 0) {
			if (len < size)
				break;
			p = evbuffer_pullup(in, (ssize_t)size);
			r = proto_decode(p, size, &msg, &size, err,
			    sizeof err);
		}
		if (r == -1) {
			attach_over(a, PTYPLEX_EXIT_FAILURE, 1, "%s: bad "
			    "message from the session: %s", a->path, err);
			return;
		}
		attach_handle(a, &msg);
		evbuffer_drain(in, size);
	}
	attach_flush_stdout(a);
}

/* The session took our keystrokes: read more. */
static void
attach_session_write_cb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	attach_start_stdin(arg);
}

static void
attach_session_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct attach *a = arg;

	(void)bev;
	(void)what;
	if (a->state == ATTACH_DETACHING)
		attach_over(a, 0, 0, "detached from %s", a->name);
	else
		attach_over(a, PTYPLEX_EXIT_FAILURE, 1, "%s: lost the "
		    "connection to the session", a->path);
}

/* Sends keys up to the detach key; the key itself detaches. */
static void
attach_keys(struct attach *a, const char *buf, size_t len)
{
	struct proto_msg msg = { .type = PROTO_INPUT };
	const char *key = NULL;

	if (a->key != ATTACH_NO_KEY)
		key = memchr(buf, a->key, len);
	msg.data = buf;
	msg.datalen = key != NULL ? (size_t)(key - buf) : len;
	if (msg.datalen > 0)
		attach_send(a, &msg);
	if (key != NULL)
		attach_detach(a);
}

static void
attach_stdin_cb(evutil_socket_t fd, short what, void *arg)
{
	struct attach *a = arg;
	char buf[ATTACH_READ_SIZE];
	ssize_t n;

	(void)fd;
	(void)what;
	if (a->state != ATTACH_ON)
		return;
	n = read(STDIN_FILENO, buf, sizeof buf);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* EOF of a pipe, or a terminal gone: leave the child be. */
		attach_detach(a);
		return;
	}
	attach_keys(a, buf, (size_t)n);
	if (a->state != ATTACH_ON)
		return;
	if (evbuffer_get_length(bufferevent_get_output(a->bev)) >
	    ATTACH_INPUT_MAX)
		attach_stop_stdin(a);
	else if (!a->stdin_pollable)
		event_active(a->stdin_ev, EV_READ, 0);
}

static void
attach_stdout_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	attach_flush_stdout(arg);
}

static void
attach_resize(struct attach *a)
{
	struct proto_msg msg = { .type = PROTO_RESIZE };
	unsigned short cols, rows;

	if (term_get_size(&cols, &rows) == -1 ||
	    (cols == a->cols && rows == a->rows))
		return;
	a->cols = msg.cols = cols;
	a->rows = msg.rows = rows;
	if (a->state == ATTACH_ON)
		attach_send(a, &msg);
}

static void
attach_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct attach *a = arg;

	(void)what;
	if (sig == SIGWINCH)
		attach_resize(a);
	else
		attach_over(a, 128 + (int)sig, 0, NULL);
}

static void
attach_setup_fds(struct attach *a)
{
	a->stdin_pollable = input_fd_is_pollable(STDIN_FILENO);
	a->in_flags = fcntl(STDIN_FILENO, F_GETFL);
	a->out_flags = fcntl(STDOUT_FILENO, F_GETFL);
	if (a->stdin_pollable && a->in_flags != -1)
		fcntl(STDIN_FILENO, F_SETFL, a->in_flags | O_NONBLOCK);
	if (a->out_flags != -1)
		fcntl(STDOUT_FILENO, F_SETFL, a->out_flags | O_NONBLOCK);
	a->stdin_ev = event_new(a->base, a->stdin_pollable ? STDIN_FILENO :
	    -1, a->stdin_pollable ? EV_READ | EV_PERSIST : 0, attach_stdin_cb,
	    a);
	a->stdout_ev = event_new(a->base, STDOUT_FILENO, EV_WRITE,
	    attach_stdout_cb, a);
	a->detach_ev = evtimer_new(a->base, attach_detach_cb, a);
	if (a->stdin_ev == NULL || a->stdout_ev == NULL || a->detach_ev == NULL)
		fatalx("attach: cannot allocate events");
}

/* Output still owed to the terminal, unless it stays stuck too long. */
static void
attach_drain_stdout(struct attach *a)
{
	struct pollfd pfd = { .fd = STDOUT_FILENO, .events = POLLOUT };

	while (evbuffer_get_length(a->out) > 0) {
		if (evbuffer_write(a->out, STDOUT_FILENO) >= 0)
			continue;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN || poll(&pfd, 1, ATTACH_FLUSH_MS) != 1)
			break;
	}
}

static void
attach_release(struct attach *a)
{
	size_t i;

	/* Our last words start on a line of their own. */
	if (!a->line_start && a->message != NULL && isatty(STDOUT_FILENO))
		evbuffer_add(a->out, "\r\n", 2);
	attach_drain_stdout(a);
	term_restore();
	if (a->in_flags != -1)
		fcntl(STDIN_FILENO, F_SETFL, a->in_flags);
	if (a->out_flags != -1)
		fcntl(STDOUT_FILENO, F_SETFL, a->out_flags);
	for (i = 0; i < ATTACH_SIGNALS; i++)
		if (a->signals[i] != NULL)
			event_free(a->signals[i]);
	event_free(a->stdin_ev);
	event_free(a->stdout_ev);
	event_free(a->detach_ev);
	bufferevent_free(a->bev);
	evbuffer_free(a->out);
	event_base_free(a->base);
	free(a->msgbuf);
}

int
attach_run(int fd, const char *path, const char *name, int key)
{
	struct proto_msg msg = { .type = PROTO_ATTACH };
	struct attach a;
	size_t i;

	memset(&a, 0, sizeof a);
	a.path = path;
	a.name = name;
	a.key = key;
	a.state = ATTACH_WAITING;
	a.line_start = 1;
	a.msgbuf = xmalloc(PROTO_MAX_MSG);
	signal(SIGPIPE, SIG_IGN);
	if ((a.base = event_base_new()) == NULL ||
	    (a.out = evbuffer_new()) == NULL)
		fatalx("attach: cannot create the event loop");
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	a.bev = bufferevent_socket_new(a.base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (a.bev == NULL)
		fatalx("attach: cannot allocate a connection");
	bufferevent_setwatermark(a.bev, EV_READ, 0, PROTO_MAX_MSG);
	bufferevent_setwatermark(a.bev, EV_WRITE, ATTACH_INPUT_MAX / 2, 0);
	bufferevent_setcb(a.bev, attach_session_read_cb,
	    attach_session_write_cb, attach_session_event_cb, &a);
	bufferevent_enable(a.bev, EV_READ | EV_WRITE);
	attach_setup_fds(&a);
	for (i = 0; i < ATTACH_SIGNALS; i++) {
		a.signals[i] = evsignal_new(a.base, attach_signal_numbers[i],
		    attach_signal_cb, &a);
		if (a.signals[i] == NULL || event_add(a.signals[i], NULL))
			fatalx("attach: cannot watch signals");
	}
	attach_window(&a.cols, &a.rows);
	proto_set_name(&msg, name);
	msg.cols = a.cols;
	msg.rows = a.rows;
	attach_send(&a, &msg);
	event_base_dispatch(a.base);
	attach_release(&a);
	if (a.message != NULL) {
		if (a.message_is_error)
			log_error("%s", a.message);
		else
			log_notice("%s", a.message);
		free(a.message);
	}
	return a.status;
}
