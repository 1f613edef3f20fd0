/*
 * fifo: a named pipe whose bytes go to one child's input.
 *
 * fifo_new() creates the FIFO (mode 0600, without following a symbolic
 * link) or accepts an existing one; an existing path that is not a FIFO is
 * an error. The FIFO is opened read-write: our own write end means a writer
 * closing never makes it report EOF, so one descriptor serves writer after
 * writer with no reopening, no race with the next writer's open() and no
 * spinning on EOF. Writers' bytes are passed on exactly as they arrive
 * (no line splitting, nothing added or dropped), through child_send().
 *
 * Reading pauses while the child's input queue has no room (writers then
 * block in write(), as with any pipe nobody reads) and goes on with
 * fifo_resume(). Bytes for a child that is not running are discarded.
 * fifo_free() removes the FIFO if fifo_new() created it and it is still
 * the same file; an existing FIFO is left in place.
 */
#ifndef PTYPLEX_FIFO_H
#define PTYPLEX_FIFO_H

struct session;
struct child;

/* Creates or opens path for c; NULL with *cause set. Not read until
 * fifo_start(). */
struct fifo *fifo_new(struct session *s, struct child *c, const char *path,
    char **cause);
void fifo_free(struct fifo *f);
/* Starts reading. */
void fifo_start(struct fifo *f);
/* The child's queue may have room again: read if we were waiting. */
void fifo_resume(struct fifo *f);

/*
 * Creates dir (mode 0700) for --fifo-dir if missing, and says in *made
 * whether it did, so that it can be removed at exit; -1 with *cause.
 */
int fifo_make_dir(const char *dir, int *made, char **cause);

#endif
