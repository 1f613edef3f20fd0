/*
 * The run form's command line, parsed into struct options.
 *
 * options_parse() validates every value (names, sizes, formats, Procfile)
 * so that nothing starts on bad input; errors come back in *cause as one
 * line naming the bad argument, for main to print and exit 125.
 */
#ifndef PTYPLEX_OPTIONS_H
#define PTYPLEX_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

#include "ptyplex/spec.h"

enum exit_policy {
	EXIT_FIRST,    /* the first child to exit ends the session */
	EXIT_WITH,     /* the named child ends the session */
	EXIT_WAIT_ALL, /* the session ends once every child has exited */
};

enum restart_policy {
	RESTART_NO,
	RESTART_ON_FAILURE, /* after a non-zero status or a signal */
	RESTART_ALWAYS,
};

#define RESTART_UNLIMITED ((unsigned)-1)

/* What --hold, --ready and --restart say about one child. */
struct child_rule {
	char *name;
	int hold;                /* started only by "start" */
	char *ready;             /* the --ready pattern as given, or NULL */
	enum restart_policy restart;
	unsigned restart_max;    /* restarts allowed, or RESTART_UNLIMITED */
};

struct script;

/* --fifo NAME=PATH: an input FIFO for one child. */
struct fifo_option {
	char *name;
	char *path;
};

enum color_mode {
	COLOR_AUTO,
	COLOR_ALWAYS,
	COLOR_NEVER,
};

struct options {
	struct spec_list children;
	char *procfile;
	char *input_name;  /* default route for stdin lines; NULL: first */
	int no_stdin;
	enum exit_policy exit_policy;
	char *exit_with;
	unsigned kill_timeout_ms;
	int echo;
	unsigned short cols, rows; /* 0: not given */
	char *prefix;
	enum color_mode color;
	int json;
	char *log_dir;
	unsigned flush_ms;
	size_t max_line;
	char *session_name;
	int quiet;
	struct fifo_option *fifos; /* --fifo, in the order given */
	size_t nfifos;
	char *fifo_dir;    /* --fifo-dir: DIR/NAME.in for every child */
	char *socket_path; /* -S; NULL: the default socket of the session */
	int no_socket;
	char *script_path;
	struct script *script;     /* --script, parsed and checked */
	struct child_rule *rules;  /* one per child named in a rule */
	size_t nrules;
	unsigned ready_timeout_ms; /* 0: wait for ever */
	int raw;           /* --raw: one child, byte-exact, keys passed on */
	size_t scrollback; /* bytes of output kept per child for attach */
	int detach;        /* -d: run in the background */
};

enum options_result {
	OPTIONS_RUN,    /* run the session */
	OPTIONS_DONE,   /* --help or --version was printed */
	OPTIONS_ERROR,  /* *cause says why */
};

void options_init(struct options *opts);
void options_release(struct options *opts);
enum options_result options_parse(struct options *opts, int argc,
    char **argv, char **cause);
/* The rule for child name, or NULL if no option named it. */
const struct child_rule *options_rule(const struct options *opts,
    const char *name);
/* The --help text, also used by the man page check. */
void options_usage(FILE *fp);

#endif
