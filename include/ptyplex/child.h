/*
 * child: one supervised program on its own pseudo-terminal.
 *
 * A child is spawned as /bin/sh -c COMMAND in a new session whose
 * controlling terminal is the pty. Its output is read from the master,
 * copied byte-exact to the transcript and cut into lines by the framer for
 * the output. A child is finished only when it has been reaped *and* its
 * master has reported EOF (EIO on Linux), so its last bytes are never lost;
 * a grandchild that keeps the slave open is cut off DRAIN_TIMEOUT_MS after
 * the last byte read, or, if it keeps writing, DRAIN_TIMEOUT_MS after the
 * first read past CHILD_DRAIN_MAX_MS from the exit. The master stays open
 * until the child is reaped: closing it would hang up (SIGHUP) a child that
 * merely closed its stdout and runs on.
 */
#ifndef PTYPLEX_CHILD_H
#define PTYPLEX_CHILD_H

#include <stddef.h>
#include <sys/types.h>

#include "ptyplex/output.h"

#define CHILD_DRAIN_TIMEOUT_MS 500
#define CHILD_DRAIN_MAX_MS 2000

struct session;
struct framer;
struct input_queue;
struct transcript;
struct scrollback;
struct matchbuf;
struct event;

enum child_state {
	CHILD_HELD,       /* declared, not started yet */
	CHILD_RUNNING,    /* started, not finished */
	CHILD_EXITED,     /* reaped and drained */
	CHILD_RESTARTING, /* waiting for its restart delay */
};

struct child {
	struct session *session;
	unsigned index;
	char *name;
	char *command;
	enum child_state state;
	pid_t pid;
	int master;      /* -1 once closed */
	int reaped;
	int closed;
	int wait_status; /* from waitpid, valid once reaped */
	int paused;      /* output backpressure: not reading */
	int flush_due;   /* the partial timer fired while output was blocked */
	/* Output bytes that were in the pty when input was last sent: the
	 * pending partial line is shown once they have been read. */
	size_t cut_after;
	int read_full;   /* the last read emptied a full pty buffer */
	long long drain_deadline; /* monotonic ms: later reads end the drain */
	struct event *read_ev;
	struct event *drain_ev;
	struct event *flush_ev;
	struct framer *framer;
	struct input_queue *input;
	struct transcript *transcript;
	struct scrollback *scrollback; /* raw recent output, for attach */
	/* Output for expect steps and --ready, or NULL; the child frees it. */
	struct matchbuf *match;
	unsigned restarts; /* runs after the first one */
	struct output_source src;
};

struct child *child_new(struct session *s, unsigned index, const char *name,
    const char *command);
void child_free(struct child *c);

/* Opens a pty and starts the child. Returns -1 with *cause set. */
int child_spawn(struct child *c, char **cause);
/* waitpid() reported the child's status. */
void child_reaped(struct child *c, int wait_status);
/* Sends sig to the child's process group, if it may still be alive. */
void child_signal(struct child *c, int sig);
/* Stops or resumes reading the master (output backpressure). */
void child_set_paused(struct child *c, int paused);

/* Input: shows the pending partial line, then queues buf for the pty. */
void child_send(struct child *c, const void *buf, size_t len);
int child_input_has_room(const struct child *c);

/* Exit status as ptyplex reports it: the status, or 128 + signal. */
int child_exit_code(const struct child *c);
int child_is_finished(const struct child *c);

#endif
