/*
 * term: the user's terminal, for --raw and attach: raw mode entered and
 * always left again, and the window size.
 *
 * The saved modes are process-wide, as the terminal is: term_raw_enter()
 * registers an atexit() handler (once), so exit() from anywhere, fatal
 * paths included, puts the terminal back the way the user had it; normal
 * paths call term_restore() themselves. One terminal at a time is in raw
 * mode. While it is, log messages end with "\r\n" so they stay readable.
 */
#ifndef PTYPLEX_TERM_H
#define PTYPLEX_TERM_H

#include <termios.h>

/*
 * Saves fd's modes and puts it in raw mode (as cfmakeraw(): no echo, no
 * line editing, no signals from keys, no output processing, 8-bit bytes
 * one at a time). Returns -1 with errno set if fd is not a terminal or
 * cannot be changed; nothing is saved then.
 */
int term_raw_enter(int fd);
/* Puts the saved modes back, if any; safe to call any number of times. */
void term_restore(void);
/* 1 while a terminal is in raw mode. */
int term_is_raw(void);
/*
 * The modes of terminal fd as the user set them: the saved ones while fd
 * is the terminal in raw mode. Returns -1 if fd is not a terminal.
 */
int term_get_modes(int fd, struct termios *t);
/*
 * The window size of the first terminal among stdin, stdout and stderr
 * (with both sizes non-zero); -1 if none has one.
 */
int term_get_size(unsigned short *cols, unsigned short *rows);

#endif
