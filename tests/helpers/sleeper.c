/*
 * sleeper [-t]: prints "ready" and waits for a signal, forever.
 * With -t it survives SIGTERM (printing "caught SIGTERM" each time) and
 * ignores SIGHUP, so only SIGKILL ends it: the child --kill-timeout is for.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void
term_cb(int sig)
{
	static const char msg[] = "caught SIGTERM\n";

	(void)sig;
	/* Only write() is safe here; stdio is not. */
	(void)!write(1, msg, sizeof msg - 1);
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "-t") == 0) {
		struct sigaction sa;

		memset(&sa, 0, sizeof sa);
		sa.sa_handler = term_cb;
		sigaction(SIGTERM, &sa, NULL);
		sa.sa_handler = SIG_IGN;
		sigaction(SIGHUP, &sa, NULL);
	}
	/* Never outlive a broken test run, even one that leaked this child. */
	alarm(300);
	puts("ready");
	for (;;)
		pause();
}
