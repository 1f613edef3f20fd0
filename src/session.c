#include "ptyplex/session.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include "ptyplex/child.h"
#include "ptyplex/input.h"
#include "ptyplex/log.h"
#include "ptyplex/options.h"
#include "ptyplex/output.h"
#include "ptyplex/transcript.h"
#include "ptyplex/xalloc.h"

static void session_signal_cb(evutil_socket_t sig, short what, void *arg);
static void session_kill_cb(evutil_socket_t fd, short what, void *arg);
static void session_pressure_cb(void *arg, int blocked);
static void session_stdout_closed_cb(void *arg);

static const int session_signal_numbers[SESSION_SIGNALS] = {
	SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGWINCH, SIGQUIT,
};

/* Children's window: --size, else our terminal's, else 80x24. */
static void
session_pick_winsize(struct session *s)
{
	static const int fds[] = { STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO };
	size_t i;

	memset(&s->winsize, 0, sizeof s->winsize);
	if (s->opts->cols != 0) {
		s->winsize.ws_col = s->opts->cols;
		s->winsize.ws_row = s->opts->rows;
		return;
	}
	for (i = 0; i < sizeof fds / sizeof fds[0]; i++) {
		if (ioctl(fds[i], TIOCGWINSZ, &s->winsize) == 0 &&
		    s->winsize.ws_col > 0 && s->winsize.ws_row > 0)
			return;
	}
	s->winsize.ws_col = 80;
	s->winsize.ws_row = 24;
}

static int
session_open_transcripts(struct session *s, char **cause)
{
	size_t i;

	if (s->opts->log_dir == NULL)
		return 0;
	if (transcript_make_dir(s->opts->log_dir, cause) == -1)
		return -1;
	for (i = 0; i < s->nchildren; i++) {
		s->children[i]->transcript = transcript_open(s->opts->log_dir,
		    s->children[i]->name, cause);
		if (s->children[i]->transcript == NULL)
			return -1;
	}
	return 0;
}

static void
session_add_signals(struct session *s)
{
	size_t i;

	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
	for (i = 0; i < SESSION_SIGNALS; i++) {
		s->signals[i] = evsignal_new(s->base,
		    session_signal_numbers[i], session_signal_cb, s);
		if (s->signals[i] == NULL || event_add(s->signals[i], NULL))
			fatalx("cannot watch signals");
	}
}

int
session_init(struct session *s, const struct options *opts, char **cause)
{
	const struct spec_list *specs = &opts->children;
	size_t i;

	memset(s, 0, sizeof *s);
	s->opts = opts;
	s->first_failure = -1;
	s->name = opts->session_name != NULL ? xstrdup(opts->session_name) :
	    xasprintf("ptyplex-%ld", (long)getpid());
	if ((s->base = event_base_new()) == NULL) {
		*cause = xstrdup("cannot create the event loop");
		return -1;
	}
	session_pick_winsize(s);
	s->out = output_new(s->base, STDOUT_FILENO, opts, session_pressure_cb,
	    session_stdout_closed_cb, s);
	s->nchildren = specs->count;
	s->children = xcalloc(s->nchildren, sizeof *s->children);
	for (i = 0; i < s->nchildren; i++)
		s->children[i] = child_new(s, i, specs->items[i].name,
		    specs->items[i].command);
	s->default_input = s->children[0];
	if (opts->input_name != NULL)
		s->default_input = session_find_child(s, opts->input_name,
		    strlen(opts->input_name));
	s->kill_ev = evtimer_new(s->base, session_kill_cb, s);
	session_add_signals(s);
	return session_open_transcripts(s, cause);
}

void
session_release(struct session *s)
{
	size_t i;

	stdin_router_free(s->stdin_router);
	for (i = 0; i < s->nchildren; i++)
		child_free(s->children[i]);
	free(s->children);
	output_free(s->out);
	for (i = 0; i < SESSION_SIGNALS; i++)
		if (s->signals[i] != NULL)
			event_free(s->signals[i]);
	if (s->kill_ev != NULL)
		event_free(s->kill_ev);
	if (s->base != NULL)
		event_base_free(s->base);
	free(s->name);
	memset(s, 0, sizeof *s);
}

struct child *
session_find_child(struct session *s, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < s->nchildren; i++) {
		if (strlen(s->children[i]->name) == len &&
		    memcmp(s->children[i]->name, name, len) == 0)
			return s->children[i];
	}
	return NULL;
}

