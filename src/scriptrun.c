#include "ptyplex/scriptrun.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <event2/event.h>

#include "ptyplex/child.h"
#include "ptyplex/log.h"
#include "ptyplex/matchbuf.h"
#include "ptyplex/script.h"
#include "ptyplex/session.h"
#include "ptyplex/supervise.h"
#include "ptyplex/xalloc.h"

/* Bytes of one line of output shown in a failure message. */
#define SCRIPTRUN_SHOW_MAX 200

/* What the current step waits for. */
enum scriptrun_wait {
	RUN_IDLE,     /* nothing: the step runs (again) when woken */
	RUN_CHILDREN, /* the start of the children to complete */
	RUN_ROOM,     /* send: room in the child's input queue */
	RUN_OUTPUT,   /* expect: a match */
	RUN_EXIT,     /* wait: the child's final exit */
	RUN_SLEEP,    /* sleep: the timer */
};

enum scriptrun_result {
	STEP_DONE,  /* go on with the next step */
	STEP_WAIT,  /* an event will finish the step */
	STEP_END,   /* the script ended (exit or failure) */
};

struct script_run {
	struct session *session;
	const struct script *sc;
	size_t pc;           /* the current step */
	int started;
	int finished;
	enum scriptrun_wait waiting;
	struct child *child; /* the current step's child, or NULL */
	struct event *timer; /* sleep, or the limit of expect and wait */
	struct event *step_ev;
};

static void scriptrun_step_cb(evutil_socket_t fd, short what, void *arg);
static void scriptrun_timer_cb(evutil_socket_t fd, short what, void *arg);

struct script_run *
scriptrun_new(struct session *s, const struct script *sc)
{
	struct script_run *r = xcalloc(1, sizeof *r);
	size_t i;

	r->session = s;
	r->sc = sc;
	r->timer = evtimer_new(s->base, scriptrun_timer_cb, r);
	r->step_ev = event_new(s->base, -1, 0, scriptrun_step_cb, r);
	if (r->timer == NULL || r->step_ev == NULL)
		fatalx("script: cannot allocate events");
	for (i = 0; i < s->nchildren; i++) {
		if (s->children[i]->match == NULL)
			s->children[i]->match = matchbuf_new(MATCHBUF_LIMIT);
	}
	return r;
}

void
scriptrun_free(struct script_run *r)
{
	if (r == NULL)
		return;
	event_free(r->timer);
	event_free(r->step_ev);
	free(r);
}

int
scriptrun_finished(const struct script_run *r)
{
	return r->finished;
}

/* Runs the steps from a fresh callback, never from inside another one. */
static void
scriptrun_wake(struct script_run *r)
{
	r->waiting = RUN_IDLE;
	event_active(r->step_ev, EV_TIMEOUT, 1);
}

static void
scriptrun_arm(struct script_run *r, enum scriptrun_wait waiting,
    unsigned ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	r->waiting = waiting;
	event_add(r->timer, &tv);
}

static void
scriptrun_step_done(struct script_run *r)
{
	event_del(r->timer);
	r->pc++;
	scriptrun_wake(r);
}

/* One line of output, control bytes written as C escapes. */
static void
scriptrun_show_line(const char *p, size_t len)
{
	char buf[SCRIPTRUN_SHOW_MAX * 4 + 8];
	size_t i, n = 0;
	unsigned char ch;

	for (i = 0; i < len && i < SCRIPTRUN_SHOW_MAX; i++) {
		ch = (unsigned char)p[i];
		if (ch == '\r')
			n += sprintf(buf + n, "\\r");
		else if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			n += sprintf(buf + n, "\\x%02x", ch);
		else
			buf[n++] = (char)ch;
	}
	if (i < len)
		n += sprintf(buf + n, "...");
	buf[n] = '\0';
	log_error("  %s", buf);
}

static void
scriptrun_show_tail(const struct child *c)
{
	const char *p, *end, *eol;
	size_t len;

	p = matchbuf_tail(c->match, SCRIPTRUN_TAIL_LINES, &len);
	if (len == 0) {
		log_error("no output from %s", c->name);
		return;
	}
	log_error("last output of %s:", c->name);
	for (end = p + len; p < end; p = eol + 1) {
		if ((eol = memchr(p, '\n', end - p)) == NULL)
			eol = end;
		scriptrun_show_line(p, eol - p);
	}
}

