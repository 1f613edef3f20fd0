/*
 * raw: ptyplex's stdin in --raw, forwarded byte for byte to the one child.
 *
 * When stdin is a terminal it is put in raw mode until the session ends
 * (and restored on every way out, see term.h), so every key,
 * Ctrl-C included, reaches the child's own line discipline, which turns it
 * into a signal for the child exactly as a terminal would. When stdin is a
 * pipe or a file, its EOF becomes the pty's EOF character (VEOF), sent at
 * the start of a line, so a child reading until EOF ends.
 *
 * Input goes through the child's input queue; when the queue is full the
 * raw input stops reading until raw_resume().
 */
#ifndef PTYPLEX_RAW_H
#define PTYPLEX_RAW_H

struct session;
struct child;
struct raw;

/* Starts reading fd for c. A terminal that cannot be set raw is a
 * warning, not an error: its bytes are forwarded all the same. */
struct raw *raw_new(struct session *s, struct child *c, int fd);
/*
 * Stops reading and puts back stdin's file flags. The terminal's modes
 * stay raw until term_restore(), which the caller makes once the last
 * output is written. raw_free(NULL) does nothing.
 */
void raw_free(struct raw *r);
/* The child's input queue has room again. */
void raw_resume(struct raw *r);

#endif
