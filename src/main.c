/*
 * ptyplex: run programs on their own pseudo-terminals and relay their
 * output line by line. main picks the run form or a client command and
 * turns the outcome into the exit status; nothing else.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ptyplex/log.h"
#include "ptyplex/options.h"
#include "ptyplex/session.h"

static int
run_session(int argc, char **argv)
{
	struct options opts;
	struct session s;
	char *cause = NULL;
	int status;

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
	log_set_quiet(opts.quiet);
	if (session_init(&s, &opts, &cause) == -1) {
		log_error("%s", cause);
		free(cause);
		session_release(&s);
		options_release(&opts);
		return PTYPLEX_EXIT_FAILURE;
	}
	status = session_run(&s);
	session_release(&s);
	options_release(&opts);
	return status;
}

int
main(int argc, char **argv)
{
	return run_session(argc, argv);
}
