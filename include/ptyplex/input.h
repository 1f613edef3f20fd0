/*
 * input: what goes into the children.
 *
 * Each child has one input queue, written to its pty master with write
 * events. Every source (stdin, FIFOs, socket clients, the script) pushes
 * into it; a queue holding INPUT_QUEUE_MAX bytes or more has no room, and a
 * source that finds no room pauses until the room callback says the queue
 * drained. So a child that stops reading blocks its writers, never the
 * loop, and memory stays bounded. Bytes queued for a pty that closes are
 * discarded: nobody can read them any more.
 *
 * The stdin router reads ptyplex's stdin line by line: "NAME: text" goes to
 * child NAME, any other line to the default child. EOF closes the route
 * only.
 */
#ifndef PTYPLEX_INPUT_H
#define PTYPLEX_INPUT_H

#include <stddef.h>

#define INPUT_QUEUE_MAX (64 * 1024)

struct event_base;
struct session;
struct child;

typedef void input_room_fn(void *arg);

struct input_queue *input_queue_new(struct event_base *base,
    input_room_fn *room, void *arg);
void input_queue_free(struct input_queue *q);
/* Starts writing to fd (the pty master of a newly started child). */
void input_queue_set_fd(struct input_queue *q, int fd);
/* The pty is gone: forget fd and the bytes still queued. */
void input_queue_close(struct input_queue *q);
int input_queue_has_room(const struct input_queue *q);
size_t input_queue_length(const struct input_queue *q);
void input_queue_push(struct input_queue *q, const void *buf, size_t len);

/*
 * Whether fd can be watched with the event base (pipes, sockets, ttys).
 * Regular files and devices such as /dev/null cannot, and are always ready.
 */
int input_fd_is_pollable(int fd);

struct stdin_router;

/* Reads fd (ptyplex's stdin) until EOF; routes through the session. */
struct stdin_router *stdin_router_new(struct session *s, int fd);
void stdin_router_free(struct stdin_router *r);
/* A queue drained: read again if the router was waiting for room. */
void stdin_router_resume(struct stdin_router *r);

#endif
