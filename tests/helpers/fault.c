/*
 * fault MODE ARG...: a child that misbehaves in one precise way, for the
 * fault tests. Output goes through write(2) where the point is what the
 * pty holds at a given moment, through stdio elsewhere.
 *
 *   midline TEXT           writes TEXT (no newline), then dies by SIGKILL
 *   closeout FILE STATUS   prints "closing", closes 0, 1 and 2, waits for
 *                          FILE to exist and exits STATUS
 *   stop                   prints "pid=PID" and "stopping", stops itself
 *                          (SIGSTOP), prints "continued" and exits 0 once
 *                          continued; "caught SIGTERM" if one ends it
 *   raw COLS ROWS          puts its pty in raw mode (cfmakeraw), sets the
 *                          window to COLSxROWS itself, prints "raw" and
 *                          "winsize=COLSxROWS" (from TIOCGWINSZ) ending
 *                          with "\n" only, then echoes each input line as
 *                          "got LINE" until the line "quit"; exits 0
 *   grandchild PIDFILE MS STATUS
 *                          forks a grandchild that ignores SIGHUP, keeps
 *                          the pty, writes its pid to PIDFILE and then
 *                          prints "grandchild tick N" every MS ms (never,
 *                          for MS 0) for up to 300 s; the parent prints
 *                          "parent exits" once the pid file is written
 *                          and exits STATUS
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			exit(1);
		buf += n;
		len -= (size_t)n;
	}
}

static void
say(const char *s)
{
	write_all(1, s, strlen(s));
}

static int
mode_midline(const char *text)
{
	say(text);
	raise(SIGKILL);
	return 99;
}

static int
mode_closeout(const char *file, int status)
{
	say("closing\n");
	close(0);
	close(1);
	close(2);
	while (access(file, F_OK) != 0)
		sleep_ms(10);
	return status;
}

static void
stop_term_cb(int sig)
{
	static const char msg[] = "caught SIGTERM\n";

	(void)sig;
	(void)!write(1, msg, sizeof msg - 1);
	_exit(143);
}

static int
mode_stop(void)
{
	char line[64];

	signal(SIGTERM, stop_term_cb);
	snprintf(line, sizeof line, "pid=%ld\nstopping\n", (long)getpid());
	say(line);
	raise(SIGSTOP);
	say("continued\n");
	return 0;
}

static int
mode_raw(unsigned short cols, unsigned short rows)
{
	struct termios t;
	struct winsize ws = { 0 };
	char line[256], buf[300];
	size_t len = 0;
	char c;

	if (tcgetattr(0, &t) == -1)
		return 3;
	cfmakeraw(&t);
	if (tcsetattr(0, TCSANOW, &t) == -1)
		return 4;
	ws.ws_col = cols;
	ws.ws_row = rows;
	if (ioctl(0, TIOCSWINSZ, &ws) == -1)
		return 5;
	memset(&ws, 0, sizeof ws);
	ioctl(1, TIOCGWINSZ, &ws);
	snprintf(buf, sizeof buf, "raw\nwinsize=%ux%u\n", ws.ws_col,
	    ws.ws_row);
	say(buf);
	/* Raw: no line editing, so lines are put together here; a '\r'
	 * (ICRNL is off) ends one as well as a '\n'. */
	for (;;) {
		ssize_t n = read(0, &c, 1);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		if (c != '\n' && c != '\r') {
			if (len < sizeof line - 1)
				line[len++] = c;
			continue;
		}
		if (len == 0)
			continue;
		line[len] = '\0';
		len = 0;
		if (strcmp(line, "quit") == 0)
			return 0;
		snprintf(buf, sizeof buf, "got %s\n", line);
		say(buf);
	}
}

static int
mode_grandchild(const char *pidfile, long ms, int status)
{
	char buf[64];
	pid_t pid;
	int fd;

	pid = fork();
	if (pid == -1)
		return 2;
	if (pid == 0) {
		long tick;
		time_t start = time(NULL);

		signal(SIGHUP, SIG_IGN);
		alarm(300);
		snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
		fd = open(pidfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd == -1)
			_exit(1);
		write_all(fd, buf, strlen(buf));
		close(fd);
		for (tick = 1; time(NULL) - start < 300; tick++) {
			if (ms == 0) {
				pause();
				continue;
			}
			sleep_ms(ms);
			snprintf(buf, sizeof buf, "grandchild tick %ld\n",
			    tick);
			/* The pty may be gone: EIO is the end of the story. */
			if (write(1, buf, strlen(buf)) == -1 && errno != EINTR)
				_exit(0);
		}
		_exit(0);
	}
	for (;;) {
		size_t len;

		fd = open(pidfile, O_RDONLY);
		if (fd != -1) {
			ssize_t n = read(fd, buf, sizeof buf - 1);

			close(fd);
			len = n > 0 ? (size_t)n : 0;
			if (len > 0 && buf[len - 1] == '\n')
				break;
		}
		sleep_ms(10);
	}
	say("parent exits\n");
	return status;
}

int
main(int argc, char **argv)
{
	alarm(300);	/* never outlive a broken test run */
	if (argc == 3 && strcmp(argv[1], "midline") == 0)
		return mode_midline(argv[2]);
	if (argc == 4 && strcmp(argv[1], "closeout") == 0)
		return mode_closeout(argv[2], atoi(argv[3]));
	if (argc == 2 && strcmp(argv[1], "stop") == 0)
		return mode_stop();
	if (argc == 4 && strcmp(argv[1], "raw") == 0)
		return mode_raw((unsigned short)atoi(argv[2]),
		    (unsigned short)atoi(argv[3]));
	if (argc == 5 && strcmp(argv[1], "grandchild") == 0)
		return mode_grandchild(argv[2], strtol(argv[3], NULL, 10),
		    atoi(argv[4]));
	fprintf(stderr, "usage: fault midline|closeout|stop|raw|grandchild "
	    "ARG...\n");
	return 2;
}
