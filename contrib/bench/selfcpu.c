/*
 * selfcpu: runs a command and records the CPU time of that one process,
 * without the processes it starts (its children are the work it relays,
 * not what relaying costs).
 *
 *     selfcpu FILE -- COMMAND [ARG...]
 *
 * Starts COMMAND (execvp), waits for it to exit without reaping it
 * (waitid WNOWAIT), reads utime and stime from its /proc/PID/stat (all its
 * threads, its children's time kept apart in cutime and cstime), writes
 * "TICKS\n" to FILE, then reaps it and exits as it did: its status, or
 * 128 + the signal that killed it. SIGTERM, SIGINT and SIGHUP are passed
 * on to COMMAND, so a timeout that stops selfcpu stops COMMAND.
 * Build: cc -O2 -Wall -Wextra -Werror -std=gnu11 selfcpu.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t child_pid;

static void
pass_on(int sig)
{
	if (child_pid > 0)
		kill(child_pid, sig);
}

static void
die(const char *what)
{
	fprintf(stderr, "selfcpu: %s: %s\n", what, strerror(errno));
	exit(125);
}

/* utime + stime, fields 14 and 15, counted after the ")" of the name. */
static unsigned long long
own_ticks(pid_t pid)
{
	unsigned long long utime, stime;
	char path[64], buf[4096], *p;
	FILE *f;
	size_t n;
	int i;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		die(path);
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL)
		die("a stat line without a name");
	for (i = 0; i < 12 && p != NULL; i++)
		p = strchr(p + 1, ' ');
	if (p == NULL || sscanf(p, "%llu %llu", &utime, &stime) != 2) {
		errno = EINVAL;
		die(path);
	}
	return utime + stime;
}

int
main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = pass_on };
	siginfo_t info;
	FILE *out;
	pid_t pid;
	int status;

	if (argc < 4 || strcmp(argv[2], "--") != 0) {
		fprintf(stderr, "usage: selfcpu FILE -- COMMAND [ARG...]\n");
		return 2;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if ((pid = fork()) == -1)
		die("fork");
	if (pid == 0) {
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		execvp(argv[3], argv + 3);
		fprintf(stderr, "selfcpu: %s: %s\n", argv[3], strerror(errno));
		_exit(127);
	}
	child_pid = pid;
	while (waitid(P_PID, pid, &info, WEXITED | WNOWAIT) == -1)
		if (errno != EINTR)
			die("waitid");
	if ((out = fopen(argv[1], "w")) == NULL)
		die(argv[1]);
	fprintf(out, "%llu\n", own_ticks(pid));
	if (fclose(out) != 0)
		die(argv[1]);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			die("waitpid");
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
