#include "ptyplex/control.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "ptyplex/attach_server.h"
#include "ptyplex/child.h"
#include "ptyplex/log.h"
#include "ptyplex/options.h"
#include "ptyplex/proto.h"
#include "ptyplex/rundir.h"
#include "ptyplex/session.h"
#include "ptyplex/xalloc.h"

#define CONTROL_BACKLOG 64
/* Connections taken per wake-up, so a flood of them cannot starve the rest. */
#define CONTROL_ACCEPT_BURST 32
/* Replies are small: a CHILD, an OK, an ERROR of one short line. */
#define CONTROL_REPLY_MAX 512

enum control_client_state {
	CLIENT_HELLO,    /* waiting for the client's HELLO */
	CLIENT_READY,    /* answering requests in order */
	CLIENT_STOPPING, /* asked for STOP: held open until the session ends */
	CLIENT_CLOSING,  /* last reply queued: freed once it is written */
};

/* What handling one request did. */
enum control_result {
	CONTROL_DONE,    /* answered: take the next request */
	CONTROL_WAIT,    /* no room in the child's queue: try again later */
	CONTROL_STOP,    /* no more requests from this client */
	CONTROL_ATTACH,  /* the connection goes to attach_server */
};

struct control_client {
	struct control *ctl;
	struct bufferevent *bev;
	enum control_client_state state;
	int waiting;     /* a SEND waits for room in its child's queue */
	int eof;         /* the client has closed its end */
	TAILQ_ENTRY(control_client) entry;
};

TAILQ_HEAD(control_clients, control_client);

struct control {
	struct session *session;
	char *path;
	int fd;
	int bound;       /* path is our socket: remove it at the end */
	dev_t dev;
	ino_t ino;
	int full_noticed; /* out of descriptors was said: not again until
	                     the backlog has been drained */
	struct event *accept_ev;
	struct event *retry_ev;
	struct control_clients clients;
};

static void control_accept_cb(evutil_socket_t fd, short what, void *arg);
static void control_retry_cb(evutil_socket_t fd, short what, void *arg);
static void control_client_read_cb(struct bufferevent *bev, void *arg);
static void control_client_write_cb(struct bufferevent *bev, void *arg);
static void control_client_event_cb(struct bufferevent *bev, short what,
    void *arg);
static void control_client_process(struct control_client *cl);

/*
 * Makes room for our socket at ctl->path: nothing there is fine, a socket
 * nobody listens on is a dead session's and goes, anything else stays.
 */
static int
control_claim_path(struct control *ctl, int named, char **cause)
{
	struct stat st;

	if (lstat(ctl->path, &st) == -1) {
		if (errno == ENOENT)
			return 0;
		*cause = xasprintf("socket %s: %s", ctl->path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		*cause = xasprintf("socket %s: exists and is not a socket",
		    ctl->path);
		return -1;
	}
	switch (rundir_probe(ctl->path)) {
	case 0:
		if (unlink(ctl->path) == -1 && errno != ENOENT) {
			*cause = xasprintf("stale socket %s: %s", ctl->path,
			    strerror(errno));
			return -1;
		}
		return 0;
	case 1:
		if (named)
			*cause = xasprintf("session %s is already running "
			    "(socket %s)", ctl->session->name, ctl->path);
		else
			*cause = xasprintf("socket %s is in use by a running "
			    "session", ctl->path);
		return -1;
	default:
		*cause = xasprintf("socket %s: %s", ctl->path, strerror(errno));
		return -1;
	}
}

/* Binds and listens; the socket is born 0600 and set so explicitly. */
static int
control_listen(struct control *ctl, int named, char **cause)
{
	struct sockaddr_un addr;
	struct stat st;
	mode_t old;
	int rc;

	if (rundir_fill_addr(&addr, ctl->path) == -1) {
		*cause = xasprintf("socket %s: path too long (at most %zu "
		    "bytes)", ctl->path, sizeof addr.sun_path - 1);
		return -1;
	}
	if (control_claim_path(ctl, named, cause) == -1)
		return -1;
	ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0);
	if (ctl->fd == -1) {
		*cause = xasprintf("socket: %s", strerror(errno));
		return -1;
	}
	old = umask(0177);
	rc = bind(ctl->fd, (struct sockaddr *)&addr, sizeof addr);
	umask(old);
	if (rc == -1) {
		/* Another session took the name since we looked. */
		*cause = errno == EADDRINUSE ? xasprintf("socket %s is in use "
		    "by a running session", ctl->path) :
		    xasprintf("socket %s: %s", ctl->path, strerror(errno));
		return -1;
	}
	if (lstat(ctl->path, &st) == 0) {
		ctl->bound = 1;
		ctl->dev = st.st_dev;
		ctl->ino = st.st_ino;
	}
	if (chmod(ctl->path, 0600) == -1 ||
	    listen(ctl->fd, CONTROL_BACKLOG) == -1) {
		*cause = xasprintf("socket %s: %s", ctl->path, strerror(errno));
		return -1;
	}
	return 0;
}