/* The current step failed: say why and where, then end the session. */
static enum scriptrun_result
scriptrun_fail(struct script_run *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static enum scriptrun_result
scriptrun_fail(struct script_run *r, const char *fmt, ...)
{
	const struct script_step *st = &r->sc->steps[r->pc];
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	log_error("%s:%u: %s: %s", r->sc->filename, st->line, st->text, why);
	if (r->child != NULL && r->child->match != NULL)
		scriptrun_show_tail(r->child);
	r->finished = 1;
	r->waiting = RUN_IDLE;
	event_del(r->timer);
	session_shutdown(r->session, SCRIPTRUN_FAILED);
	return STEP_END;
}

/* "exited with status 1", "exited with signal 9", for messages. */
static const char *
scriptrun_exit_text(const struct child *c, char *buf, size_t size)
{
	if (WIFSIGNALED(c->wait_status))
		snprintf(buf, size, "exited with signal %d",
		    WTERMSIG(c->wait_status));
	else
		snprintf(buf, size, "exited with status %d",
		    WEXITSTATUS(c->wait_status));
	return buf;
}

static enum scriptrun_result
scriptrun_fail_exited(struct script_run *r)
{
	char buf[64];

	return scriptrun_fail(r, "%s %s", r->child->name,
	    scriptrun_exit_text(r->child, buf, sizeof buf));
}

/* The child can take input or signals now. */
static int
scriptrun_is_running(const struct child *c)
{
	return c->state == CHILD_RUNNING && !c->reaped && c->master != -1;
}

static enum scriptrun_result
scriptrun_send(struct script_run *r, const struct script_step *st)
{
	struct child *c = r->child;

	if (c->state == CHILD_EXITED)
		return scriptrun_fail_exited(r);
	if (!scriptrun_is_running(c))
		return scriptrun_fail(r, "%s is not running", c->name);
	if (!child_input_has_room(c)) {
		r->waiting = RUN_ROOM;
		return STEP_WAIT;
	}
	child_send(c, st->data, st->len);
	return STEP_DONE;
}

static enum scriptrun_result
scriptrun_expect(struct script_run *r, const struct script_step *st)
{
	struct child *c = r->child;

	if (matchbuf_match(c->match, &st->re, 1))
		return STEP_DONE;
	if (c->state == CHILD_EXITED)
		return scriptrun_fail_exited(r);
	scriptrun_arm(r, RUN_OUTPUT, st->ms);
	return STEP_WAIT;
}

static enum scriptrun_result
scriptrun_exec(struct script_run *r, const struct script_step *st)
{
	struct session *s = r->session;
	char *cause = NULL;

	switch (st->op) {
	case SCRIPT_SEND:
		return scriptrun_send(r, st);
	case SCRIPT_EXPECT:
		return scriptrun_expect(r, st);
	case SCRIPT_SLEEP:
		scriptrun_arm(r, RUN_SLEEP, st->ms);
		return STEP_WAIT;
	case SCRIPT_SIGNAL:
		if (!scriptrun_is_running(r->child))
			return scriptrun_fail(r, "%s is not running",
			    r->child->name);
		child_signal(r->child, st->value);
		return STEP_DONE;
	case SCRIPT_START:
		if (session_start_child(s, r->child, &cause) == 0)
			return STEP_DONE;
		scriptrun_fail(r, "%s", cause);
		free(cause);
		return STEP_END;
	case SCRIPT_WAIT:
		if (r->child->state == CHILD_EXITED)
			return STEP_DONE;
		scriptrun_arm(r, RUN_EXIT, st->ms);
		return STEP_WAIT;
	case SCRIPT_EXIT:
		r->finished = 1;
		session_shutdown(s, st->value);
		return STEP_END;
	}
	fatalx("script: unknown step %d", (int)st->op);
}

/* Runs steps until one waits, the script ends or the last one is done. */
static void
scriptrun_run(struct script_run *r)
{
	struct session *s = r->session;
	const struct script_step *st;

	while (!r->finished && r->waiting == RUN_IDLE) {
		if (r->pc == r->sc->count) {
			r->finished = 1;
			session_script_finished(s);
			return;
		}
		if (supervise_is_starting(s->sup)) {
			r->waiting = RUN_CHILDREN;
			return;
		}
		st = &r->sc->steps[r->pc];
		r->child = NULL;
		if (st->name != NULL && (r->child = session_find_child(s,
		    st->name, strlen(st->name))) == NULL)
			fatalx("script: no child named %s", st->name);
		if (scriptrun_exec(r, st) != STEP_DONE)
			return;
		r->pc++;
	}
}

static void
scriptrun_step_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	scriptrun_run(arg);
}

static void
scriptrun_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct script_run *r = arg;
	const struct script_step *st = &r->sc->steps[r->pc];
	const char *state = "";
	char secs[32];

	(void)fd;
	(void)what;
	if (r->finished)
		return;
	if (r->waiting == RUN_SLEEP) {
		scriptrun_step_done(r);
		return;
	}
	if (r->child->state == CHILD_HELD)
		state = " (it was never started)";
	else if (r->child->state == CHILD_RESTARTING)
		state = " (it is restarting)";
	script_format_seconds(secs, sizeof secs, st->ms);
	scriptrun_fail(r, "timed out after %s s%s", secs, state);
}

void
scriptrun_output(struct script_run *r, struct child *c)
{
	if (r->finished || r->waiting != RUN_OUTPUT || r->child != c)
		return;
	if (matchbuf_match(c->match, &r->sc->steps[r->pc].re, 1))
		scriptrun_step_done(r);
}

void
scriptrun_child_exited(struct script_run *r, struct child *c)
{
	if (r->finished || r->child != c)
		return;
	if (r->waiting == RUN_EXIT)
		scriptrun_step_done(r);
	else if (r->waiting == RUN_OUTPUT)
		scriptrun_fail_exited(r);
	else if (r->waiting == RUN_ROOM)
		scriptrun_wake(r);
}

void
scriptrun_room(struct script_run *r)
{
	if (!r->finished && r->waiting == RUN_ROOM)
		scriptrun_wake(r);
}

void
scriptrun_children_ready(struct script_run *r)
{
	if (r->finished)
		return;
	if (!r->started) {
		r->started = 1;
		scriptrun_wake(r);
	} else if (r->waiting == RUN_CHILDREN)
		scriptrun_wake(r);
}

void
scriptrun_stop(struct script_run *r)
{
	r->finished = 1;
	r->waiting = RUN_IDLE;
	event_del(r->timer);
	event_del(r->step_ev);
}
