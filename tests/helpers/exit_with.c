/*
 * exit_with [-w] [-d MS] STATUS|SIGNAME: prints "exit_with ARG", then (with
 * -w) waits for a line on stdin, (with -d) sleeps MS milliseconds, and exits
 * with STATUS, or kills itself with the signal SIGNAME (SIGTERM, SIGKILL,
 * SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGQUIT, SIGSEGV). A signal skips
 * exit's flush: the line shows only because a terminal's stdout is
 * line-buffered.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const struct {
	const char *name;
	int number;
} signals[] = {
	{ "SIGTERM", SIGTERM }, { "SIGKILL", SIGKILL }, { "SIGINT", SIGINT },
	{ "SIGHUP", SIGHUP }, { "SIGUSR1", SIGUSR1 }, { "SIGUSR2", SIGUSR2 },
	{ "SIGQUIT", SIGQUIT }, { "SIGSEGV", SIGSEGV },
};

static int
signal_number(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof signals / sizeof signals[0]; i++) {
		if (strcmp(signals[i].name, name) == 0)
			return signals[i].number;
	}
	return -1;
}

static void
die_by_signal(int sig)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigaction(sig, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(99);	/* not reached for a fatal signal */
}

int
main(int argc, char **argv)
{
	char line[4096];
	int opt, wait_line = 0, sig;
	long delay_ms = 0;

	while ((opt = getopt(argc, argv, "wd:")) != -1) {
		switch (opt) {
		case 'w':
			wait_line = 1;
			break;
		case 'd':
			delay_ms = strtol(optarg, NULL, 10);
			break;
		default:
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: exit_with [-w] [-d MS] STATUS|SIGNAME\n");
		return 2;
	}
	alarm(300);	/* never outlive a broken test run */
	printf("exit_with %s\n", argv[optind]);
	if (wait_line && fgets(line, sizeof line, stdin) == NULL)
		return 98;
	if (delay_ms > 0) {
		struct timespec ts = { delay_ms / 1000, (delay_ms % 1000) * 1000000 };

		nanosleep(&ts, NULL);
	}
	if (strncmp(argv[optind], "SIG", 3) == 0) {
		sig = signal_number(argv[optind]);
		if (sig == -1)
			return 2;
		die_by_signal(sig);
	}
	return atoi(argv[optind]);
}