struct control *
control_new(struct session *s, const char *path, char **cause)
{
	struct control *ctl = xcalloc(1, sizeof *ctl);
	char *dir;

	ctl->session = s;
	ctl->fd = -1;
	TAILQ_INIT(&ctl->clients);
	if (path != NULL)
		ctl->path = xstrdup(path);
	else {
		dir = rundir_path();
		if (rundir_make(dir, cause) == -1) {
			free(dir);
			control_free(ctl);
			return NULL;
		}
		ctl->path = rundir_socket_path(dir, s->name);
		free(dir);
	}
	if (control_listen(ctl, path == NULL, cause) == -1) {
		control_free(ctl);
		return NULL;
	}
	ctl->accept_ev = event_new(s->base, ctl->fd, EV_READ | EV_PERSIST,
	    control_accept_cb, ctl);
	ctl->retry_ev = evtimer_new(s->base, control_retry_cb, ctl);
	if (ctl->accept_ev == NULL || ctl->retry_ev == NULL)
		fatalx("control: cannot allocate events");
	event_add(ctl->accept_ev, NULL);
	return ctl;
}

static void
control_client_free(struct control_client *cl)
{
	TAILQ_REMOVE(&cl->ctl->clients, cl, entry);
	bufferevent_free(cl->bev);
	free(cl);
}

/*
 * A bufferevent keeps the front of its output frozen for itself: thaw it,
 * or the write silently does nothing.
 */
void
control_flush_last(struct bufferevent *bev)
{
	struct evbuffer *out = bufferevent_get_output(bev);

	evbuffer_unfreeze(out, 1);
	evbuffer_write(out, bufferevent_getfd(bev));
}

void
control_free(struct control *ctl)
{
	struct control_client *cl;
	struct stat st;

	if (ctl == NULL)
		return;
	while ((cl = TAILQ_FIRST(&ctl->clients)) != NULL) {
		control_flush_last(cl->bev);
		control_client_free(cl);
	}
	if (ctl->accept_ev != NULL)
		event_free(ctl->accept_ev);
	if (ctl->retry_ev != NULL)
		event_free(ctl->retry_ev);
	if (ctl->fd != -1)
		close(ctl->fd);
	/* Only our own socket: never one a later session put there. */
	if (ctl->bound && lstat(ctl->path, &st) == 0 &&
	    st.st_dev == ctl->dev && st.st_ino == ctl->ino)
		unlink(ctl->path);
	free(ctl->path);
	free(ctl);
}

const char *
control_path(const struct control *ctl)
{
	return ctl->path;
}

/* Same uid as ours, or no talking at all. */
static int
control_peer_is_us(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof cred;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1)
		return 0;
	return cred.uid == geteuid();
}

