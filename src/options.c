#include "ptyplex/options.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptyplex/pattern.h"
#include "ptyplex/prefix.h"
#include "ptyplex/procfile.h"
#include "ptyplex/script.h"
#include "ptyplex/xalloc.h"

enum long_only_option {
	OPT_FIFO = 256,
	OPT_INPUT,
	OPT_NO_STDIN,
	OPT_EXIT_WITH,
	OPT_WAIT_ALL,
	OPT_KILL_TIMEOUT,
	OPT_ECHO,
	OPT_SIZE,
	OPT_PREFIX,
	OPT_TIMESTAMPS,
	OPT_COLOR,
	OPT_JSON,
	OPT_LOG_DIR,
	OPT_FLUSH_MS,
	OPT_MAX_LINE,
	OPT_SCRIPT,
	OPT_READY,
	OPT_READY_TIMEOUT,
	OPT_HOLD,
	OPT_RESTART,
	OPT_RAW,
	OPT_SCROLLBACK,
	OPT_FIFO_DIR,
	OPT_NO_SOCKET,
};

static const struct option long_options[] = {
	{ "procfile", required_argument, NULL, 'f' },
	{ "input", required_argument, NULL, OPT_INPUT },
	{ "no-stdin", no_argument, NULL, OPT_NO_STDIN },
	{ "exit-with", required_argument, NULL, OPT_EXIT_WITH },
	{ "wait-all", no_argument, NULL, OPT_WAIT_ALL },
	{ "kill-timeout", required_argument, NULL, OPT_KILL_TIMEOUT },
	{ "echo", no_argument, NULL, OPT_ECHO },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "prefix", required_argument, NULL, OPT_PREFIX },
	{ "timestamps", no_argument, NULL, OPT_TIMESTAMPS },
	{ "color", required_argument, NULL, OPT_COLOR },
	{ "colour", required_argument, NULL, OPT_COLOR },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "log-dir", required_argument, NULL, OPT_LOG_DIR },
	{ "flush-ms", required_argument, NULL, OPT_FLUSH_MS },
	{ "max-line", required_argument, NULL, OPT_MAX_LINE },
	{ "script", required_argument, NULL, OPT_SCRIPT },
	{ "ready", required_argument, NULL, OPT_READY },
	{ "ready-timeout", required_argument, NULL, OPT_READY_TIMEOUT },
	{ "hold", required_argument, NULL, OPT_HOLD },
	{ "restart", required_argument, NULL, OPT_RESTART },
	{ "session", required_argument, NULL, 's' },
	{ "fifo", required_argument, NULL, OPT_FIFO },
	{ "fifo-dir", required_argument, NULL, OPT_FIFO_DIR },
	{ "socket", required_argument, NULL, 'S' },
	{ "no-socket", no_argument, NULL, OPT_NO_SOCKET },
	{ "quiet", no_argument, NULL, 'q' },
	{ "raw", no_argument, NULL, OPT_RAW },
	{ "scrollback", required_argument, NULL, OPT_SCROLLBACK },
	{ "detach", no_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

void
options_usage(FILE *fp)
{
	fputs(
"usage: ptyplex [OPTIONS] NAME=COMMAND...\n"
"       ptyplex [OPTIONS] -f Procfile [NAME...]\n"
"       ptyplex send|attach|list|signal|stop|start|restart|sessions ...\n"
"Run each COMMAND (with /bin/sh -c) on its own pseudo-terminal and relay\n"
"every line it writes, prefixed with its NAME.\n"
"\n"
"Children:\n"
"  -f, --procfile FILE     children from FILE ('name: command' lines)\n"
"      --size COLSxROWS    window size (default: this terminal's, else 80x24)\n"
"      --echo              keep the ptys' ECHO (input shows in the output)\n"
"Input:\n"
"      --input NAME        child for stdin lines without a 'NAME: ' route\n"
"      --no-stdin          do not read stdin\n"
"      --fifo NAME=PATH    input FIFO for NAME (made 0600 if missing)\n"
"      --fifo-dir DIR      a FIFO DIR/NAME.in for every child\n"
"      --script FILE       send/expect steps first; stdin is read after them\n"
"      --raw               one child, bytes and keys passed through untouched\n"
"Output:\n"
"      --prefix FMT        %n name, %p pid, %t time, %% percent (default '%n: ')\n"
"      --timestamps        same as --prefix '%t %n: '\n"
"      --color WHEN        auto, always or never (default auto)\n"
"      --json              one JSON object per line and per event\n"
"      --log-dir DIR       byte-exact transcript of each child in DIR/NAME.log\n"
"      --flush-ms MS       show a partial line after MS ms of silence (100)\n"
"      --max-line BYTES    split longer lines (default 65536)\n"
"  -q, --quiet             no lifecycle notices on stderr\n"
"Lifecycle:\n"
"      --exit-with NAME    end when NAME exits, with its status\n"
"      --wait-all          end when every child has exited\n"
"      --kill-timeout SEC  SIGTERM to SIGKILL grace at shutdown (default 3)\n"
"      --ready NAME=/RE/   start the children after NAME once its output matches\n"
"      --ready-timeout SEC exit 124 if it has not matched by then (default 30)\n"
"      --hold NAME         start NAME only by a script step or 'ptyplex start'\n"
"      --restart NAME=no|on-failure|always[:MAX]\n"
"                          restart NAME (MAX times), backoff 0.1 s to 10 s\n"
"Sessions:\n"
"  -s, --session NAME      session name (default ptyplex-PID)\n"
"  -S, --socket PATH       control socket (default SESSION.sock in\n"
"                          $XDG_RUNTIME_DIR/ptyplex, else /tmp/ptyplex-UID)\n"
"      --no-socket         no control socket\n"
"  -d, --detach            run in the background, print the session name\n"
"      --scrollback BYTES  output kept per child for attach (default 65536)\n"
"\n"
"  -h, --help              this help      -V, --version   the version\n"
"Each client command has its own help: ptyplex COMMAND --help.\n"
"Exit status: the ending child's (128+N if killed by signal N), 0 after\n"
"'ptyplex stop', 124 when a script step or --ready fails, 125 when ptyplex\n"
"itself fails, 141 when stdout is closed. See ptyplex(1).\n",
	    fp);
}

void
options_init(struct options *opts)
{
	memset(opts, 0, sizeof *opts);
	spec_list_init(&opts->children);
	opts->exit_policy = EXIT_FIRST;
	opts->kill_timeout_ms = 3000;
	opts->color = COLOR_AUTO;
	opts->flush_ms = 100;
	opts->max_line = 65536;
	opts->ready_timeout_ms = 30000;
	opts->scrollback = 65536;
}

void
options_release(struct options *opts)
{
	size_t i;

	spec_list_release(&opts->children);
	free(opts->procfile);
	free(opts->input_name);
	free(opts->exit_with);
	free(opts->prefix);
	free(opts->log_dir);
	free(opts->session_name);
	for (i = 0; i < opts->nfifos; i++) {
		free(opts->fifos[i].name);
		free(opts->fifos[i].path);
	}
	free(opts->fifos);
	free(opts->fifo_dir);
	free(opts->socket_path);
	free(opts->script_path);
	if (opts->script != NULL)
		script_release(opts->script);
	free(opts->script);
	for (i = 0; i < opts->nrules; i++) {
		free(opts->rules[i].name);
		free(opts->rules[i].ready);
	}
	free(opts->rules);
	memset(opts, 0, sizeof *opts);
}

/* Parses a whole decimal number in [min, max]. */
static int
parse_number(const char *s, unsigned long long min, unsigned long long max,
    unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Seconds with an optional fraction, "3" or "0.5", into milliseconds. */
static int
parse_seconds(const char *s, unsigned *ms)
{
	char *end;
	double v;

	if ((*s < '0' || *s > '9') && *s != '.')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || v < 0 || v > 86400)
		return -1;
	*ms = (unsigned)(v * 1000 + 0.5);
	return 0;
}

static int
parse_size(struct options *opts, const char *s)
{
	unsigned cols, rows;
	char tail;

	if (sscanf(s, "%ux%u%c", &cols, &rows, &tail) != 2 || cols == 0 ||
	    rows == 0 || cols > 10000 || rows > 10000 || *s < '0' || *s > '9')
		return -1;
	opts->cols = cols;
	opts->rows = rows;
	return 0;
}

static int
parse_color(struct options *opts, const char *s)
{
	if (strcmp(s, "auto") == 0)
		opts->color = COLOR_AUTO;
	else if (strcmp(s, "always") == 0)
		opts->color = COLOR_ALWAYS;
	else if (strcmp(s, "never") == 0)
		opts->color = COLOR_NEVER;
	else
		return -1;
	return 0;
}

static void
replace(char **slot, const char *value)
{
	free(*slot);
	*slot = xstrdup(value);
}

static const char *
option_name(int c)
{
	const struct option *o;

	for (o = long_options; o->name != NULL; o++)
		if (o->val == c)
			return o->name;
	return "?";
}

/* What a valid value looks like, for error messages. */
static const char *
option_hint(int c)
{
	switch (c) {
	case OPT_KILL_TIMEOUT:
		return "expected seconds, e.g. 3 or 0.5";
	case OPT_SIZE:
		return "expected COLSxROWS, e.g. 120x40";
	case OPT_COLOR:
		return "expected auto, always or never";
	case OPT_FLUSH_MS:
		return "expected milliseconds from 0 to 3600000";
	case OPT_MAX_LINE:
		return "expected bytes from 16 to 67108864";
	case OPT_READY_TIMEOUT:
		return "expected seconds, e.g. 30 or 0.5; 0 waits for ever";
	case OPT_RESTART:
		return "expected NAME=no|on-failure|always[:MAX]";
	case OPT_HOLD:
		return "expected a child's NAME";
	case OPT_SCROLLBACK:
		return "expected bytes from 0 to 1073741824";
	case 's':
		return "letters, digits, '_', '.', '-'";
	case OPT_FIFO:
		return "expected NAME=PATH";
	case OPT_FIFO_DIR:
	case 'S':
		return "expected a path";
	default:
		return "see --help";
	}
}

const struct child_rule *
options_rule(const struct options *opts, const char *name)
{
	size_t i;

	for (i = 0; i < opts->nrules; i++)
		if (strcmp(opts->rules[i].name, name) == 0)
			return &opts->rules[i];
	return NULL;
}

/* The rule for the child named by len bytes of name, added if new. */
static struct child_rule *
options_add_rule(struct options *opts, const char *name, size_t len)
{
	struct child_rule *rule;
	size_t i;

	for (i = 0; i < opts->nrules; i++) {
		rule = &opts->rules[i];
		if (strlen(rule->name) == len &&
		    memcmp(rule->name, name, len) == 0)
			return rule;
	}
	opts->rules = xreallocarray(opts->rules, opts->nrules + 1,
	    sizeof *opts->rules);
	rule = &opts->rules[opts->nrules++];
	memset(rule, 0, sizeof *rule);
	rule->name = xstrndup(name, len);
	rule->restart = RESTART_NO;
	rule->restart_max = RESTART_UNLIMITED;
	return rule;
}

/* "NAME=" at the start of arg: the length of NAME, or 0 if invalid. */
static size_t
options_rule_name(const char *arg)
{
	const char *eq = strchr(arg, '=');
	char *name;
	int valid;

	if (eq == NULL)
		return 0;
	name = xstrndup(arg, eq - arg);
	valid = spec_name_is_valid(name);
	free(name);
	return valid ? (size_t)(eq - arg) : 0;
}

/* --ready NAME=/REGEX/: the pattern must compile now, not at run time. */
static int
options_apply_ready(struct options *opts, const char *arg, char **cause)
{
	size_t len = options_rule_name(arg);
	struct child_rule *rule;
	char *source, *why;
	regex_t re;

	if (len == 0) {
		*cause = xasprintf("invalid value '%s' for --ready (expected "
		    "NAME=/REGEX/)", arg);
		return -1;
	}
	if (pattern_compile(arg + len + 1, strlen(arg + len + 1), &re,
	    &source, &why) == -1) {
		*cause = xasprintf("--ready %s: %s", arg, why);
		free(why);
		return -1;
	}
	regfree(&re);
	free(source);
	rule = options_add_rule(opts, arg, len);
	replace(&rule->ready, arg + len + 1);
	return 0;
}

/* --restart NAME=no|on-failure|always, with :MAX after the last two. */
static int
options_apply_restart(struct options *opts, const char *arg)
{
	static const char *const names[] = { "no", "on-failure", "always" };
	size_t len = options_rule_name(arg), plen, i;
	const char *policy, *colon;
	unsigned long long max = RESTART_UNLIMITED;
	struct child_rule *rule;

	if (len == 0)
		return -1;
	policy = arg + len + 1;
	colon = strchr(policy, ':');
	plen = colon != NULL ? (size_t)(colon - policy) : strlen(policy);
	for (i = 0; i < 3; i++)
		if (strlen(names[i]) == plen &&
		    memcmp(names[i], policy, plen) == 0)
			break;
	if (i == 3 || (colon != NULL && (i == RESTART_NO ||
	    parse_number(colon + 1, 0, 1000000, &max) == -1)))
		return -1;
	rule = options_add_rule(opts, arg, len);
	rule->restart = (enum restart_policy)i;
	rule->restart_max = (unsigned)max;
	return 0;
}

/* --fifo NAME=PATH; -1 if it is not that. */
static int
options_add_fifo(struct options *opts, const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct fifo_option *f;
	char *name;

	if (eq == NULL || eq[1] == '\0')
		return -1;
	name = xstrndup(arg, (size_t)(eq - arg));
	if (!spec_name_is_valid(name)) {
		free(name);
		return -1;
	}
	opts->fifos = xreallocarray(opts->fifos, opts->nfifos + 1,
	    sizeof *opts->fifos);
	f = &opts->fifos[opts->nfifos++];
	f->name = name;
	f->path = xstrdup(eq + 1);
	return 0;
}

/* Handles one option; returns -1 with *cause set when its value is bad. */
static int
options_apply(struct options *opts, int c, const char *arg, char **cause)
{
	unsigned long long n;

	switch (c) {
	case 'f':
		replace(&opts->procfile, arg);
		break;
	case OPT_INPUT:
		replace(&opts->input_name, arg);
		break;
	case OPT_NO_STDIN:
		opts->no_stdin = 1;
		break;
	case OPT_EXIT_WITH:
		opts->exit_policy = EXIT_WITH;
		replace(&opts->exit_with, arg);
		break;
	case OPT_WAIT_ALL:
		opts->exit_policy = EXIT_WAIT_ALL;
		break;
	case OPT_KILL_TIMEOUT:
		if (parse_seconds(arg, &opts->kill_timeout_ms) == -1)
			goto bad;
		break;
	case OPT_ECHO:
		opts->echo = 1;
		break;
	case OPT_SIZE:
		if (parse_size(opts, arg) == -1)
			goto bad;
		break;
	case OPT_PREFIX:
		replace(&opts->prefix, arg);
		break;
	case OPT_TIMESTAMPS:
		replace(&opts->prefix, "%t %n: ");
		break;
	case OPT_COLOR:
		if (parse_color(opts, arg) == -1)
			goto bad;
		break;
	case OPT_JSON:
		opts->json = 1;
		break;
	case OPT_LOG_DIR:
		replace(&opts->log_dir, arg);
		break;
	case OPT_FLUSH_MS:
		if (parse_number(arg, 0, 3600000, &n) == -1)
			goto bad;
		opts->flush_ms = n;
		break;
	case OPT_MAX_LINE:
		if (parse_number(arg, 16, 64 << 20, &n) == -1)
			goto bad;
		opts->max_line = n;
		break;
	case 's':
		if (!spec_name_is_valid(arg))
			goto bad;
		replace(&opts->session_name, arg);
		break;
	case 'q':
		opts->quiet = 1;
		break;
	case OPT_FIFO:
		if (options_add_fifo(opts, arg) == -1)
			goto bad;
		break;
	case OPT_FIFO_DIR:
		if (*arg == '\0')
			goto bad;
		replace(&opts->fifo_dir, arg);
		break;
	case 'S':
		if (*arg == '\0')
			goto bad;
		replace(&opts->socket_path, arg);
		break;
	case OPT_NO_SOCKET:
		opts->no_socket = 1;
		break;
	case OPT_SCRIPT:
		replace(&opts->script_path, arg);
		break;
	case OPT_READY_TIMEOUT:
		if (parse_seconds(arg, &opts->ready_timeout_ms) == -1)
			goto bad;
		break;
	case OPT_HOLD:
		if (!spec_name_is_valid(arg))
			goto bad;
		options_add_rule(opts, arg, strlen(arg))->hold = 1;
		break;
	case OPT_READY:
		return options_apply_ready(opts, arg, cause);
	case OPT_RESTART:
		if (options_apply_restart(opts, arg) == -1)
			goto bad;
		break;
	case OPT_RAW:
		opts->raw = 1;
		break;
	case OPT_SCROLLBACK:
		if (parse_number(arg, 0, 1 << 30, &n) == -1)
			goto bad;
		opts->scrollback = n;
		break;
	case 'd':
		opts->detach = 1;
		break;
	default:
		return -1;
	}
	return 0;
bad:
	*cause = xasprintf("invalid value '%s' for --%s (%s)", arg,
	    option_name(c), option_hint(c));
	return -1;
}

/* Words after the options: NAME=COMMAND children, or Procfile names. */
static int
options_add_words(struct options *opts, int argc, char **argv,
    struct spec_list *wanted, char **cause)
{
	int i;

	for (i = 0; i < argc; i++) {
		if (strchr(argv[i], '=') != NULL) {
			if (spec_list_add_assignment(&opts->children, argv[i],
			    cause) == -1)
				return -1;
		} else if (opts->procfile != NULL) {
			if (spec_list_add(wanted, argv[i], "-", cause) == -1)
				return -1;
		} else {
			*cause = xasprintf("'%s' is not NAME=COMMAND (or an "
			    "unknown command; see --help)", argv[i]);
			return -1;
		}
	}
	return 0;
}

/* Puts the Procfile's children first, keeping only the wanted ones. */
static int
options_load_procfile(struct options *opts, const struct spec_list *wanted,
    char **cause)
{
	struct spec_list all, merged;
	size_t i;
	int rc = -1;

	spec_list_init(&all);
	spec_list_init(&merged);
	if (procfile_load(opts->procfile, &all, cause) == -1)
		goto out;
	for (i = 0; i < wanted->count; i++) {
		if (spec_list_find(&all, wanted->items[i].name) == -1) {
			*cause = xasprintf("%s: no child named '%s'",
			    opts->procfile, wanted->items[i].name);
			goto out;
		}
	}
	for (i = 0; i < all.count; i++) {
		if (wanted->count > 0 &&
		    spec_list_find(wanted, all.items[i].name) == -1)
			continue;
		if (spec_list_add(&merged, all.items[i].name,
		    all.items[i].command, cause) == -1)
			goto out;
	}
	for (i = 0; i < opts->children.count; i++) {
		if (spec_list_add(&merged, opts->children.items[i].name,
		    opts->children.items[i].command, cause) == -1)
			goto out;
	}
	spec_list_release(&opts->children);
	opts->children = merged;
	spec_list_init(&merged);
	rc = 0;
out:
	spec_list_release(&all);
	spec_list_release(&merged);
	return rc;
}

static int
options_check_child(const struct options *opts, const char *option,
    const char *name, char **cause)
{
	if (name == NULL || spec_list_find(&opts->children, name) != -1)
		return 0;
	*cause = xasprintf("%s %s: no child named '%s'", option, name, name);
	return -1;
}

/* --raw is one terminal's worth: one child, bytes untouched, a user. */
static int
options_check_raw(const struct options *opts, char **cause)
{
	if (!opts->raw)
		return 0;
	if (opts->children.count != 1) {
		*cause = xasprintf("--raw needs exactly one child (%zu given)",
		    opts->children.count);
		return -1;
	}
	if (opts->json) {
		*cause = xstrdup("--raw and --json cannot be combined");
		return -1;
	}
	if (opts->detach) {
		*cause = xstrdup("--raw and --detach cannot be combined "
		    "(attach to a detached session instead)");
		return -1;
	}
	return 0;
}

/* A session in the background is reached only through its socket. */
static int
options_check_detach(const struct options *opts, char **cause)
{
	if (opts->detach && opts->no_socket) {
		*cause = xstrdup("--detach needs the control socket (drop "
		    "--no-socket)");
		return -1;
	}
	return 0;
}

/* Rules and script steps name existing children; the script parses. */
static int
options_check_supervision(struct options *opts, char **cause)
{
	const struct script_step *st;
	size_t i;

	for (i = 0; i < opts->nrules; i++) {
		if (options_check_child(opts, opts->rules[i].hold ? "--hold" :
		    opts->rules[i].ready != NULL ? "--ready" : "--restart",
		    opts->rules[i].name, cause) == -1)
			return -1;
	}
	if (opts->script_path == NULL)
		return 0;
	opts->script = xcalloc(1, sizeof *opts->script);
	script_init(opts->script);
	if (script_load(opts->script, opts->script_path, cause) == -1)
		return -1;
	for (i = 0; i < opts->script->count; i++) {
		st = &opts->script->steps[i];
		if (st->name != NULL &&
		    spec_list_find(&opts->children, st->name) == -1) {
			*cause = xasprintf("%s:%u: no child named '%s'",
			    opts->script_path, st->line, st->name);
			return -1;
		}
	}
	return 0;
}

/* Every --fifo names a child. */
static int
options_check_fifos(const struct options *opts, char **cause)
{
	size_t i;

	for (i = 0; i < opts->nfifos; i++) {
		if (options_check_child(opts, "--fifo", opts->fifos[i].name,
		    cause) == -1)
			return -1;
	}
	return 0;
}

/* Checks that hold across options, once all are known. */
static int
options_validate(struct options *opts, char **cause)
{
	struct prefix *prefix;

	if (opts->children.count == 0) {
		*cause = xstrdup("no children to run (give NAME=COMMAND or "
		    "-f Procfile; see --help)");
		return -1;
	}
	if (options_check_child(opts, "--input", opts->input_name,
	    cause) == -1)
		return -1;
	if (options_check_child(opts, "--exit-with", opts->exit_with,
	    cause) == -1)
		return -1;
	if (options_check_fifos(opts, cause) == -1)
		return -1;
	if (options_check_raw(opts, cause) == -1)
		return -1;
	if (options_check_detach(opts, cause) == -1)
		return -1;
	if (options_check_supervision(opts, cause) == -1)
		return -1;
	if (opts->prefix == NULL)
		opts->prefix = xstrdup("%n: ");
	if ((prefix = prefix_compile(opts->prefix, cause)) == NULL)
		return -1;
	prefix_free(prefix);
	return 0;
}

enum options_result
options_parse(struct options *opts, int argc, char **argv, char **cause)
{
	struct spec_list wanted;
	int c, rc = -1;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":f:s:S:dqhV", long_options,
	    NULL)) != -1) {
		if (c == 'h') {
			options_usage(stdout);
			return OPTIONS_DONE;
		}
		if (c == 'V') {
			printf("ptyplex %s\n", PTYPLEX_VERSION);
			return OPTIONS_DONE;
		}
		if (c == '?' || c == ':') {
			*cause = optopt == 0 ? xasprintf("unknown option '%s' "
			    "(see --help)", argv[optind - 1]) : xasprintf(
			    c == ':' ? "option '%s' needs a value" :
			    "unknown option '%s' (see --help)",
			    argv[optind - 1]);
			return OPTIONS_ERROR;
		}
		if (options_apply(opts, c, optarg, cause) == -1)
			return OPTIONS_ERROR;
	}
	spec_list_init(&wanted);
	if (options_add_words(opts, argc - optind, argv + optind, &wanted,
	    cause) == -1)
		goto out;
	if (opts->procfile != NULL &&
	    options_load_procfile(opts, &wanted, cause) == -1)
		goto out;
	rc = options_validate(opts, cause);
out:
	spec_list_release(&wanted);
	return rc == 0 ? OPTIONS_RUN : OPTIONS_ERROR;
}
