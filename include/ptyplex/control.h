/*
 * control: the session's Unix control socket, speaking proto (see
 * contrib/PROTOCOL.md) to the client commands.
 *
 * Listening:
 *  - The default path is DIR/SESSION.sock in the rundir (created 0700 and
 *    checked, see rundir.h); an explicit path (-S) is used as given, its
 *    directory being the user's choice.
 *  - The socket is created 0600 (umask during bind(), then chmod). A socket
 *    already at the path is replaced when nothing listens on it (a dead
 *    session's); a live one, or a path that is not a socket, is an error.
 *  - control_free() removes the socket, if it is still ours.
 *  - A peer whose uid is not ours (SO_PEERCRED) is closed at once. When
 *    accept() runs out of descriptors, accepting stops for
 *    CONTROL_RETRY_MS instead of spinning.
 *
 * Clients, and their bounds:
 *  - At most PROTO_MAX_MSG bytes of a client's requests are buffered; a
 *    malformed or unexpected message gets an ERROR and the connection is
 *    closed once the ERROR is written (or after CONTROL_IDLE_SECONDS).
 *  - A client must say HELLO, and finish any message it starts, within
 *    CONTROL_IDLE_SECONDS; between requests it may stay idle.
 *  - Replies a client does not read are buffered up to the scrollback size
 *    or CONTROL_OUTPUT_MAX bytes, whichever is larger; past that it is
 *    dropped with a notice.
 *  - A SEND whose child's input queue has no room waits, and the client is
 *    not read meanwhile, until control_input_room() finds room: a child
 *    that stops reading blocks its writers, never the session.
 */
#ifndef PTYPLEX_CONTROL_H
#define PTYPLEX_CONTROL_H

#include <stddef.h>

#define CONTROL_OUTPUT_MAX (1024 * 1024)
#define CONTROL_IDLE_SECONDS 10
#define CONTROL_RETRY_MS 1000

struct session;
struct bufferevent;
struct evbuffer;
struct proto_msg;

/*
 * Listens on path, or on the default socket of session s->name when path
 * is NULL. Returns NULL with *cause set.
 */
struct control *control_new(struct session *s, const char *path,
    char **cause);
/* Closes every client and removes the socket. */
void control_free(struct control *ctl);
const char *control_path(const struct control *ctl);
/* A child's input queue may have room: go on with waiting SENDs. */
void control_input_room(struct control *ctl);

/*
 * One last try, without waiting, at what a client has not been sent yet
 * (before its bufferevent is freed at exit). The attach server uses it too.
 */
void control_flush_last(struct bufferevent *bev);

/*
 * Decodes the next whole message at the front of in (the attach server
 * reads its clients the same way). Returns 1 with *msg and *size (msg->data
 * points into in), 0 if it has not all arrived, -1 if it is malformed (the
 * reason in err). An oversized length is refused from the header alone.
 */
int control_next_message(struct evbuffer *in, struct proto_msg *msg,
    size_t *size, char *err, size_t errlen);

#endif
