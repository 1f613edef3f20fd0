#include "ptyplex/daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ptyplex/log.h"
#include "ptyplex/options.h"
#include "ptyplex/spec.h"
#include "ptyplex/xalloc.h"

/* What the session writes when ready: its name and a newline. */
#define DAEMON_REPORT_MAX (SPEC_NAME_MAX + 2)

static void
daemon_null_fd(int fd)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null == -1)
		fatal("cannot open /dev/null");
	if (null != fd) {
		dup2(null, fd);
		close(null);
	}
}

/* "N\n" from a session that ended before it was ready: exit with N. */
static int
daemon_failure_status(const char *text)
{
	char *end;
	long status = strtol(text, &end, 10);

	if (end == text || *end != '\n' || status < 0 || status > 255)
		return PTYPLEX_EXIT_FAILURE;
	return (int)status;
}

/*
 * The process that ran ptyplex: the session's name when it is ready, "!N"
 * when it ended first with status N, or EOF when it could not start (its
 * reason is on stderr already).
 */
static int
daemon_wait(int fd, pid_t middle)
{
	char report[DAEMON_REPORT_MAX + 1];
	size_t len = 0;
	ssize_t n;

	while (waitpid(middle, NULL, 0) == -1 && errno == EINTR)
		;
	while (len < DAEMON_REPORT_MAX) {
		n = read(fd, report + len, DAEMON_REPORT_MAX - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (len < 2 || report[len - 1] != '\n')
		return PTYPLEX_EXIT_FAILURE;
	report[len] = '\0';
	if (report[0] == '!')
		return daemon_failure_status(report + 1);
	if (fwrite(report, 1, len, stdout) != len || fflush(stdout) == EOF)
		return PTYPLEX_EXIT_FAILURE;
	return 0;
}

/*
 * Fork, setsid, fork: the session is no session leader, so no pty it opens
 * can become its controlling terminal.
 */
int
daemon_start(int *notify_fd, int *status)
{
	int p[2];
	pid_t pid;

	fflush(NULL);
	if (pipe2(p, O_CLOEXEC) == -1) {
		log_error("cannot detach: %s", strerror(errno));
		*status = PTYPLEX_EXIT_FAILURE;
		return 0;
	}
	if ((pid = fork()) == -1) {
		log_error("cannot detach: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		*status = PTYPLEX_EXIT_FAILURE;
		return 0;
	}
	if (pid > 0) {
		close(p[1]);
		*status = daemon_wait(p[0], pid);
		return 0;
	}
	close(p[0]);
	if (setsid() == -1)
		_exit(PTYPLEX_EXIT_FAILURE);
	if ((pid = fork()) != 0)
		_exit(pid == -1 ? PTYPLEX_EXIT_FAILURE : 0);
	daemon_null_fd(STDIN_FILENO);
	daemon_null_fd(STDOUT_FILENO);
	*notify_fd = p[1];
	return 1;
}

/* $XDG_STATE_HOME when it is an absolute path, else ~/.local/state. */
static char *
daemon_state_home(void)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	struct passwd *pw;

	if (xdg != NULL && xdg[0] == '/')
		return xstrdup(xdg);
	if ((home == NULL || home[0] != '/') &&
	    (pw = getpwuid(getuid())) != NULL)
		home = pw->pw_dir;
	return xasprintf("%s/.local/state", home != NULL ? home : "");
}

void
daemon_defaults(struct options *opts)
{
	char *state;

	if (opts->session_name == NULL)
		opts->session_name = xasprintf("ptyplex-%ld",
		    (long)getpid());
	if (opts->log_dir == NULL) {
		state = daemon_state_home();
		opts->log_dir = xasprintf("%s/ptyplex/%s", state,
		    opts->session_name);
		free(state);
	}
}

static void
daemon_report(int *notify_fd, const char *report)
{
	size_t len = strlen(report);

	if (write(*notify_fd, report, len) != (ssize_t)len)
		log_warn("cannot tell the waiting ptyplex: %s",
		    strerror(errno));
	close(*notify_fd);
	*notify_fd = -1;
}

void
daemon_failed(int *notify_fd, int status)
{
	char report[16];

	if (*notify_fd == -1)
		return;
	snprintf(report, sizeof report, "!%d\n", status & 0xff);
	daemon_report(notify_fd, report);
}

void
daemon_ready(int *notify_fd, const char *name)
{
	char *report;

	if (*notify_fd == -1)
		return;
	report = xasprintf("%s\n", name);
	daemon_report(notify_fd, report);
	free(report);
	fflush(stderr);
	daemon_null_fd(STDERR_FILENO);
}
