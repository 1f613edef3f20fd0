/*
 * attach_server: the session's side of `ptyplex attach`: connections that
 * control.c has handed over after a valid ATTACH, each one a raw sink of
 * one child's output and a source of its keystrokes.
 *
 * Rules:
 *  - An attached client first gets OK, then the child's scrollback, then
 *    its live output, all as OUTPUT messages, byte-exact. Its INPUT goes
 *    to the child through child_send(); while the child's input queue is
 *    full the client is not read (attach_server_input_room() resumes it).
 *  - Window size: the most recent ATTACH or RESIZE from any client sets
 *    the child's size; a detach leaves it as it is. An ATTACH that keeps
 *    the size still sends SIGWINCH to the pty's foreground process group,
 *    so full-screen programs redraw for the newcomer.
 *  - A client that does not read is given a bounded buffer: its scrollback
 *    size or ATTACH_CLIENT_MIN_BUFFER, whichever is larger. Past it, it is
 *    dropped with a notice; the child, the session and the other clients
 *    go on, since nothing here ever waits for a client.
 *  - DETACH is answered with OK and the connection is closed. When the
 *    child finishes, each of its clients gets EXITED and is closed. Any
 *    other message gets an ERROR and the connection is closed.
 */
#ifndef PTYPLEX_ATTACH_SERVER_H
#define PTYPLEX_ATTACH_SERVER_H

#include <stddef.h>

#define ATTACH_CLIENT_MIN_BUFFER (1024 * 1024)

struct session;
struct child;
struct bufferevent;
struct attach_server;

struct attach_server *attach_server_new(struct session *s);
/* Closes every client, after one last try at writing what they have. */
void attach_server_free(struct attach_server *as);

/*
 * Takes ownership of bev, a client that has just asked (ATTACH, drained
 * from its input already; anything after it is the client's) to attach to
 * c, which is running, with a window of cols x rows (1 or more each).
 */
void attach_server_add(struct attach_server *as, struct bufferevent *bev,
    struct child *c, unsigned cols, unsigned rows);

/* New output from c's pty. */
void attach_server_output(struct attach_server *as, struct child *c,
    const void *buf, size_t len);
/* c has finished: its clients are told its status and closed. */
void attach_server_child_exited(struct attach_server *as, struct child *c);
/* A child's input queue may have room: read clients that waited. */
void attach_server_input_room(struct attach_server *as);
/* Number of clients attached to c (all children for NULL). */
size_t attach_server_count(const struct attach_server *as,
    const struct child *c);

#endif