static void
control_client_new(struct control *ctl, int fd)
{
	struct control_client *cl = xcalloc(1, sizeof *cl);
	struct timeval idle = { CONTROL_IDLE_SECONDS, 0 };

	cl->ctl = ctl;
	cl->state = CLIENT_HELLO;
	cl->bev = bufferevent_socket_new(ctl->session->base, fd,
	    BEV_OPT_CLOSE_ON_FREE);
	if (cl->bev == NULL)
		fatalx("control: cannot allocate a client");
	/* Never more than one whole message of requests in memory. */
	bufferevent_setwatermark(cl->bev, EV_READ, 0, PROTO_MAX_MSG);
	bufferevent_setcb(cl->bev, control_client_read_cb,
	    control_client_write_cb, control_client_event_cb, cl);
	bufferevent_set_timeouts(cl->bev, &idle, NULL);
	bufferevent_enable(cl->bev, EV_READ | EV_WRITE);
	TAILQ_INSERT_TAIL(&ctl->clients, cl, entry);
}

/* Out of descriptors: accepting again at once would only spin. */
static void
control_pause_accept(struct control *ctl)
{
	struct timeval tv = { CONTROL_RETRY_MS / 1000,
	    (CONTROL_RETRY_MS % 1000) * 1000 };

	if (!ctl->full_noticed)
		log_warn("control: cannot accept connections: %s; retrying "
		    "every second", strerror(errno));
	ctl->full_noticed = 1;
	event_del(ctl->accept_ev);
	event_add(ctl->retry_ev, &tv);
}

static void
control_accept_cb(evutil_socket_t fd, short what, void *arg)
{
	struct control *ctl = arg;
	int i, cfd;

	(void)what;
	for (i = 0; i < CONTROL_ACCEPT_BURST; i++) {
		cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (cfd == -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM)
				control_pause_accept(ctl);
			else if (errno == EAGAIN)
				ctl->full_noticed = 0; /* caught up */
			return;
		}
		if (!control_peer_is_us(cfd)) {
			log_warn("control: refused a connection from another "
			    "user");
			close(cfd);
			continue;
		}
		control_client_new(ctl, cfd);
	}
}

static void
control_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct control *ctl = arg;

	(void)fd;
	(void)what;
	event_add(ctl->accept_ev, NULL);
}

/*
 * Writes at once when nothing is queued: going through the bufferevent
 * would cost the reply a loop turn, and a client waiting for OK with it.
 */
static void
control_write(struct bufferevent *bev, const void *buf, size_t len)
{
	ssize_t n = 0;

	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0) {
		n = send(bufferevent_getfd(bev), buf, len, MSG_NOSIGNAL);
		if (n == -1)
			n = 0;
	}
	if ((size_t)n < len)
		bufferevent_write(bev, (const char *)buf + n, len - (size_t)n);
}

/* Sends or queues one message for the client. */
static void
control_reply(struct control_client *cl, const struct proto_msg *msg)
{
	unsigned char buf[CONTROL_REPLY_MAX];
	size_t n;

	if ((n = proto_encode(msg, buf, sizeof buf)) == 0)
		fatalx("control: cannot encode a %s reply",
		    proto_type_name(msg->type));
	control_write(cl->bev, buf, n);
}

static void
control_reply_ok(struct control_client *cl)
{
	struct proto_msg msg = { .type = PROTO_OK };

	control_reply(cl, &msg);
}

/* Stops reading; the client is freed once its last reply is written. */
static void
control_client_close(struct control_client *cl)
{
	struct timeval tv = { CONTROL_IDLE_SECONDS, 0 };

	cl->state = CLIENT_CLOSING;
	bufferevent_disable(cl->bev, EV_READ);
	bufferevent_set_timeouts(cl->bev, NULL, &tv);
}

static enum control_result control_fail(struct control_client *cl,
    const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ERROR is always the last message: reply, then close. */
static enum control_result
control_fail(struct control_client *cl, const char *fmt, ...)
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
	control_reply(cl, &msg);
	control_client_close(cl);
	return CONTROL_STOP;
}

