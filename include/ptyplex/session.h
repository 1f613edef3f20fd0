/*
 * session: the event base, the children, the sinks and sources, and the
 * exit policy. All mutable state of a run lives here.
 *
 * session_run() starts every child, dispatches events until the session
 * ends, and returns the exit status main should use: the chosen child's
 * status (128 + N for a signal), 128 + N when ptyplex itself was stopped
 * by signal N, or 125 when ptyplex failed.
 */
#ifndef PTYPLEX_SESSION_H
#define PTYPLEX_SESSION_H

#include <stddef.h>
#include <sys/ioctl.h>

struct options;
struct child;
struct output;
struct stdin_router;
struct event;
struct event_base;

#define SESSION_SIGNALS 6

struct session {
	struct event_base *base;
	const struct options *opts;
	char *name;
	struct winsize winsize;
	struct child **children;
	size_t nchildren;
	struct child *default_input;
	struct output *out;
	struct stdin_router *stdin_router;
	int stdin_closed;
	struct event *signals[SESSION_SIGNALS];
	struct event *kill_ev;
	int ending;        /* shutting down: waiting for children to finish */
	int exit_status;
	int first_failure; /* --wait-all: first non-zero status, or -1 */
};

/* Sets up the session; returns -1 with *cause set. */
int session_init(struct session *s, const struct options *opts,
    char **cause);
void session_release(struct session *s);
int session_run(struct session *s);

struct child *session_find_child(struct session *s, const char *name,
    size_t len);
struct child *session_default_input(struct session *s);

/* Called by children and sources. */
void session_child_finished(struct session *s, struct child *c);
void session_input_room(void *arg);
void session_stdin_closed(struct session *s);
/* Starts the graceful shutdown, ending with status. */
void session_shutdown(struct session *s, int status);

#endif
