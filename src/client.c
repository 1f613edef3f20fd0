#include "ptyplex/client.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ptyplex/attach.h"
#include "ptyplex/json.h"
#include "ptyplex/log.h"
#include "ptyplex/proto.h"
#include "ptyplex/rundir.h"
#include "ptyplex/signame.h"
#include "ptyplex/spec.h"
#include "ptyplex/xalloc.h"

/* Options a command accepts. */
#define CLIENT_OPT_TARGET 0x1   /* -s SESSION, -S SOCKET */
#define CLIENT_OPT_NEWLINE 0x2  /* -n */
#define CLIENT_OPT_JSON 0x4     /* --json */
#define CLIENT_OPT_KEY 0x8      /* --detach-key */

struct client_args {
	const char *session;
	const char *socket;
	int no_newline;
	int json;
	int detach_key;
	int restart;    /* the "restart" command, not "start" */
	int argc;       /* the words after the options */
	char **argv;
};

/* A connection to a session, and what it has sent us but we have not
 * used yet. */
struct client_conn {
	int fd;
	char *path;
	unsigned char *buf;     /* PROTO_MAX_MSG bytes received */
	unsigned char *out;     /* PROTO_MAX_MSG bytes: one request */
	size_t len;
	size_t used;            /* the last message returned, dropped next */
};

struct client_command {
	const char *name;
	const char *usage;
	const char *help;
	int options;
	int min_words, max_words; /* max -1: any number */
	int (*run)(struct client_conn *, const struct client_args *);
};

static int client_send(struct client_conn *, const struct client_args *);
static int client_list(struct client_conn *, const struct client_args *);
static int client_signal(struct client_conn *, const struct client_args *);
static int client_stop(struct client_conn *, const struct client_args *);
static int client_attach(struct client_conn *, const struct client_args *);
static int client_start(struct client_conn *, const struct client_args *);

static const struct client_command client_commands[] = {
	{ "send", "send [-s SESSION | -S SOCKET] [-n] NAME [TEXT...]",
	  "Send TEXT, its words joined by spaces, and a newline to child NAME.\n"
	  "  -n    no newline\n"
	  "With no TEXT at all, copy stdin to NAME byte for byte, whatever\n"
	  "its size; 'send NAME \"\"' sends just a newline. Every word after\n"
	  "NAME is TEXT, dashes included.\n",
	  CLIENT_OPT_TARGET | CLIENT_OPT_NEWLINE, 1, -1, client_send },
	{ "list", "list [-s SESSION | -S SOCKET] [--json]",
	  "One line per child: NAME PID STATE [EXIT]. PID is '-' when there\n"
	  "is no process; STATE is running, held, exited or restarting; EXIT\n"
	  "is the last exit status, or SIGNAME when a signal ended it.\n"
	  "  --json  one JSON object per line instead\n",
	  CLIENT_OPT_TARGET | CLIENT_OPT_JSON, 0, 0, client_list },
	{ "signal", "signal [-s SESSION | -S SOCKET] NAME SIGNAL",
	  "Send SIGNAL (TERM, INT, HUP, KILL, USR1 ..., with or without SIG,\n"
	  "or a number) to child NAME's process group.\n",
	  CLIENT_OPT_TARGET, 2, 2, client_signal },
	{ "stop", "stop [-s SESSION | -S SOCKET]",
	  "Shut the session down gracefully, as SIGTERM would, and wait until\n"
	  "it has ended; the session then exits 0.\n",
	  CLIENT_OPT_TARGET, 0, 0, client_stop },
	{ "start", "start [-s SESSION | -S SOCKET] NAME",
	  "Start child NAME: one declared with --hold, or one that has\n"
	  "exited or is waiting to restart.\n",
	  CLIENT_OPT_TARGET, 1, 1, client_start },
	{ "restart", "restart [-s SESSION | -S SOCKET] NAME",
	  "Restart child NAME now: SIGTERM to its process group (SIGKILL\n"
	  "after --kill-timeout), then start it again with the same name,\n"
	  "prefix, log file and input routes.\n",
	  CLIENT_OPT_TARGET, 1, 1, client_start },
	{ "attach", "attach [-s SESSION | -S SOCKET] [--detach-key KEY] NAME",
	  "Work in child NAME as if it ran in this terminal: keys go to it,\n"
	  "its output (the recent scrollback first) comes here, the window\n"
	  "size follows this terminal. The detach key (default ^\\, Ctrl-\\)\n"
	  "leaves it running and exits 0; when NAME exits, attach exits with\n"
	  "its status. Stdin that is not a terminal detaches at its EOF.\n"
	  "  --detach-key KEY  ^X for Ctrl-X, or none\n",
	  CLIENT_OPT_TARGET | CLIENT_OPT_KEY, 1, 1, client_attach },
	{ "sessions", "sessions [--json]",
	  "The live sessions of this user, one name per line.\n"
	  "  --json  one JSON object per line instead\n",
	  CLIENT_OPT_JSON, 0, 0, NULL },
};

