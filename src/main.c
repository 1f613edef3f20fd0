/*
 * ptyplex: run programs on their own pseudo-terminals and relay their
 * output line by line. main picks the run form or a client command and
 * turns the outcome into the exit status; nothing else.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ptyplex/client.h"
#include "ptyplex/daemon.h"
#include "ptyplex/log.h"
#include "ptyplex/options.h"
#include "ptyplex/session.h"

static int
run_session(int argc, char **argv)
{
	struct options opts;
	struct session s;
	char *cause = NULL;
	int status, notify_fd = -1;

	options_init(&opts);
	switch (options_parse(&opts, argc, argv, &cause)) {
	case OPTIONS_DONE:
		options_release(&opts);
		return 0;
	case OPTIONS_ERROR:
		log_error("%s", cause);
		free(cause);
		options_release(&opts);
		return PTYPLEX_EXIT_FAILURE;
	case OPTIONS_RUN:
		break;
	}
	if (opts.detach) {
		if (daemon_start(&notify_fd, &status) == 0) {
			options_release(&opts);
			return status;
		}
		daemon_defaults(&opts);
	}
	/* In the background, notices would only reach /dev/null, or the
	 * caller's terminal while the session starts. */
	log_set_quiet(opts.quiet || opts.detach);
	if (session_init(&s, &opts, &cause) == -1) {
		log_error("%s", cause);
		free(cause);
		session_release(&s);
		options_release(&opts);
		return PTYPLEX_EXIT_FAILURE;
	}
	s.notify_fd = notify_fd;
	status = session_run(&s);
	daemon_failed(&s.notify_fd, status);
	session_release(&s);
	options_release(&opts);
	return status;
}

int
main(int argc, char **argv)
{
	if (argc > 1 && client_is_command(argv[1]))
		return client_main(argc - 1, argv + 1);
	return run_session(argc, argv);
}
