/*
 * output: the one write path to ptyplex's stdout.
 *
 * Lines are formatted (prefix, colour or JSON) into a staging buffer and
 * written by output_flush(), normally once per pty read. What stdout does
 * not take at once waits in a queue; past OUTPUT_HIGH_WATER bytes the
 * pressure callback says "blocked" (the session stops reading the ptys),
 * and once the queue drains below OUTPUT_LOW_WATER it says "unblocked".
 * Nothing is ever dropped: the queue is bounded only because its producers
 * stop. A closed stdout (EPIPE) is reported once through the error callback.
 *
 * Lifecycle notices go to stderr as "ptyplex: A started (pid 12)" lines,
 * or into the stream as JSON events with --json.
 */
#ifndef PTYPLEX_OUTPUT_H
#define PTYPLEX_OUTPUT_H

#include <stddef.h>
#include <sys/types.h>

#include "ptyplex/prefix.h"

#define OUTPUT_HIGH_WATER (1024 * 1024)
#define OUTPUT_LOW_WATER (256 * 1024)

struct event_base;
struct options;

/* One per child; the child owns it and keeps it across restarts. */
struct output_source {
	const char *name;
	pid_t pid;
	unsigned color;
	char prefix[PREFIX_MAX + 16]; /* cached rendering, colour included */
	size_t prefix_len;
	int prefix_valid;
};

enum output_exit_kind {
	OUTPUT_EXIT_STATUS,
	OUTPUT_EXIT_SIGNAL,
};

typedef void output_pressure_fn(void *arg, int blocked);
typedef void output_error_fn(void *arg);

struct output *output_new(struct event_base *base, int fd,
    const struct options *opts, output_pressure_fn *pressure,
    output_error_fn *error, void *arg);
/* Writes what is left (blocking, unless stdout is closed) and frees. */
void output_free(struct output *out);

void output_source_init(struct output_source *src, const char *name,
    unsigned index);
/* The pid changed (start, restart): the cached prefix is stale. */
void output_source_set_pid(struct output_source *src, pid_t pid);

/* Bytes exactly as the child wrote them (--raw): no prefix, no framing. */
void output_raw(struct output *out, const void *buf, size_t len);
/* One child line; partial marks a prompt shown before its line end. */
void output_line(struct output *out, struct output_source *src,
    const char *line, size_t len, int partial);
void output_started(struct output *out, struct output_source *src);
void output_exited(struct output *out, struct output_source *src,
    enum output_exit_kind kind, int value);
/* A free-form lifecycle notice ("restarting in 200 ms"), or JSON event. */
void output_event(struct output *out, struct output_source *src,
    const char *event, const char *detail);

/* Writes what it can without blocking. */
void output_flush(struct output *out);
/* Whether producers must pause: the queue is above the high watermark. */
int output_is_blocked(const struct output *out);
size_t output_queued(const struct output *out);
/*
 * Stops writing for good, as if stdout had closed but without the error
 * callback: what stdout has not taken is dropped, producers are unblocked.
 * Returns the bytes dropped. For a ptyplex told to stop now.
 */
size_t output_abandon(struct output *out);

#endif
