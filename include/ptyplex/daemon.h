/*
 * daemon: -d, a session in the background.
 *
 * daemon_start() forks the session off: the process that ran ptyplex
 * stays only to wait until the session reports that it is ready (socket
 * listening, children started), prints the session name on stdout and
 * exits 0; if the session ends before that, it exits with the session's
 * status (124 for a --ready timeout), or 125 if the session could not
 * start at all, the session having said why on stderr. The session itself
 * runs in a new session (setsid) with no controlling terminal, not as its
 * leader (so no terminal it opens becomes one), stdin and stdout on
 * /dev/null, and stderr on /dev/null from the moment it is ready.
 */
#ifndef PTYPLEX_DAEMON_H
#define PTYPLEX_DAEMON_H

struct options;

/*
 * Returns 0 in the process that ran ptyplex, which must exit with *status;
 * 1 in the background session, which must go on and pass *notify_fd to
 * daemon_ready() once it is ready (or just exit if it cannot start).
 */
int daemon_start(int *notify_fd, int *status);
/*
 * Fills in what a background session needs and was not given: its name
 * (ptyplex-PID, with the background process's pid) and its log dir,
 * $XDG_STATE_HOME/ptyplex/SESSION, else ~/.local/state/ptyplex/SESSION.
 */
void daemon_defaults(struct options *opts);
/*
 * Tells the waiting process that session name is ready, then lets go of
 * the caller's stderr. Does nothing if *notify_fd is -1; sets it to -1.
 */
void daemon_ready(int *notify_fd, const char *name);
/*
 * Tells the waiting process that the session ended with status before it
 * was ready, so that it exits with the same. Does nothing if *notify_fd is
 * -1; sets it to -1.
 */
void daemon_failed(int *notify_fd, int status);

#endif