/* "no child named X (children: A, B)", so the user sees what exists. */
static enum control_result
control_no_child(struct control_client *cl, const char *name)
{
	struct session *s = cl->ctl->session;
	enum control_result result;
	size_t i, len = 0;
	char *names;

	for (i = 0; i < s->nchildren; i++)
		len += strlen(s->children[i]->name) + 2;
	names = xcalloc(1, len + 1);
	for (i = 0; i < s->nchildren; i++) {
		if (i > 0)
			strcat(names, ", ");
		strcat(names, s->children[i]->name);
	}
	result = control_fail(cl, "no child named %s (children: %s)", name,
	    names);
	free(names);
	return result;
}

/* The child a request names, if it can take input and signals now. */
static struct child *
control_running_child(struct control_client *cl, const char *name,
    enum control_result *result)
{
	struct child *c;

	c = session_find_child(cl->ctl->session, name, strlen(name));
	if (c == NULL) {
		*result = control_no_child(cl, name);
		return NULL;
	}
	switch (c->state) {
	case CHILD_RUNNING:
		if (!c->reaped && !c->closed)
			return c;
		/* FALLTHROUGH */
	case CHILD_EXITED:
		*result = control_fail(cl, "%s has exited", name);
		return NULL;
	case CHILD_HELD:
		*result = control_fail(cl, "%s has not been started", name);
		return NULL;
	case CHILD_RESTARTING:
		*result = control_fail(cl, "%s is restarting", name);
		return NULL;
	}
	fatalx("control: child %s in an unknown state", name);
}

static enum control_result
control_send(struct control_client *cl, const struct proto_msg *msg)
{
	enum control_result result;
	struct child *c;

	if ((c = control_running_child(cl, msg->name, &result)) == NULL)
		return result;
	if (!child_input_has_room(c))
		return CONTROL_WAIT;
	child_send(c, msg->data, msg->datalen);
	control_reply_ok(cl);
	return CONTROL_DONE;
}

static enum control_result
control_signal(struct control_client *cl, const struct proto_msg *msg)
{
	enum control_result result;
	struct child *c;

	if (msg->signum >= NSIG)
		return control_fail(cl, "signal %d does not exist",
		    (int)msg->signum);
	if ((c = control_running_child(cl, msg->name, &result)) == NULL)
		return result;
	child_signal(c, msg->signum);
	control_reply_ok(cl);
	return CONTROL_DONE;
}

/* One CHILD message: pid -1 with no process, the last run's exit if any. */
static void
control_describe(const struct child *c, struct proto_msg *msg)
{
	static const enum proto_state states[] = {
		[CHILD_HELD] = PROTO_STATE_HELD,
		[CHILD_RUNNING] = PROTO_STATE_RUNNING,
		[CHILD_EXITED] = PROTO_STATE_EXITED,
		[CHILD_RESTARTING] = PROTO_STATE_RESTARTING,
	};

	memset(msg, 0, sizeof *msg);
	msg->type = PROTO_CHILD;
	if (proto_set_name(msg, c->name) == -1)
		fatalx("control: child name %s cannot be sent", c->name);
	msg->state = states[c->state];
	msg->pid = c->state == CHILD_RUNNING && c->pid > 0 ? c->pid : -1;
	msg->restarts = c->restarts;
	/* A restarted child's status is its previous run's until reaped. */
	if ((c->state != CHILD_RUNNING && c->reaped) || c->restarts > 0) {
		if (WIFSIGNALED(c->wait_status)) {
			msg->exit_kind = PROTO_EXIT_SIGNAL;
			msg->exit_value = WTERMSIG(c->wait_status);
		} else {
			msg->exit_kind = PROTO_EXIT_STATUS;
			msg->exit_value = WEXITSTATUS(c->wait_status);
		}
	}
}

static enum control_result
control_list(struct control_client *cl)
{
	struct session *s = cl->ctl->session;
	struct proto_msg msg;
	size_t i;

	for (i = 0; i < s->nchildren; i++) {
		control_describe(s->children[i], &msg);
		control_reply(cl, &msg);
	}
	control_reply_ok(cl);
	return CONTROL_DONE;
}

