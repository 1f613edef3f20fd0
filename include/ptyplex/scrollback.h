/*
 * scrollback: the most recent bytes of one child's pty output, raw, kept so
 * that a client attaching later sees some context before the live output.
 *
 * Invariants and rules:
 *  - It holds at most its capacity (--scrollback, 0 keeps nothing); older
 *    bytes are dropped from the front as new ones arrive.
 *  - Once anything has been dropped, the replay starts after the first
 *    newline still held, if there is one, so that it does not begin in the
 *    middle of a line or of an escape sequence.
 *  - The child owns it, and keeps it across restarts: an attach after a
 *    restart still sees the end of the previous run.
 */
#ifndef PTYPLEX_SCROLLBACK_H
#define PTYPLEX_SCROLLBACK_H

#include <stddef.h>

struct scrollback;

/* Receives one piece of a replay; buf is valid only during the call. */
typedef void scrollback_piece_fn(void *arg, const char *buf, size_t len);

struct scrollback *scrollback_new(size_t capacity);
void scrollback_free(struct scrollback *sb);
void scrollback_add(struct scrollback *sb, const void *buf, size_t len);
/* Bytes held (the replay may be shorter, see above). */
size_t scrollback_length(const struct scrollback *sb);
/*
 * Calls fn with the replay, in order, in pieces of 1 to max bytes (max at
 * least 1); not at all if there is nothing to replay.
 */
void scrollback_replay(const struct scrollback *sb, size_t max,
    scrollback_piece_fn *fn, void *arg);

#endif