struct child *
session_default_input(struct session *s)
{
	return s->default_input;
}

static int
session_all_finished(const struct session *s)
{
	size_t i;

	for (i = 0; i < s->nchildren; i++)
		if (s->children[i]->state == CHILD_RUNNING)
			return 0;
	return 1;
}

static void
session_signal_all(struct session *s, int sig)
{
	size_t i;

	for (i = 0; i < s->nchildren; i++)
		child_signal(s->children[i], sig);
}

void
session_shutdown(struct session *s, int status)
{
	struct timeval tv;
	unsigned ms = s->opts->kill_timeout_ms;

	if (s->ending)
		return;
	s->ending = 1;
	s->exit_status = status;
	if (session_all_finished(s)) {
		event_base_loopexit(s->base, NULL);
		return;
	}
	session_signal_all(s, SIGTERM);
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	event_add(s->kill_ev, &tv);
}

static void
session_kill_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	session_signal_all(arg, SIGKILL);
}

/* Applies the exit policy to a child that has just finished. */
void
session_child_finished(struct session *s, struct child *c)
{
	int code = child_exit_code(c);

	if (s->ending) {
		if (session_all_finished(s))
			event_base_loopexit(s->base, NULL);
		return;
	}
	switch (s->opts->exit_policy) {
	case EXIT_FIRST:
		session_shutdown(s, code);
		break;
	case EXIT_WITH:
		if (strcmp(c->name, s->opts->exit_with) == 0)
			session_shutdown(s, code);
		break;
	case EXIT_WAIT_ALL:
		if (code != 0 && s->first_failure == -1)
			s->first_failure = code;
		if (session_all_finished(s))
			session_shutdown(s, s->first_failure == -1 ? 0 :
			    s->first_failure);
		break;
	}
}

static struct child *
session_child_by_pid(struct session *s, pid_t pid)
{
	size_t i;

	for (i = 0; i < s->nchildren; i++)
		if (s->children[i]->pid == pid && !s->children[i]->reaped)
			return s->children[i];
	return NULL;
}

static void
session_reap(struct session *s)
{
	struct child *c;
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if ((c = session_child_by_pid(s, pid)) != NULL)
			child_reaped(c, status);
	}
}

static void
session_resize(struct session *s)
{
	size_t i;

	if (s->opts->cols != 0)
		return;
	session_pick_winsize(s);
	for (i = 0; i < s->nchildren; i++) {
		if (s->children[i]->master != -1)
			ioctl(s->children[i]->master, TIOCSWINSZ, &s->winsize);
	}
}

static void
session_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct session *s = arg;

	(void)what;
	if (sig == SIGCHLD) {
		session_reap(s);
		return;
	}
	if (sig == SIGWINCH) {
		session_resize(s);
		return;
	}
	/* A second interrupt means now: no more grace. */
	if (s->ending) {
		session_signal_all(s, SIGKILL);
		return;
	}
	session_shutdown(s, 128 + sig);
}

static void
session_pressure_cb(void *arg, int blocked)
{
	struct session *s = arg;
	size_t i;

	for (i = 0; i < s->nchildren; i++)
		child_set_paused(s->children[i], blocked);
}

/* Nobody reads our output any more: end, as SIGPIPE would. */
static void
session_stdout_closed_cb(void *arg)
{
	struct session *s = arg;

	session_shutdown(s, 128 + SIGPIPE);
}

void
session_input_room(void *arg)
{
	struct session *s = arg;

	if (s->stdin_router != NULL && !s->stdin_closed)
		stdin_router_resume(s->stdin_router);
}

void
session_stdin_closed(struct session *s)
{
	s->stdin_closed = 1;
}

static int
session_start_children(struct session *s)
{
	char *cause = NULL;
	size_t i;

	for (i = 0; i < s->nchildren; i++) {
		if (child_spawn(s->children[i], &cause) == -1) {
			log_error("%s", cause);
			free(cause);
			return -1;
		}
	}
	return 0;
}

int
session_run(struct session *s)
{
	if (session_start_children(s) == -1) {
		session_shutdown(s, PTYPLEX_EXIT_FAILURE);
	} else if (!s->opts->no_stdin) {
		s->stdin_router = stdin_router_new(s, STDIN_FILENO);
	}
	event_base_dispatch(s->base);
	return s->exit_status;
}
