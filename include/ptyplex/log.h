/*
 * User messages: one line each on stderr, "ptyplex: <what>: <why>".
 *
 * log_error() returns -1 so that early exits stay on one line:
 *     return log_error("fifo %s: %s", path, strerror(errno));
 * Notices (lifecycle lines) are silenced by log_set_quiet().
 */
#ifndef PTYPLEX_LOG_H
#define PTYPLEX_LOG_H

#define PTYPLEX_EXIT_FAILURE 125

void log_set_quiet(int quiet);
int log_is_quiet(void);
/* Ends messages with "\r\n": stderr is a terminal in raw mode. */
void log_set_crlf(int crlf);
int log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Bugs: log and exit 125. fatal() appends strerror(errno). */
void fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

#endif
