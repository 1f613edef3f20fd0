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
struct fifo;
struct control;
struct attach_server;
struct raw;
struct supervisor;
struct script_run;
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
	struct raw *raw;   /* --raw: stdin byte for byte to the one child */
	int stdin_closed;
	struct fifo **fifos;       /* --fifo and --fifo-dir */
	size_t nfifos;
	struct control *control;   /* the control socket, or NULL */
	struct attach_server *attach; /* clients attached to children */
	int notify_fd;     /* -d: the process waiting for "ready", or -1 */
	int fifo_dir_made; /* --fifo-dir was created here: removed at exit */
	struct supervisor *sup;    /* start order, --ready, --hold, restarts */
	struct script_run *script; /* --script, or NULL */
	int input_started; /* stdin and FIFOs are read (after the script) */
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

/* New output from c, already in its matchbuf (expect, --ready). */
void session_child_output(struct session *s, struct child *c);
/* Every child that starts by itself has started (supervise.h). */
void session_children_ready(struct session *s);
/*
 * The script's last step is done: stdin and FIFOs open now, and the exit
 * policy applies to the children that have exited meanwhile.
 */
void session_script_finished(struct session *s);
/*
 * The "start" and "restart" requests (script steps, client commands); see
 * supervise_start_child() and supervise_restart_child(). Return -1 with
 * *cause set (the caller frees it) when they cannot be done.
 */
int session_start_child(struct session *s, struct child *c, char **cause);
int session_restart_child(struct session *s, struct child *c, char **cause);

#endif
