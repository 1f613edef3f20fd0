/*
 * ceiling: the fastest a pty supervisor could possibly be.
 *
 *     ceiling [-n N] [--pipe] [--first-line] [--] COMMAND [ARG...]
 *
 * Starts N copies (default 1) of COMMAND, exec'd directly (no shell), each on
 * its own pseudo-terminal (forkpty, default modes, so the child line-buffers
 * and the pty turns "\n" into "\r\n"), or on a pipe with --pipe. Reads every
 * master in 64 KiB chunks with poll(), throws the bytes away, and stops when
 * each has reported EOF; then reaps the children. No framing, no prefixes,
 * no output: anything a real tool does costs more than this.
 *
 * With --first-line it stops as soon as every child has written one whole
 * line, then kills them (SIGKILL) and reaps them: how long it takes just to
 * start N children on ptys and see each one's first line.
 *
 * Prints one line on stdout:
 *     <bytes> bytes <seconds> s <MB/s> MB/s
 * counted from before the first fork to after the last waitpid().
 * Exit status 1 if a child failed or was killed, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (64 * 1024)
#define MAX_CHILDREN 1024

static void
usage(void)
{
	fputs("usage: ceiling [-n N] [--pipe] [--first-line] [--] COMMAND "
	    "[ARG...]\n", stderr);
	exit(2);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* In the child: exec or report and die. Only async-signal-safe calls. */
static void
exec_child(char **argv)
{
	execvp(argv[0], argv);
	(void)!write(STDERR_FILENO, "ceiling: exec failed\n", 21);
	_exit(127);
}

/* Start argv on a pipe; returns the read end and sets *pid. */
static int
spawn_pipe(char **argv, pid_t *pid)
{
	int fds[2];

	if (pipe2(fds, O_CLOEXEC) == -1)
		return -1;
	if ((*pid = fork()) == -1) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (*pid == 0) {
		if (dup2(fds[1], STDOUT_FILENO) == -1)
			_exit(127);
		exec_child(argv);
	}
	close(fds[1]);
	return fds[0];
}

/* Start argv on a new pty; returns the master and sets *pid. */
static int
spawn_pty(char **argv, pid_t *pid)
{
	int master;

	if ((*pid = forkpty(&master, NULL, NULL, NULL)) == -1)
		return -1;
	if (*pid == 0)
		exec_child(argv);
	/* Later children must not hold this master open. */
	if (fcntl(master, F_SETFD, FD_CLOEXEC) == -1)
		return -1;
	return master;
}

/*
 * Read every fd until EOF: 0 from a pipe, EIO from a master once the slave
 * side is gone (Linux keeps the data readable until then); with first_line,
 * only until the first '\n' of each. Returns the byte count, or -1 on a
 * real read error.
 */
static long long
drain(struct pollfd *pfds, int n, int first_line)
{
	static char buf[CHUNK];
	long long total = 0;
	int open = n, i;
	ssize_t r;

	while (open > 0) {
		if (poll(pfds, (nfds_t)n, -1) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (i = 0; i < n; i++) {
			if (pfds[i].fd < 0 || pfds[i].revents == 0)
				continue;
			r = read(pfds[i].fd, buf, sizeof buf);
			if (r > 0) {
				total += r;
				if (first_line && memchr(buf, '\n', r) != NULL) {
					/* Kept open: the child is killed later. */
					pfds[i].fd = -1;
					open--;
				}
				continue;
			}
			if (r == -1 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (r == -1 && errno != EIO)
				return -1;
			close(pfds[i].fd);
			pfds[i].fd = -1;
			open--;
		}
	}
	return total;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pipe", no_argument, NULL, 'p' },
		{ "first-line", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct pollfd *pfds;
	pid_t *pids;
	long long bytes;
	double t0, secs;
	int n = 1, use_pipe = 0, first_line = 0, failed = 0, c, i, st;
	char *end;

	while ((c = getopt_long(argc, argv, "+n:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			n = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || n < 1 || n > MAX_CHILDREN)
				usage();
			break;
		case 'p':
			use_pipe = 1;
			break;
		case 'f':
			first_line = 1;
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	argv += optind;

	pfds = calloc((size_t)n, sizeof *pfds);
	pids = calloc((size_t)n, sizeof *pids);
	if (pfds == NULL || pids == NULL) {
		fputs("ceiling: out of memory\n", stderr);
		return 1;
	}

	t0 = now();
	for (i = 0; i < n; i++) {
		if (use_pipe)
			pfds[i].fd = spawn_pipe(argv, &pids[i]);
		else
			pfds[i].fd = spawn_pty(argv, &pids[i]);
		if (pfds[i].fd == -1) {
			fprintf(stderr, "ceiling: spawn: %s\n", strerror(errno));
			return 1;
		}
		pfds[i].events = POLLIN;
	}
	if ((bytes = drain(pfds, n, first_line)) == -1) {
		fprintf(stderr, "ceiling: read: %s\n", strerror(errno));
		return 1;
	}
	if (first_line) {
		secs = now() - t0;
		for (i = 0; i < n; i++)
			kill(pids[i], SIGKILL);
	}
	for (i = 0; i < n; i++) {
		while (waitpid(pids[i], &st, 0) == -1) {
			if (errno != EINTR) {
				fprintf(stderr, "ceiling: waitpid: %s\n",
				    strerror(errno));
				return 1;
			}
		}
		if (!first_line && (!WIFEXITED(st) || WEXITSTATUS(st) != 0))
			failed = 1;
	}
	if (!first_line)
		secs = now() - t0;

	printf("%lld bytes %.6f s %.1f MB/s\n", bytes, secs,
	    (double)bytes / secs / 1e6);
	if (failed)
		fputs("ceiling: a child failed\n", stderr);
	free(pfds);
	free(pids);
	return failed;
}
