/*
 * signame: signals by name or number, as users write them. Pure.
 *
 * "TERM", "SIGTERM", "term" and "15" all name SIGTERM; names are those of
 * sigabbrev_np() (HUP, INT, QUIT, KILL, USR1, USR2, ...), with or without
 * the "SIG" prefix, in any case. A number must be a valid signal, 1 to
 * NSIG - 1.
 */
#ifndef PTYPLEX_SIGNAME_H
#define PTYPLEX_SIGNAME_H

/* The signal number s names, or -1. */
int signame_parse(const char *s);

#endif
