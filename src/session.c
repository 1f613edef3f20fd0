#include "ptyplex/session.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include "ptyplex/attach_server.h"
#include "ptyplex/child.h"
#include "ptyplex/control.h"
#include "ptyplex/daemon.h"
#include "ptyplex/fifo.h"
#include "ptyplex/input.h"
#include "ptyplex/log.h"
#include "ptyplex/options.h"
#include "ptyplex/output.h"
#include "ptyplex/raw.h"
#include "ptyplex/term.h"
#include "ptyplex/scriptrun.h"
#include "ptyplex/supervise.h"
#include "ptyplex/transcript.h"
#include "ptyplex/xalloc.h"

static void session_signal_cb(evutil_socket_t sig, short what, void *arg);
static void session_kill_cb(evutil_socket_t fd, short what, void *arg);
static void session_pressure_cb(void *arg, int blocked);
static void session_stdout_closed_cb(void *arg);
static void session_libevent_log_cb(int severity, const char *msg);
static void session_libevent_fatal_cb(int err);

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

static int
session_add_fifo(struct session *s, const char *name, const char *path,
    char **cause)
{
	struct child *c = session_find_child(s, name, strlen(name));
	struct fifo *f;

	if ((f = fifo_new(s, c, path, cause)) == NULL)
		return -1;
	s->fifos = xreallocarray(s->fifos, s->nfifos + 1, sizeof *s->fifos);
	s->fifos[s->nfifos++] = f;
	return 0;
}

/* FIFOs and the control socket: set up now, so that a bad one is an error
 * before any child starts; FIFOs are read once the children run. */
static int
session_open_inputs(struct session *s, char **cause)
{
	const struct options *opts = s->opts;
	size_t i;
	char *path;
	int rc;

	for (i = 0; i < opts->nfifos; i++) {
		if (session_add_fifo(s, opts->fifos[i].name,
		    opts->fifos[i].path, cause) == -1)
			return -1;
	}
	if (opts->fifo_dir != NULL) {
		if (fifo_make_dir(opts->fifo_dir, &s->fifo_dir_made,
		    cause) == -1)
			return -1;
		for (i = 0; i < s->nchildren; i++) {
			path = xasprintf("%s/%s.in", opts->fifo_dir,
			    s->children[i]->name);
			rc = session_add_fifo(s, s->children[i]->name, path,
			    cause);
			free(path);
			if (rc == -1)
				return -1;
		}
	}
	if (!opts->no_socket &&
	    (s->control = control_new(s, opts->socket_path, cause)) == NULL)
		return -1;
	return 0;
}

int
session_init(struct session *s, const struct options *opts, char **cause)
{
	const struct spec_list *specs = &opts->children;
	size_t i;

	memset(s, 0, sizeof *s);
	s->opts = opts;
	s->first_failure = -1;
	event_set_log_callback(session_libevent_log_cb);
	event_set_fatal_callback(session_libevent_fatal_cb);
	s->notify_fd = -1;
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
	s->attach = attach_server_new(s);
	s->sup = supervise_new(s);
	if (opts->script != NULL)
		s->script = scriptrun_new(s, opts->script);
	session_add_signals(s);
	if (session_open_transcripts(s, cause) == -1)
		return -1;
	return session_open_inputs(s, cause);
}

