#include "ptyplex/raw.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <event2/event.h>

#include "ptyplex/child.h"
#include "ptyplex/input.h"
#include "ptyplex/log.h"
#include "ptyplex/session.h"
#include "ptyplex/term.h"
#include "ptyplex/xalloc.h"

#define RAW_READ_SIZE 16384

struct raw {
	struct session *session;
	struct child *child;
	int fd;
	int pollable;
	int tty;          /* stdin is a terminal (in raw mode if we could) */
	int eof;
	int waiting;      /* the input queue is full: not reading */
	int line_start;   /* the last byte sent ended a line, or none yet */
	int saved_flags;
	struct event *read_ev;
};

static void raw_read_cb(evutil_socket_t fd, short what, void *arg);

struct raw *
raw_new(struct session *s, struct child *c, int fd)
{
	struct raw *r = xcalloc(1, sizeof *r);

	r->session = s;
	r->child = c;
	r->fd = fd;
	r->line_start = 1;
	r->tty = isatty(fd);
	r->pollable = input_fd_is_pollable(fd);
	if (r->tty && term_raw_enter(fd) == -1)
		log_warn("cannot put the terminal in raw mode: %s",
		    strerror(errno));
	/* Regular files and /dev/null: no readiness to wait for. */
	r->read_ev = event_new(s->base, r->pollable ? fd : -1,
	    r->pollable ? EV_READ | EV_PERSIST : 0, raw_read_cb, r);
	if (r->read_ev == NULL)
		fatalx("raw: cannot allocate an event");
	r->saved_flags = fcntl(fd, F_GETFL);
	if (r->pollable && r->saved_flags != -1)
		fcntl(fd, F_SETFL, r->saved_flags | O_NONBLOCK);
	r->waiting = 1;
	raw_resume(r);
	return r;
}

void
raw_free(struct raw *r)
{
	if (r == NULL)
		return;
	if (r->pollable && r->saved_flags != -1)
		fcntl(r->fd, F_SETFL, r->saved_flags);
	event_free(r->read_ev);
	free(r);
}

/*
 * End of a pipe or file: the pty's EOF character, as a user would type it.
 * Canonical mode only ends a read with VEOF at the start of a line; after
 * an unfinished line the first VEOF just hands that line over.
 */
static void
raw_send_eof(struct raw *r)
{
	struct termios t;
	char eof[2];

	if (r->child->master == -1)
		return;
	if (tcgetattr(r->child->master, &t) == -1)
		return;
	eof[0] = eof[1] = t.c_cc[VEOF] != _POSIX_VDISABLE ? t.c_cc[VEOF] :
	    CEOF;
	child_send(r->child, eof, r->line_start ? 1 : 2);
}

static void
raw_note_last(struct raw *r, const char *buf, size_t len)
{
	struct termios t;
	char last = buf[len - 1];

	r->line_start = last == '\n';
	if (last == '\r' && tcgetattr(r->child->master, &t) == 0)
		r->line_start = (t.c_iflag & ICRNL) && !(t.c_iflag & IGNCR);
}

static void
raw_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct raw *r = arg;
	char buf[RAW_READ_SIZE];
	ssize_t n;

	(void)fd;
	(void)what;
	n = read(r->fd, buf, sizeof buf);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* A terminal that hangs up brings SIGHUP: nothing to send. */
		r->eof = 1;
		event_del(r->read_ev);
		if (!r->tty)
			raw_send_eof(r);
		session_stdin_closed(r->session);
		return;
	}
	child_send(r->child, buf, n);
	raw_note_last(r, buf, n);
	if (!child_input_has_room(r->child)) {
		r->waiting = 1;
		event_del(r->read_ev);
	} else if (!r->pollable) {
		event_active(r->read_ev, EV_READ, 0);
	}
}

void
raw_resume(struct raw *r)
{
	if (r->eof || !r->waiting)
		return;
	r->waiting = 0;
	if (r->pollable)
		event_add(r->read_ev, NULL);
	else
		event_active(r->read_ev, EV_READ, 0);
}