/* START a held (or exited) child, or RESTART one, as the script can. */
static enum control_result
control_start(struct control_client *cl, const struct proto_msg *msg)
{
	struct session *s = cl->ctl->session;
	struct child *c = session_find_child(s, msg->name, strlen(msg->name));
	enum control_result result;
	char *cause = NULL;
	int rc;

	if (c == NULL)
		return control_no_child(cl, msg->name);
	if (msg->type == PROTO_START)
		rc = session_start_child(s, c, &cause);
	else
		rc = session_restart_child(s, c, &cause);
	if (rc == -1) {
		result = control_fail(cl, "%s", cause);
		free(cause);
		return result;
	}
	control_reply_ok(cl);
	return CONTROL_DONE;
}

/* Held open until the session ends: its EOF tells the client so. */
static enum control_result
control_stop(struct control_client *cl)
{
	control_reply_ok(cl);
	cl->state = CLIENT_STOPPING;
	bufferevent_disable(cl->bev, EV_READ);
	bufferevent_set_timeouts(cl->bev, NULL, NULL);
	session_shutdown(cl->ctl->session, 0);
	return CONTROL_STOP;
}

/* ATTACH to a running child: checked here, served by attach_server. */
static enum control_result
control_attach(struct control_client *cl, const struct proto_msg *msg)
{
	enum control_result result;

	if (control_running_child(cl, msg->name, &result) == NULL)
		return result;
	return CONTROL_ATTACH;
}

/* Hands the connection over: cl goes, its bufferevent lives on. */
static void
control_client_attach(struct control_client *cl, const struct proto_msg *msg)
{
	struct session *s = cl->ctl->session;
	struct bufferevent *bev = cl->bev;
	struct child *c = session_find_child(s, msg->name, strlen(msg->name));

	TAILQ_REMOVE(&cl->ctl->clients, cl, entry);
	free(cl);
	attach_server_add(s->attach, bev, c, msg->cols, msg->rows);
}

static enum control_result
control_hello(struct control_client *cl, const struct proto_msg *msg)
{
	struct proto_msg reply = { .type = PROTO_HELLO,
	    .version = PROTO_VERSION };

	if (msg->type != PROTO_HELLO)
		return control_fail(cl, "expected HELLO first, got %s",
		    proto_type_name(msg->type));
	if (msg->version != PROTO_VERSION)
		return control_fail(cl, "protocol version %u not supported",
		    (unsigned)msg->version);
	control_reply(cl, &reply);
	cl->state = CLIENT_READY;
	return CONTROL_DONE;
}

static enum control_result
control_handle(struct control_client *cl, const struct proto_msg *msg)
{
	const char *type = proto_type_name(msg->type);

	if (cl->state == CLIENT_HELLO)
		return control_hello(cl, msg);
	switch (msg->type) {
	case PROTO_SEND:
		return control_send(cl, msg);
	case PROTO_LIST:
		return control_list(cl);
	case PROTO_SIGNAL:
		return control_signal(cl, msg);
	case PROTO_STOP:
		return control_stop(cl);
	case PROTO_HELLO:
		return control_fail(cl, "HELLO was already said");
	case PROTO_ATTACH:
		return control_attach(cl, msg);
	case PROTO_START:
	case PROTO_RESTART:
		return control_start(cl, msg);
	case PROTO_INPUT:
	case PROTO_RESIZE:
	case PROTO_DETACH:
		return control_fail(cl, "%s is valid only while attached",
		    type);
	default:
		return control_fail(cl, "%s is not a request", type);
	}
}

/*
 * Decodes the next whole message at the front of in. Returns 1 with *msg
 * and *size (msg->data points into in), 0 if it has not all arrived, -1
 * if it is malformed (the reason in err). The header's length is checked
 * before we wait for the body: an oversized one is refused at once.
 */