#define CLIENT_NCOMMANDS (sizeof client_commands / sizeof client_commands[0])

int
client_is_command(const char *word)
{
	size_t i;

	for (i = 0; i < CLIENT_NCOMMANDS; i++)
		if (strcmp(word, client_commands[i].name) == 0)
			return 1;
	return 0;
}

static void
client_usage(const struct client_command *cmd, FILE *fp)
{
	fprintf(fp, "usage: ptyplex %s\n%s", cmd->usage, cmd->help);
	if (cmd->options & CLIENT_OPT_TARGET)
		fputs("  -s, --session NAME   the session named NAME\n"
		    "  -S, --socket PATH    the session listening on PATH\n"
		    "Without -s or -S: the only live session of this user.\n",
		    fp);
	fputs("Exit status: 0 done, 1 refused by the session (unknown or "
	    "exited child),\n125 usage error or no session.\n", fp);
}

static int client_usage_error(const struct client_command *cmd,
    const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One line naming the problem, as every usage error. */
static int
client_usage_error(const struct client_command *cmd, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	log_error("%s: %s (see ptyplex %s --help)", cmd->name, what,
	    cmd->name);
	return PTYPLEX_EXIT_FAILURE;
}

/* Returns -1 to go on, else the exit status (help printed, or an error). */
static int
client_parse(const struct client_command *cmd, int argc, char **argv,
    struct client_args *args)
{
	static const struct option longopts[] = {
		{ "session", required_argument, NULL, 's' },
		{ "socket", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ "detach-key", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(args, 0, sizeof *args);
	args->detach_key = ATTACH_DEFAULT_KEY;
	args->restart = strcmp(cmd->name, "restart") == 0;
	opterr = 0;
	optind = 1;
	/* '+': options end at NAME, so TEXT may hold dashes. */
	while ((c = getopt_long(argc, argv, "+:s:S:nh", longopts,
	    NULL)) != -1) {
		if (c == 'h') {
			client_usage(cmd, stdout);
			return 0;
		}
		if ((c == 's' || c == 'S') &&
		    (cmd->options & CLIENT_OPT_TARGET)) {
			*(c == 's' ? &args->session : &args->socket) = optarg;
		} else if (c == 'n' && (cmd->options & CLIENT_OPT_NEWLINE)) {
			args->no_newline = 1;
		} else if (c == 'k' && (cmd->options & CLIENT_OPT_KEY)) {
			args->detach_key = attach_parse_key(optarg);
			if (args->detach_key == ATTACH_BAD_KEY)
				return client_usage_error(cmd, "invalid detach "
				    "key '%s' (^X for Ctrl-X, or none)",
				    optarg);
		} else if (c == 'j' && (cmd->options & CLIENT_OPT_JSON)) {
			args->json = 1;
		} else if (c == ':') {
			return client_usage_error(cmd, "option '%s' needs a "
			    "value", argv[optind - 1]);
		} else {
			return client_usage_error(cmd, "unknown option '%s'",
			    argv[optind - 1]);
		}
	}
	args->argc = argc - optind;
	args->argv = argv + optind;
	if (args->session != NULL && args->socket != NULL)
		return client_usage_error(cmd, "-s and -S exclude each other");
	if (args->session != NULL && !spec_name_is_valid(args->session))
		return client_usage_error(cmd, "invalid session name '%s'",
		    args->session);
	if (args->argc < cmd->min_words)
		return client_usage_error(cmd, "missing %s", args->argc == 0 &&
		    cmd->min_words > 0 ? "NAME" : "SIGNAL");
	if (cmd->max_words != -1 && args->argc > cmd->max_words)
		return client_usage_error(cmd, "unexpected argument '%s'",
		    args->argv[cmd->max_words]);
	if (args->argc > 0 && !spec_name_is_valid(args->argv[0]))
		return client_usage_error(cmd, "invalid child name '%s'",
		    args->argv[0]);
	return -1;
}

/* The socket of the only live session; NULL (error printed) otherwise. */
static char *
client_pick_session(const char *dir)
{
	char **names, *path = NULL, *list;
	size_t n, i, len = 0;

	n = rundir_sessions(dir, &names);
	if (n == 0)
		log_error("no live session (none in %s)", dir);
	else if (n == 1)
		path = rundir_socket_path(dir, names[0]);
	else {
		for (i = 0; i < n; i++)
			len += strlen(names[i]) + 1;
		list = xcalloc(1, len + 1);
		for (i = 0; i < n; i++) {
			strcat(list, " ");
			strcat(list, names[i]);
		}
		log_error("%zu live sessions, choose one with -s:%s", n, list);
		free(list);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return path;
}

/* Where to connect; NULL (error printed) when there is nowhere. */
static char *
client_socket_path(const struct client_args *args)
{
	char *dir, *path = NULL, *cause = NULL;

	if (args->socket != NULL)
		return xstrdup(args->socket);
	dir = rundir_path();
	if (rundir_check(dir, &cause) == -1) {
		if (errno == ENOENT)
			log_error("no live session (%s does not exist)", dir);
		else
			log_error("%s", cause);
		free(cause);
	} else if (args->session != NULL)
		path = rundir_socket_path(dir, args->session);
	else
		path = client_pick_session(dir);
	free(dir);
	return path;
}

static void
client_close(struct client_conn *conn)
{
	if (conn->fd != -1)
		close(conn->fd);
	free(conn->path);
	free(conn->buf);
	free(conn->out);
}

static int
client_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		/* MSG_NOSIGNAL: a session that hung up is an error, not a
		 * SIGPIPE. */
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * The next message from the session. Returns 0 with *msg (valid until the
 * next call), -1 on EOF (errno 0) or an error (message printed unless it
 * is EOF).
 */
static int
client_recv(struct client_conn *conn, struct proto_msg *msg)
{
	char err[160];
	size_t size;
	ssize_t n;
	int r;

	if (conn->used > 0) {
		memmove(conn->buf, conn->buf + conn->used,
		    conn->len - conn->used);
		conn->len -= conn->used;
		conn->used = 0;
	}
	for (;;) {
		r = proto_decode(conn->buf, conn->len, msg, &size, err,
		    sizeof err);
		if (r == 1) {
			conn->used = size;
			return 0;
		}
		if (r == -1) {
			log_error("%s: bad message from the session: %s",
			    conn->path, err);
			return -1;
		}
		n = read(conn->fd, conn->buf + conn->len,
		    PROTO_MAX_MSG - conn->len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == 0) {
			errno = 0;
			return -1;
		}
		if (n == -1) {
			log_error("%s: %s", conn->path, strerror(errno));
			return -1;
		}
		conn->len += (size_t)n;
	}
}

/* OK: 0. ERROR: its text on stderr, 1. Anything else: 125. */
static int
client_reply_status(struct client_conn *conn, const struct proto_msg *msg)
{
	if (msg->type == PROTO_OK)
		return 0;
	if (msg->type == PROTO_ERROR) {
		log_error("%.*s", (int)msg->datalen, msg->data);
		return CLIENT_EXIT_REFUSED;
	}
	log_error("%s: unexpected %s from the session", conn->path,
	    proto_type_name(msg->type));
	return PTYPLEX_EXIT_FAILURE;
}

static int
client_expect_ok(struct client_conn *conn)
{
	struct proto_msg msg;

	if (client_recv(conn, &msg) == -1) {
		if (errno == 0)
			log_error("%s: the session closed the connection",
			    conn->path);
		return PTYPLEX_EXIT_FAILURE;
	}
	return client_reply_status(conn, &msg);
}

/*
 * Sends one request. A session that refused an earlier part of it may
 * have replied and hung up: its ERROR is then the better message.
 */
static int
client_request(struct client_conn *conn, const struct proto_msg *msg)
{
	size_t n;

	if ((n = proto_encode(msg, conn->out, PROTO_MAX_MSG)) == 0)
		fatalx("client: cannot encode %s", proto_type_name(msg->type));
	if (client_write_all(conn->fd, conn->out, n) == 0)
		return 0;
	if (errno == EPIPE || errno == ECONNRESET) {
		int status = client_expect_ok(conn);

		return status != 0 ? status : PTYPLEX_EXIT_FAILURE;
	}
	log_error("%s: %s", conn->path, strerror(errno));
	return PTYPLEX_EXIT_FAILURE;
}

/* Connects, checks who listens, and says HELLO. */
static int
client_connect(struct client_conn *conn, const struct client_args *args)
{
	struct proto_msg msg = { .type = PROTO_HELLO, .version = PROTO_VERSION };
	struct sockaddr_un addr;
	struct ucred cred;
	socklen_t len = sizeof cred;
	int status;

	if ((conn->path = client_socket_path(args)) == NULL)
		return PTYPLEX_EXIT_FAILURE;
	if (rundir_fill_addr(&addr, conn->path) == -1) {
		log_error("%s: socket path too long", conn->path);
		return PTYPLEX_EXIT_FAILURE;
	}
	conn->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (conn->fd == -1 || connect(conn->fd, (struct sockaddr *)&addr,
	    sizeof addr) == -1) {
		if (args->session != NULL && (errno == ENOENT ||
		    errno == ECONNREFUSED))
			log_error("no live session named %s", args->session);
		else
			log_error("%s: %s", conn->path, errno == ECONNREFUSED ?
			    "no session listens there" : strerror(errno));
		return PTYPLEX_EXIT_FAILURE;
	}
	if (getsockopt(conn->fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1 ||
	    cred.uid != geteuid()) {
		log_error("%s: the session there is not ours", conn->path);
		return PTYPLEX_EXIT_FAILURE;
	}
	conn->buf = xmalloc(PROTO_MAX_MSG);
	conn->out = xmalloc(PROTO_MAX_MSG);
	if ((status = client_request(conn, &msg)) != 0)
		return status;
	if (client_recv(conn, &msg) == -1) {
		if (errno == 0)
			log_error("%s: the session closed the connection",
			    conn->path);
		return PTYPLEX_EXIT_FAILURE;
	}
	if (msg.type != PROTO_HELLO)
		return client_reply_status(conn, &msg);
	return 0;
}

/* One SEND per chunk that fits a message, each answered before the next. */
static int
client_send_bytes(struct client_conn *conn, const char *name,
    const char *data, size_t len)
{
	struct proto_msg msg = { .type = PROTO_SEND };
	size_t n;
	int status;

	proto_set_name(&msg, name);
	do {
		n = len < PROTO_MAX_DATA ? len : PROTO_MAX_DATA;
		msg.data = data;
		msg.datalen = n;
		if ((status = client_request(conn, &msg)) != 0 ||
		    (status = client_expect_ok(conn)) != 0)
			return status;
		data += n;
		len -= n;
	} while (len > 0);
	return 0;
}

/* Stdin as it comes, so an interactive `send NAME` passes each line on. */
static int
client_send_stdin(struct client_conn *conn, const char *name)
{
	char *buf = xmalloc(PROTO_MAX_DATA);
	int status = 0, sent = 0;
	ssize_t n;

	for (;;) {
		n = read(STDIN_FILENO, buf, PROTO_MAX_DATA);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			log_error("stdin: %s", strerror(errno));
			status = PTYPLEX_EXIT_FAILURE;
			break;
		}
		/* Empty stdin still asks, so a bad NAME is reported. */
		if (n == 0 && sent)
			break;
		if ((status = client_send_bytes(conn, name, buf,
		    (size_t)n)) != 0 || n == 0)
			break;
		sent = 1;
	}
	free(buf);
	return status;
}

static int
client_send(struct client_conn *conn, const struct client_args *args)
{
	size_t len = 0;
	char *text;
	int i, status;

	if (args->argc == 1)
		return client_send_stdin(conn, args->argv[0]);
	for (i = 1; i < args->argc; i++)
		len += strlen(args->argv[i]) + 1;
	text = xmalloc(len + 1);
	len = 0;
	for (i = 1; i < args->argc; i++) {
		if (i > 1)
			text[len++] = ' ';
		memcpy(text + len, args->argv[i], strlen(args->argv[i]));
		len += strlen(args->argv[i]);
	}
	if (!args->no_newline)
		text[len++] = '\n';
	status = client_send_bytes(conn, args->argv[0], text, len);
	free(text);
	return status;
}

static void
client_print_child(const struct proto_msg *msg, int json)
{
	const char *state = proto_state_name(msg->state);
	char pid[16] = "-", exit_text[32] = "";

	if (msg->pid > 0)
		snprintf(pid, sizeof pid, "%d", (int)msg->pid);
	if (json) {
		if (msg->exit_kind != PROTO_EXIT_NONE)
			snprintf(exit_text, sizeof exit_text, ",\"%s\":%d",
			    msg->exit_kind == PROTO_EXIT_STATUS ? "status" :
			    "signal", (int)msg->exit_value);
		printf("{\"name\":\"%s\",\"pid\":%s,\"state\":\"%s\"%s,"
		    "\"restarts\":%u}\n", msg->name,
		    msg->pid > 0 ? pid : "null", state, exit_text,
		    (unsigned)msg->restarts);
		return;
	}
	if (msg->exit_kind == PROTO_EXIT_STATUS)
		snprintf(exit_text, sizeof exit_text, " %d",
		    (int)msg->exit_value);
	else if (msg->exit_kind == PROTO_EXIT_SIGNAL) {
		const char *abbrev = sigabbrev_np(msg->exit_value);

		if (abbrev != NULL)
			snprintf(exit_text, sizeof exit_text, " SIG%s", abbrev);
		else
			snprintf(exit_text, sizeof exit_text, " SIG%d",
			    (int)msg->exit_value);
	}
	printf("%s %s %s%s\n", msg->name, pid, state, exit_text);
}

static int
client_list(struct client_conn *conn, const struct client_args *args)
{
	struct proto_msg msg = { .type = PROTO_LIST };
	int status;

	if ((status = client_request(conn, &msg)) != 0)
		return status;
	for (;;) {
		if (client_recv(conn, &msg) == -1) {
			if (errno == 0)
				log_error("%s: the session closed the "
				    "connection", conn->path);
			return PTYPLEX_EXIT_FAILURE;
		}
		if (msg.type != PROTO_CHILD)
			break;
		client_print_child(&msg, args->json);
	}
	return client_reply_status(conn, &msg);
}

static int
client_signal(struct client_conn *conn, const struct client_args *args)
{
	struct proto_msg msg = { .type = PROTO_SIGNAL };
	int status;

	proto_set_name(&msg, args->argv[0]);
	msg.signum = signame_parse(args->argv[1]);
	if ((status = client_request(conn, &msg)) != 0)
		return status;
	return client_expect_ok(conn);
}

/* START and RESTART: one request, one OK or ERROR. */
static int
client_start(struct client_conn *conn, const struct client_args *args)
{
	struct proto_msg msg = { .type = args->restart ? PROTO_RESTART :
	    PROTO_START };
	int status;

	proto_set_name(&msg, args->argv[0]);
	if ((status = client_request(conn, &msg)) != 0)
		return status;
	return client_expect_ok(conn);
}

/* STOP is answered at once; the connection closes when the session ends. */
static int
client_stop(struct client_conn *conn, const struct client_args *args)
{
	struct proto_msg msg = { .type = PROTO_STOP };
	int status;

	(void)args;
	if ((status = client_request(conn, &msg)) != 0 ||
	    (status = client_expect_ok(conn)) != 0)
		return status;
	while (client_recv(conn, &msg) == 0)
		;
	return errno == 0 ? 0 : PTYPLEX_EXIT_FAILURE;
}

static int
client_sessions(const struct client_args *args)
{
	char *dir = rundir_path(), *cause = NULL, **names, *path, *esc;
	size_t n = 0, i;

	if (rundir_check(dir, &cause) == -1 && errno != ENOENT) {
		log_error("%s", cause);
		free(cause);
		free(dir);
		return PTYPLEX_EXIT_FAILURE;
	}
	free(cause);
	n = rundir_sessions(dir, &names);
	for (i = 0; i < n; i++) {
		if (args->json) {
			path = rundir_socket_path(dir, names[i]);
			esc = xmalloc(JSON_ESCAPE_BOUND(strlen(path)) + 1);
			esc[json_escape(esc, path, strlen(path))] = '\0';
			printf("{\"name\":\"%s\",\"socket\":\"%s\"}\n",
			    names[i], esc);
			free(esc);
			free(path);
		} else
			printf("%s\n", names[i]);
		free(names[i]);
	}
	free(names);
	free(dir);
	return 0;
}

/* The connection goes to attach.c, which owns it from now on. */
static int
client_attach(struct client_conn *conn, const struct client_args *args)
{
	int fd = conn->fd;

	conn->fd = -1;
	return attach_run(fd, conn->path, args->argv[0], args->detach_key);
}

int
client_main(int argc, char **argv)
{
	const struct client_command *cmd = NULL;
	struct client_conn conn = { .fd = -1 };
	struct client_args args;
	size_t i;
	int status;

	for (i = 0; i < CLIENT_NCOMMANDS; i++)
		if (strcmp(argv[0], client_commands[i].name) == 0)
			cmd = &client_commands[i];
	if (cmd == NULL)
		fatalx("client: unknown command %s", argv[0]);
	if ((status = client_parse(cmd, argc, argv, &args)) != -1)
		return status;
	if (cmd->run == NULL)
		return client_sessions(&args);
	if (strcmp(cmd->name, "signal") == 0 &&
	    signame_parse(args.argv[1]) == -1)
		return client_usage_error(cmd, "invalid signal '%s'",
		    args.argv[1]);
	if ((status = client_connect(&conn, &args)) == 0)
		status = cmd->run(&conn, &args);
	client_close(&conn);
	if (fflush(stdout) == EOF && status == 0)
		status = PTYPLEX_EXIT_FAILURE;
	return status;
}
