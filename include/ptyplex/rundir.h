/*
 * rundir: where a user's control sockets live, shared by the session (which
 * listens) and the client commands (which connect).
 *
 * The directory is $XDG_RUNTIME_DIR/ptyplex when XDG_RUNTIME_DIR is an
 * absolute path, else /tmp/ptyplex-UID; a session's socket in it is
 * SESSION.sock. The directory must be a real directory (not a symbolic
 * link) owned by the user, with no group or other access: anything else is
 * refused, by the session and by the clients alike, since whoever controls
 * the directory controls which socket a client talks to.
 *
 * A socket is live when something accepts connections on it, and stale when
 * it exists but nothing listens (its session died without removing it).
 */
#ifndef PTYPLEX_RUNDIR_H
#define PTYPLEX_RUNDIR_H

#include <stddef.h>

struct sockaddr_un;

/* The socket directory; the caller frees it. */
char *rundir_path(void);
/* Creates dir (mode 0700) if missing, then checks it as rundir_check(). */
int rundir_make(const char *dir, char **cause);
/*
 * Returns 0 if dir is a directory owned by us with no group or other
 * access; else -1 with *cause set (and errno ENOENT if it does not exist).
 */
int rundir_check(const char *dir, char **cause);
/* DIR/SESSION.sock; the caller frees it. */
char *rundir_socket_path(const char *dir, const char *session);

/* Fills addr with path; -1 (errno ENAMETOOLONG) if path does not fit. */
int rundir_fill_addr(struct sockaddr_un *addr, const char *path);
/*
 * Whether a socket is live: 1 if it accepts connections (or its backlog is
 * full), 0 if nothing listens or nothing is there, -1 on other errors.
 * Never blocks.
 */
int rundir_probe(const char *path);
/*
 * The names of the live sessions in dir, sorted, in *names (the caller
 * frees each and the array); returns how many. A missing directory has
 * none.
 */
size_t rundir_sessions(const char *dir, char ***names);

#endif