int
control_next_message(struct evbuffer *in, struct proto_msg *msg,
    size_t *size, char *err, size_t errlen)
{
	size_t len = evbuffer_get_length(in);
	unsigned char *p;
	int r;

	if (len < PROTO_HEADER_SIZE)
		return 0;
	p = evbuffer_pullup(in, PROTO_HEADER_SIZE);
	r = proto_decode(p, PROTO_HEADER_SIZE, msg, size, err, errlen);
	if (r != 0)
		return r;
	if (len < *size)
		return 0;
	p = evbuffer_pullup(in, (ssize_t)*size);
	return proto_decode(p, *size, msg, size, err, errlen);
}

/* Keeps the reply buffer of a client that does not read bounded. */
static int
control_client_overflowed(struct control_client *cl)
{
	size_t max = cl->ctl->session->opts->scrollback;

	if (max < CONTROL_OUTPUT_MAX)
		max = CONTROL_OUTPUT_MAX;
	if (evbuffer_get_length(bufferevent_get_output(cl->bev)) <= max)
		return 0;
	log_notice("control: dropped a client that stopped reading its "
	    "replies");
	control_client_free(cl);
	return 1;
}

/*
 * Handles every whole request that has arrived, in order, until one must
 * wait for room. The idle timeout runs while a HELLO or the rest of a
 * message is awaited, not between requests.
 */
static void
control_client_process(struct control_client *cl)
{
	struct evbuffer *in = bufferevent_get_input(cl->bev);
	struct timeval idle = { CONTROL_IDLE_SECONDS, 0 };
	struct proto_msg msg;
	enum control_result result;
	char err[160];
	size_t size;
	int r;

	while (cl->state == CLIENT_HELLO || cl->state == CLIENT_READY) {
		r = control_next_message(in, &msg, &size, err, sizeof err);
		if (r == 0)
			break;
		if (r == -1) {
			control_fail(cl, "%s", err);
			break;
		}
		result = control_handle(cl, &msg);
		if (result == CONTROL_WAIT) {
			cl->waiting = 1;
			bufferevent_disable(cl->bev, EV_READ);
			return;
		}
		evbuffer_drain(in, size);
		if (result == CONTROL_ATTACH) {
			control_client_attach(cl, &msg);
			return;
		}
		if (control_client_overflowed(cl))
			return;
	}
	if (cl->state == CLIENT_CLOSING) {
		if (evbuffer_get_length(bufferevent_get_output(cl->bev)) == 0)
			control_client_free(cl);
		return;
	}
	if (cl->state == CLIENT_STOPPING)
		return;
	if (cl->eof) {
		control_client_close(cl);
		control_client_write_cb(cl->bev, cl);
		return;
	}
	if (cl->state == CLIENT_HELLO || evbuffer_get_length(in) > 0)
		bufferevent_set_timeouts(cl->bev, &idle, NULL);
	else
		bufferevent_set_timeouts(cl->bev, NULL, NULL);
	bufferevent_enable(cl->bev, EV_READ);
}

static void
control_client_read_cb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	control_client_process(arg);
}

/* Everything queued has been written. */
static void
control_client_write_cb(struct bufferevent *bev, void *arg)
{
	struct control_client *cl = arg;

	if (cl->state == CLIENT_CLOSING &&
	    evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		control_client_free(cl);
}

static void
control_client_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct control_client *cl = arg;

	(void)bev;
	if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_WRITING) &&
	    cl->state != CLIENT_STOPPING) {
		/* Requests already read are still answered, unless the
		 * client is gone for good: a write error will tell. */
		cl->eof = 1;
		if (!cl->waiting)
			control_client_process(cl);
		return;
	}
	/* An error, a timeout, or a STOP client gone: nothing to finish. */
	control_client_free(cl);
}

void
control_input_room(struct control *ctl)
{
	struct control_client *cl, *next;

	if (ctl == NULL)
		return;
	for (cl = TAILQ_FIRST(&ctl->clients); cl != NULL; cl = next) {
		next = TAILQ_NEXT(cl, entry);
		if (!cl->waiting)
			continue;
		/* Only cl itself can go away in there. */
		cl->waiting = 0;
		control_client_process(cl);
	}
}
