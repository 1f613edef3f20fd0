#include "ptyplex/term.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ptyplex/log.h"

/*
 * The one piece of process-wide state: the terminal is process-wide, and
 * an atexit() handler has no other way to find what it must restore.
 */
static struct {
	int fd;          /* the terminal in raw mode, or -1 */
	dev_t dev;       /* its device and inode, to recognise it by */
	ino_t ino;
	int registered;  /* the atexit() handler is in place */
	struct termios saved;
} term = { .fd = -1 };

static void
term_atexit(void)
{
	term_restore();
}

int
term_raw_enter(int fd)
{
	struct termios raw;
	struct stat st;

	if (term.fd != -1) {
		errno = EBUSY;
		return -1;
	}
	if (tcgetattr(fd, &term.saved) == -1 || fstat(fd, &st) == -1)
		return -1;
	raw = term.saved;
	cfmakeraw(&raw);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (!term.registered) {
		if (atexit(term_atexit) != 0) {
			errno = ENOMEM;
			return -1;
		}
		term.registered = 1;
	}
	if (tcsetattr(fd, TCSANOW, &raw) == -1)
		return -1;
	term.fd = fd;
	term.dev = st.st_dev;
	term.ino = st.st_ino;
	/* Messages to this terminal need their own carriage return now. */
	log_set_crlf(isatty(STDERR_FILENO));
	return 0;
}

/*
 * TCSANOW, not TCSADRAIN: output already written was processed under the
 * raw modes when it was written, and a terminal that does not drain must
 * never keep ptyplex from exiting.
 */
void
term_restore(void)
{
	int saved_errno = errno;

	if (term.fd == -1)
		return;
	while (tcsetattr(term.fd, TCSANOW, &term.saved) == -1 &&
	    errno == EINTR)
		;
	term.fd = -1;
	log_set_crlf(0);
	errno = saved_errno;
}

int
term_is_raw(void)
{
	return term.fd != -1;
}

int
term_get_modes(int fd, struct termios *t)
{
	struct stat st;

	if (tcgetattr(fd, t) == -1)
		return -1;
	if (term.fd != -1 && fstat(fd, &st) == 0 && st.st_dev == term.dev &&
	    st.st_ino == term.ino)
		*t = term.saved;
	return 0;
}

int
term_get_size(unsigned short *cols, unsigned short *rows)
{
	static const int fds[] = { STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO };
	struct winsize ws;
	size_t i;

	for (i = 0; i < sizeof fds / sizeof fds[0]; i++) {
		if (ioctl(fds[i], TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 &&
		    ws.ws_row > 0) {
			*cols = ws.ws_col;
			*rows = ws.ws_row;
			return 0;
		}
	}
	return -1;
}