void
session_release(struct session *s)
{
	size_t i;

	control_free(s->control);
	s->control = NULL;
	attach_server_free(s->attach);
	s->attach = NULL;
	/* Never ready: the waiting process sees EOF and fails. */
	if (s->notify_fd != -1)
		close(s->notify_fd);
	for (i = 0; i < s->nfifos; i++)
		fifo_free(s->fifos[i]);
	/* Ours, and empty now that our FIFOs are gone; else it stays. */
	if (s->fifo_dir_made)
		rmdir(s->opts->fifo_dir);
	free(s->fifos);
	s->fifos = NULL;
	s->nfifos = 0;
	stdin_router_free(s->stdin_router);
	s->stdin_router = NULL;
	raw_free(s->raw);
	s->raw = NULL;
	scriptrun_free(s->script);
	supervise_free(s->sup);
	for (i = 0; i < s->nchildren; i++)
		child_free(s->children[i]);
	free(s->children);
	output_free(s->out);
	/* --raw: the terminal stays raw until the last output is out. */
	term_restore();
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

	/* A restarting child is not finished: it will run again. */
	for (i = 0; i < s->nchildren; i++)
		if (s->children[i]->state == CHILD_RUNNING ||
		    s->children[i]->state == CHILD_RESTARTING)
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
	supervise_stop(s->sup);
	if (s->script != NULL)
		scriptrun_stop(s->script);
	if (session_all_finished(s)) {
		event_base_loopexit(s->base, NULL);
		return;
	}
	session_signal_all(s, SIGTERM);
	/* A stopped child would keep the SIGTERM pending until SIGKILL. */
	session_signal_all(s, SIGCONT);
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

/* The exit policy, for c's final exit. */
static void
session_apply_policy(struct session *s, struct child *c)
{
	int code = child_exit_code(c);

	switch (s->opts->exit_policy) {
	case EXIT_FIRST:
		session_shutdown(s, code);
		break;
	case EXIT_WITH:
		if (strcmp(c->name, s->opts->exit_with) == 0)
			session_shutdown(s, code);
		break;
	case EXIT_WAIT_ALL:
		if (session_all_finished(s))
			session_shutdown(s, s->first_failure == -1 ? 0 :
			    s->first_failure);
		break;
	}
}

/*
 * A child has finished. A restart is not an exit; while a script runs, an
 * exit is the script's to see, and the policy waits for its end.
 */
void
session_child_finished(struct session *s, struct child *c)
{
	int code = child_exit_code(c);

	if (s->ending) {
		if (session_all_finished(s))
			event_base_loopexit(s->base, NULL);
		return;
	}
	if (supervise_child_finished(s->sup, c))
		return;
	if (code != 0 && s->first_failure == -1)
		s->first_failure = code;
	if (s->script != NULL && !scriptrun_finished(s->script)) {
		scriptrun_child_exited(s->script, c);
		return;
	}
	session_apply_policy(s, c);
}

void
session_child_output(struct session *s, struct child *c)
{
	supervise_output(s->sup, c);
	if (s->script != NULL)
		scriptrun_output(s->script, c);
}

int
session_start_child(struct session *s, struct child *c, char **cause)
{
	return supervise_start_child(s->sup, c, cause);
}

int
session_restart_child(struct session *s, struct child *c, char **cause)
{
	return supervise_restart_child(s->sup, c, cause);
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
	/*
	 * A second interrupt means now: no more grace, and no more waiting
	 * for a stdout that does not take our output either. Output dropped
	 * makes it an exit by that signal.
	 */
	if (s->ending) {
		session_signal_all(s, SIGKILL);
		if (output_abandon(s->out) > 0)
			s->exit_status = 128 + sig;
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

/* libevent's errors are ours: one "ptyplex:" line; its chatter is not. */
static void
session_libevent_log_cb(int severity, const char *msg)
{
	if (severity >= EVENT_LOG_ERR)
		log_error("libevent: %s", msg);
}

/* libevent gives up (no descriptor for its signal pipe...): we failed. */
static void
session_libevent_fatal_cb(int err)
{
	(void)err;
	exit(PTYPLEX_EXIT_FAILURE);
}

void
session_input_room(void *arg)
{
	struct session *s = arg;
	size_t i;

	if (s->stdin_router != NULL && !s->stdin_closed)
		stdin_router_resume(s->stdin_router);
	if (s->raw != NULL)
		raw_resume(s->raw);
	for (i = 0; i < s->nfifos; i++)
		fifo_resume(s->fifos[i]);
	control_input_room(s->control);
	attach_server_input_room(s->attach);
	if (s->script != NULL)
		scriptrun_room(s->script);
}

void
session_stdin_closed(struct session *s)
{
	s->stdin_closed = 1;
}

static void
session_start_fifos(struct session *s)
{
	size_t i;

	if (s->ending)
		return;
	for (i = 0; i < s->nfifos; i++)
		fifo_start(s->fifos[i]);
}

/*
 * Stdin and FIFOs are read once the children have started and the script,
 * if any, is done, so that no line reaches a child that is not there yet
 * or races the script. The control socket is live throughout.
 */
static void
session_start_input(struct session *s)
{
	if (s->input_started || s->ending)
		return;
	s->input_started = 1;
	if (!s->opts->no_stdin && s->opts->raw)
		s->raw = raw_new(s, s->children[0], STDIN_FILENO);
	else if (!s->opts->no_stdin)
		s->stdin_router = stdin_router_new(s, STDIN_FILENO);
	session_start_fifos(s);
}

void
session_children_ready(struct session *s)
{
	daemon_ready(&s->notify_fd, s->name);
	if (s->script != NULL)
		scriptrun_children_ready(s->script);
	else
		session_start_input(s);
}

/* The policy applies to the state the script left. */
void
session_script_finished(struct session *s)
{
	struct child *c;

	session_start_input(s);
	if (s->opts->exit_policy == EXIT_WITH)
		c = session_find_child(s, s->opts->exit_with,
		    strlen(s->opts->exit_with));
	else
		c = supervise_first_exited(s->sup);
	if (c != NULL && c->state == CHILD_EXITED)
		session_apply_policy(s, c);
}

/*
 * The session is over; what stdout has not taken yet is written with the
 * loop still running, so that a signal can end a wait on a stdout that
 * hangs (see session_signal_cb) instead of being caught and ignored.
 */
static void
session_flush_output(struct session *s)
{
	output_flush(s->out);
	while (output_queued(s->out) > 0)
		if (event_base_loop(s->base, EVLOOP_ONCE) == -1)
			break;
}

/*
 * One write to stdout per loop turn, after every ready pty has been read:
 * with many busy children that is one large write instead of one per read.
 */
static void
session_loop(struct session *s)
{
	for (;;) {
		if (event_base_loop(s->base, EVLOOP_ONCE) != 0)
			break;
		output_flush(s->out);
		if (event_base_got_exit(s->base) ||
		    event_base_got_break(s->base))
			break;
	}
}

int
session_run(struct session *s)
{
	supervise_start(s->sup);
	session_loop(s);
	session_flush_output(s);
	return s->exit_status;
}
