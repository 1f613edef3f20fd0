/*
 * client: the commands that talk to a running session over its control
 * socket: send, list, signal, stop, and sessions (which lists them).
 *
 *     ptyplex send   [-s SESSION | -S SOCKET] [-n] NAME [TEXT...]
 *     ptyplex list   [-s SESSION | -S SOCKET] [--json]
 *     ptyplex signal [-s SESSION | -S SOCKET] NAME SIGNAL
 *     ptyplex stop   [-s SESSION | -S SOCKET]
 *     ptyplex sessions [--json]
 *
 * Without -s or -S a command talks to the only live session of the user,
 * and fails naming the candidates when there are several. Options come
 * before NAME: every word after it is TEXT, dashes included.
 *
 * Exit status: 0 done; CLIENT_EXIT_REFUSED (1) the session refused the
 * request (no such child, the child has exited, ...), with its reason on
 * stderr; 125 a usage error, no session to talk to, or a broken
 * connection.
 */
#ifndef PTYPLEX_CLIENT_H
#define PTYPLEX_CLIENT_H

#define CLIENT_EXIT_REFUSED 1

/* Whether word (argv[1]) names a client command. */
int client_is_command(const char *word);
/* Runs the command argv[0] with its arguments; returns the exit status. */
int client_main(int argc, char **argv);

#endif
