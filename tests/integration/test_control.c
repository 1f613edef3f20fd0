/*
 * The control socket and the client commands (send, list, signal, stop,
 * sessions), against the real binary: paths and permissions, stale and
 * live sockets, sessions side by side, and clients that misbehave.
 */
#include "inject.h"

#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>

TestSuite(control, .init = h_setup, .fini = h_teardown, .timeout = 300);

/* Starts a session named name with args, and waits for its socket. */
#define SESSION(name, ...) \
	session_start((name), (const char *const[]){ "-s", (name), \
	    __VA_ARGS__, NULL })

static struct h_proc *
session_start(const char *name, const char *const *args)
{
	struct h_proc *p = h_start(NULL, args);

	cr_assert(inj_wait_live(inj_sock(name), H_TIMEOUT),
	    "session %s never listened\n%s", name, h_context(p));
	return p;
}

/* Runs a client command to its end; returns it for its output. */
#define CLIENT(status, ...) \
	client_run((status), NULL, (const char *const[]){ __VA_ARGS__, NULL })

static struct h_proc *
client_run(int status, const struct h_opts *o, const char *const *args)
{
	struct h_proc *c = h_start(o, args);

	H_ASSERT_EXIT(c, status);
	return c;
}

static const char *
echoer(const char *name, const char *who)
{
	return h_fmt("%s=exec %s %s", name, HELPER("echoer"), who);
}

/* A child whose pty is raw and whose input lands in path, byte for byte. */
static const char *
raw_sink(const char *path)
{
	return h_fmt("A=stty raw -echo -iexten && echo ready && exec cat > %s",
	    path);
}

static void
assert_file_is(const char *path, const char *want, size_t len)
{
	size_t got_len;
	const char *got;

	cr_assert(inj_wait_size(path, len, H_TIMEOUT),
	    "%s never reached %zu bytes", path, len);
	got = h_read_file(path, &got_len);
	cr_assert_not_null(got);
	cr_assert_eq(got_len, len, "%s holds %zu bytes, expected %zu: %s",
	    path, got_len, len, h_show(got, got_len, 200));
	cr_assert_eq(memcmp(got, want, len), 0, "%s differs from what was "
	    "sent: %s", path, h_show(got, got_len, 200));
}

static size_t
count(const char *haystack, const char *needle)
{
	size_t n = 0;

	while ((haystack = strstr(haystack, needle)) != NULL) {
		n++;
		haystack++;
	}
	return n;
}

static void
assert_err(const struct h_proc *c, const char *needle)
{
	cr_assert_not_null(strstr(c->err.data, needle),
	    "stderr lacks %s\n%s", needle, h_context(c));
}

/* Whether the session still relays and answers: list names child. */
static void
assert_responsive(const char *session, const char *child)
{
	struct h_proc *c = CLIENT(0, "list", "-s", session);

	cr_assert_not_null(strstr(c->out.data, h_fmt("%s ", child)),
	    "%s", h_context(c));
}

Test(control, send_reaches_each_child)
{
	struct h_proc *p = SESSION("s1", echoer("A", "a"), echoer("B", "b"));

	H_ASSERT_OUT(p, "B: what should b say?\n");
	CLIENT(0, "send", "A", "hello", "there");
	H_ASSERT_OUT(p, "A: A says, \"hello there\"\n");
	CLIENT(0, "send", "-s", "s1", "B", "to", "b");
	H_ASSERT_OUT(p, "B: B says, \"to b\"\n");
	CLIENT(0, "send", "-S", inj_sock("s1"), "A", "quit");
	H_ASSERT_EXIT(p, 0);
	cr_assert_null(strstr(p->out.data, "B says, \"hello"), "%s",
	    h_context(p));
}

/* TEXT words are joined by spaces; dashes after NAME are TEXT. */
Test(control, send_text_newline_and_dashes)
{
	const char *out = h_path("out");
	struct h_proc *p = SESSION("raw", raw_sink(out));
	const char *want = "a b  c\n\n-n -x --y\nno newline";

	H_ASSERT_OUT(p, "A: ready\n");
	CLIENT(0, "send", "A", "a", "b ", "c");
	CLIENT(0, "send", "A", "");
	CLIENT(0, "send", "A", "-n", "-x", "--y");
	CLIENT(0, "send", "-n", "A", "no newline");
	assert_file_is(out, want, strlen(want));
}

/* Without TEXT, send copies stdin byte for byte, in chunks of any size. */
Test(control, send_copies_stdin_exactly)
{
	const char *out = h_path("out");
	struct h_proc *p = SESSION("raw", raw_sink(out));
	struct h_opts o = { .in = H_STDIN_PIPE };
	size_t size = 3 << 20, i;
	char *data = malloc(size);
	struct h_proc *c;

	cr_assert_not_null(data);
	for (i = 0; i < size; i++)
		data[i] = (char)(i * 7 + i / 251);
	H_ASSERT_OUT(p, "A: ready\n");
	c = h_start(&o, (const char *const[]){ "send", "A", NULL });
	cr_assert_eq(inj_write_fd(c->in_fd, data, size, H_TIMEOUT), size,
	    "send did not take all of stdin\n%s", h_context(c));
	h_close_stdin(c);
	H_ASSERT_EXIT(c, 0);
	assert_file_is(out, data, size);
	free(data);
}

/* An empty stdin sends nothing, but still checks NAME. */
Test(control, send_with_empty_stdin)
{
	struct h_proc *p = SESSION("e", echoer("A", "a"));
	struct h_proc *c;

	H_ASSERT_OUT(p, "A: what should a say?\n");
	CLIENT(0, "send", "A");
	c = CLIENT(1, "send", "Z");
	assert_err(c, "no child named Z");
}

Test(control, unknown_and_exited_children_are_refused)
{
	struct h_proc *p = SESSION("x", "--wait-all", echoer("A", "a"),
	    "B=exit 3");
	struct h_proc *c;

	H_ASSERT_ERR(p, "B exited with status 3");
	c = CLIENT(1, "send", "C", "hi");
	assert_err(c, "ptyplex: no child named C (children: A, B)\n");
	c = CLIENT(1, "send", "B", "hi");
	assert_err(c, "ptyplex: B has exited\n");
	c = CLIENT(1, "signal", "B", "TERM");
	assert_err(c, "B has exited");
	c = CLIENT(1, "signal", "C", "TERM");
	assert_err(c, "no child named C");
	CLIENT(0, "send", "A", "quit");
	H_ASSERT_EXIT(p, 3);
}

Test(control, list_shows_running_and_exited_children)
{
	struct h_proc *p = SESSION("l", "--wait-all", echoer("A", "a"),
	    "B=exit 3", "C=kill -9 $$");
	struct h_proc *c;
	struct h_lines l;
	struct h_json j;
	const char *why;
	pid_t pid;
	int status;

	H_ASSERT_ERR(p, "B exited with status 3");
	H_ASSERT_ERR(p, "C exited with signal 9");
	c = CLIENT(0, "list");
	l = h_split(c->out.data, c->out.len);
	cr_assert_eq(l.n, 3, "%s", h_context(c));
	cr_assert_eq(sscanf(l.v[0], "A %d running", &pid), 1, "%s",
	    h_context(c));
	cr_assert_gt(pid, 0);
	cr_assert_str_eq(l.v[1], "B - exited 3");
	cr_assert_str_eq(l.v[2], "C - exited SIGKILL");

	c = CLIENT(0, "list", "--json");
	l = h_split(c->out.data, c->out.len);
	cr_assert_eq(l.n, 3, "%s", h_context(c));
	cr_assert_eq(h_json_parse(l.v[0], l.len[0], &j, &why), 0, "%s", why);
	cr_assert_str_eq(h_json_get(&j, "name")->str, "A");
	cr_assert_eq((pid_t)h_json_get(&j, "pid")->num, pid);
	cr_assert_str_eq(h_json_get(&j, "state")->str, "running");
	cr_assert_null(h_json_get(&j, "status"));
	cr_assert_eq(h_json_parse(l.v[1], l.len[1], &j, &why), 0, "%s", why);
	cr_assert_str_eq(h_json_get(&j, "state")->str, "exited");
	cr_assert_eq(h_json_get(&j, "status")->num, 3);
	cr_assert_eq(h_json_get(&j, "pid")->type, H_JSON_OTHER);
	cr_assert_eq(h_json_parse(l.v[2], l.len[2], &j, &why), 0, "%s", why);
	cr_assert_eq(h_json_get(&j, "signal")->num, 9);
	CLIENT(0, "send", "A", "quit");
	/* --wait-all: the first failure, B's or C's, whichever came first. */
	status = h_wait_exit(p, H_TIMEOUT);
	cr_assert(status == 3 || status == 128 + SIGKILL, "status %d\n%s",
	    status, h_context(p));
}

Test(control, signal_by_name_prefix_or_number)
{
	const char *trap = "trap 'echo got $1' %s; echo up; "
	    "while :; do sleep 1 & wait $!; done";
	struct h_proc *p = SESSION("sig", "--wait-all",
	    h_fmt("A=set -- usr1; %s", h_fmt(trap, "USR1")),
	    h_fmt("B=set -- hup; %s", h_fmt(trap, "HUP")),
	    h_fmt("C=set -- int; %s", h_fmt(trap, "INT")));
	struct h_proc *c;

	H_ASSERT_OUT(p, "A: up\n");
	H_ASSERT_OUT(p, "B: up\n");
	H_ASSERT_OUT(p, "C: up\n");
	CLIENT(0, "signal", "A", "USR1");
	H_ASSERT_OUT(p, "A: got usr1\n");
	CLIENT(0, "signal", "B", "SIGHUP");
	H_ASSERT_OUT(p, "B: got hup\n");
	CLIENT(0, "signal", "C", h_fmt("%d", SIGINT));
	H_ASSERT_OUT(p, "C: got int\n");
	c = CLIENT(125, "signal", "A", "NOSUCH");
	assert_err(c, "invalid signal 'NOSUCH'");
	c = CLIENT(125, "signal", "A", "0");
	c = CLIENT(125, "signal", "A");
	assert_err(c, "missing SIGNAL");
	CLIENT(0, "signal", "A", "kill");
	H_ASSERT_ERR(p, "A exited with signal 9");
	CLIENT(0, "signal", "B", "term");
	H_ASSERT_ERR(p, "B exited with signal 15");
	CLIENT(0, "signal", "C", "9");
	H_ASSERT_EXIT(p, 128 + SIGKILL);
}

/* stop ends the session gracefully; the session exits 0 and removes its
 * socket; the client returns once the session has ended. */
Test(control, stop_ends_the_session_with_status_0)
{
	struct h_proc *p = SESSION("st", echoer("A", "a"), echoer("B", "b"));
	struct stat st;

	H_ASSERT_OUT(p, "B: what should b say?\n");
	CLIENT(0, "stop");
	cr_assert(h_exited(p) || h_pid_gone(p->pid, H_TIMEOUT),
	    "the session outlived stop");
	H_ASSERT_EXIT(p, 0);
	cr_assert_eq(lstat(inj_sock("st"), &st), -1, "the socket was left");
}

Test(control, socket_and_directory_permissions)
{
	mode_t old = umask(0);
	struct h_proc *p = SESSION("perm", echoer("A", "a"));
	struct stat st;

	umask(old);
	cr_assert_eq(lstat(h_path("ptyplex"), &st), 0);
	cr_assert(S_ISDIR(st.st_mode));
	cr_assert_eq(st.st_mode & 07777, 0700, "dir mode %o",
	    st.st_mode & 07777);
	cr_assert_eq(st.st_uid, geteuid());
	cr_assert_eq(lstat(inj_sock("perm"), &st), 0);
	cr_assert(S_ISSOCK(st.st_mode));
	cr_assert_eq(st.st_mode & 07777, 0600, "socket mode %o",
	    st.st_mode & 07777);
	cr_assert_eq(st.st_uid, geteuid());
	CLIENT(0, "send", "A", "quit");
	H_ASSERT_EXIT(p, 0);
	cr_assert_eq(lstat(inj_sock("perm"), &st), -1, "the socket was left");
}

Test(control, a_directory_open_to_others_is_refused)
{
	const char *dir = h_path("ptyplex"), *started = h_path("started");
	struct h_proc *p, *c;
	size_t len;

	cr_assert_eq(mkdir(dir, 0700), 0);
	chmod(dir, 0755);
	p = H_START(NULL, "-s", "open", h_fmt("A=touch %s", started));
	H_ASSERT_EXIT(p, 125);
	assert_err(p, dir);
	cr_assert_null(h_read_file(started, &len), "a child started");
	c = CLIENT(125, "list");
	assert_err(c, dir);
	c = CLIENT(125, "sessions");
	assert_err(c, dir);
}

Test(control, a_directory_owned_by_another_user_is_refused)
{
	const char *dir = h_path("ptyplex");
	struct h_proc *p;

	if (geteuid() != 0)
		cr_skip_test("needs root to give a directory away");
	cr_assert_eq(mkdir(dir, 0700), 0);
	cr_assert_eq(chown(dir, 65534, 65534), 0);
	p = H_START(NULL, "-s", "theirs", "A=true");
	H_ASSERT_EXIT(p, 125);
	assert_err(p, "owned by uid 65534");
}

Test(control, a_symlinked_directory_is_refused)
{
	const char *real = h_path("elsewhere");
	struct h_proc *p;

	cr_assert_eq(mkdir(real, 0700), 0);
	cr_assert_eq(symlink(real, h_path("ptyplex")), 0);
	p = H_START(NULL, "-s", "link", "A=true");
	H_ASSERT_EXIT(p, 125);
	assert_err(p, "not a directory");
}

/* A socket left by a dead session is replaced; a live one is an error. */
Test(control, stale_socket_is_replaced)
{
	const char *path = inj_sock("old");
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct h_proc *p;
	int fd;

	cr_assert_eq(mkdir(h_path("ptyplex"), 0700), 0);
	snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&addr, sizeof addr), 0);
	close(fd); /* bound, never listening: what a killed session leaves */
	cr_assert_eq(inj_connect(path), -1);
	p = SESSION("old", echoer("A", "a"));
	H_ASSERT_OUT(p, "A: what should a say?\n");
	assert_responsive("old", "A");
	CLIENT(0, "send", "A", "quit");
	H_ASSERT_EXIT(p, 0);
}

/* The real thing: a session killed outright leaves its socket behind. */
Test(control, socket_of_a_killed_session_is_replaced)
{
	struct h_proc *p = SESSION("k", echoer("A", "first"));
	struct stat st;

	H_ASSERT_OUT(p, "A: what should first say?\n");
	kill(p->pid, SIGKILL);
	H_ASSERT_EXIT(p, 128 + SIGKILL);
	cr_assert_eq(lstat(inj_sock("k"), &st), 0, "no socket was left");
	p = SESSION("k", echoer("A", "second"));
	H_ASSERT_OUT(p, "A: what should second say?\n");
	CLIENT(0, "send", "-s", "k", "A", "hi");
	H_ASSERT_OUT(p, "A: Second says, \"hi\"\n");
}

Test(control, a_live_session_name_cannot_be_taken)
{
	struct h_proc *p = SESSION("live", echoer("A", "a"));
	struct h_proc *q = H_START(NULL, "-s", "live", echoer("A", "other"));

	H_ASSERT_EXIT(q, 125);
	assert_err(q, "session live is already running");
	assert_responsive("live", "A");
	CLIENT(0, "send", "A", "still mine");
	H_ASSERT_OUT(p, "A: A says, \"still mine\"\n");
}

Test(control, socket_path_and_no_socket)
{
	const char *path = h_path("my.sock");
	struct h_proc *p = H_START(NULL, "-S", path, echoer("A", "a"));
	struct h_proc *q, *c;
	struct stat st;

	cr_assert(inj_wait_live(path, H_TIMEOUT), "%s", h_context(p));
	cr_assert_eq(lstat(path, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0600);
	CLIENT(0, "send", "-S", path, "A", "via path");
	H_ASSERT_OUT(p, "A: A says, \"via path\"\n");
	q = H_START(NULL, "-S", path, echoer("A", "b"));
	H_ASSERT_EXIT(q, 125);
	assert_err(q, "in use");
	h_write_file(h_path("file"), "x");
	q = H_START(NULL, "-S", h_path("file"), "A=true");
	H_ASSERT_EXIT(q, 125);
	assert_err(q, "not a socket");

	q = H_START(NULL, "--no-socket", "-s", "none", echoer("A", "c"));
	H_ASSERT_OUT(q, "A: what should c say?\n");
	cr_assert_eq(lstat(inj_sock("none"), &st), -1);
	c = CLIENT(125, "list", "-s", "none");
	assert_err(c, "no live session");
	CLIENT(0, "send", "-S", path, "A", "quit");
	H_ASSERT_EXIT(p, 0);
}

/* Two sessions side by side: each send reaches only its own session's
 * child, and a command without -s must not guess. */
Test(control, two_sessions_side_by_side)
{
	struct h_proc *one = SESSION("one", echoer("A", "one-a"),
	    echoer("B", "one-b"));
	struct h_proc *two = SESSION("two", echoer("A", "two-a"),
	    echoer("B", "two-b"));
	struct h_proc *c;

	H_ASSERT_OUT(one, "B: what should one-b say?\n");
	H_ASSERT_OUT(two, "B: what should two-b say?\n");
	CLIENT(0, "send", "-s", "one", "A", "1a");
	CLIENT(0, "send", "-s", "one", "B", "1b");
	CLIENT(0, "send", "-s", "two", "A", "2a");
	CLIENT(0, "send", "-s", "two", "B", "2b");
	H_ASSERT_OUT(one, "A: One-a says, \"1a\"\n");
	H_ASSERT_OUT(one, "B: One-b says, \"1b\"\n");
	H_ASSERT_OUT(two, "A: Two-a says, \"2a\"\n");
	H_ASSERT_OUT(two, "B: Two-b says, \"2b\"\n");
	cr_assert_null(strstr(one->out.data, "2a"), "%s", h_context(one));
	cr_assert_null(strstr(two->out.data, "1a"), "%s", h_context(two));

	c = CLIENT(0, "sessions");
	cr_assert_str_eq(c->out.data, "one\ntwo\n");
	c = CLIENT(0, "sessions", "--json");
	cr_assert_not_null(strstr(c->out.data, "{\"name\":\"one\",\"socket\":"),
	    "%s", h_context(c));
	c = CLIENT(125, "send", "A", "which?");
	assert_err(c, "2 live sessions");
	assert_err(c, " one two");
	cr_assert_eq(c->err.lines, 1, "%s", h_context(c));
	CLIENT(0, "stop", "-s", "two");
	H_ASSERT_EXIT(two, 0);
	/* Now there is one: no -s needed. */
	CLIENT(0, "send", "A", "quit");
	H_ASSERT_EXIT(one, 0);
	c = CLIENT(0, "sessions");
	cr_assert_str_eq(c->out.data, "");
}

Test(control, no_session_at_all)
{
	struct h_proc *c = CLIENT(125, "send", "A", "x");

	assert_err(c, "no live session");
	c = CLIENT(125, "list", "-s", "nope");
	assert_err(c, "no live session");
	c = CLIENT(0, "sessions");
	cr_assert_str_eq(c->out.data, "");
}

Test(control, command_help_and_usage_errors)
{
	static const char *const cmds[] = { "send", "list", "signal", "stop",
	    "sessions" };
	struct h_proc *c;
	size_t i;

	for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		c = CLIENT(0, cmds[i], "--help");
		cr_assert_not_null(strstr(c->out.data,
		    h_fmt("usage: ptyplex %s", cmds[i])), "%s", h_context(c));
	}
	c = CLIENT(125, "send");
	assert_err(c, "missing NAME");
	c = CLIENT(125, "list", "extra");
	assert_err(c, "unexpected argument 'extra'");
	c = CLIENT(125, "list", "--bogus");
	assert_err(c, "unknown option '--bogus'");
	c = CLIENT(125, "send", "-s", "a", "-S", "b", "A");
	c = CLIENT(125, "send", "bad/name", "x");
	assert_err(c, "invalid child name");
	cr_assert_eq(c->err.lines, 1, "%s", h_context(c));
}

/* A prompt waiting for its newline is shown before socket input. */
Test(control, pending_prompt_is_shown_before_socket_input)
{
	const char *logs = h_path("logs");
	struct h_proc *p;

	cr_assert_eq(mkdir(logs, 0700), 0);
	p = SESSION("pr", "--flush-ms", "600000", "--log-dir", logs,
	    h_fmt("A=exec %s", HELPER("prompt")));
	cr_assert(h_wait_file_contains(h_fmt("%s/A.log", logs), "name? ",
	    H_TIMEOUT), "the prompt never reached the transcript\n%s",
	    h_context(p));
	CLIENT(0, "send", "A", "bob");
	H_ASSERT_OUT(p, "A: hello bob\n");
	CLIENT(0, "send", "A", "bye");
	H_ASSERT_EXIT(p, 0);
	cr_assert_str_eq(p->out.data, "A: name? \nA: hello bob\nA: name? \n",
	    "%s", h_context(p));
}

/* A child that never reads: send blocks instead of filling memory, the
 * session answers others meanwhile, and the waiting send is told when the
 * child ends. */
Test(control, send_to_a_child_that_stops_reading_blocks)
{
	struct h_proc *p = SESSION("blk", "--wait-all",
	    "A=echo up && exec sleep 300", echoer("B", "b"));
	struct h_opts o = { .in = H_STDIN_PIPE };
	size_t chunk = 1 << 20, total = 0, n, i;
	char *lines = malloc(chunk);
	struct h_proc *c;

	cr_assert_not_null(lines);
	memset(lines, 'z', chunk);
	for (i = 99; i < chunk; i += 100)
		lines[i] = '\n';
	H_ASSERT_OUT(p, "A: up\n");
	c = h_start(&o, (const char *const[]){ "send", "A", NULL });
	while ((n = inj_write_fd(c->in_fd, lines, chunk, 2.0)) == chunk) {
		total += n;
		cr_assert_lt(total, 64u << 20, "64 MB went into a child that "
		    "never reads");
	}
	cr_assert(!h_exited(c), "send ended\n%s", h_context(c));
	cr_assert_lt(h_proc_kb(p->pid, "VmRSS"), 64 * 1024);
	CLIENT(0, "send", "B", "meanwhile");
	H_ASSERT_OUT(p, "B: B says, \"meanwhile\"\n");
	assert_responsive("blk", "A");
	CLIENT(0, "signal", "A", "KILL");
	H_ASSERT_EXIT(c, 1);
	assert_err(c, "A has exited");
	free(lines);
}

/* ---- Clients that misbehave: the session goes on relaying and answering. */

static void
assert_still_relaying(struct h_proc *p, const char *session, int round)
{
	CLIENT(0, "send", "-s", session, "A", h_fmt("round %d", round));
	H_ASSERT_OUT(p, h_fmt("A: A says, \"round %d\"\n", round));
	assert_responsive(session, "A");
}

Test(control, random_bytes_get_an_error_and_a_close)
{
	struct h_proc *p = SESSION("rnd", echoer("A", "a"));
	unsigned char junk[4096];
	char body[256];
	unsigned type, seed = 12345;
	size_t i;
	int round, fd;
	long n;

	H_ASSERT_OUT(p, "A: what should a say?\n");
	for (round = 1; round <= 20; round++) {
		for (i = 0; i < sizeof junk; i++)
			junk[i] = (unsigned char)(rand_r(&seed) >> 7);
		fd = inj_connect(inj_sock("rnd"));
		cr_assert_neq(fd, -1);
		inj_write_fd(fd, junk, 1 + (size_t)round * 200, H_TIMEOUT);
		/* Either an ERROR then the close, or just the close. */
		n = inj_get(fd, &type, body, sizeof body, H_TIMEOUT);
		if (n >= 0)
			cr_assert_eq(type, M_ERROR, "type %u: %s", type, body);
		cr_assert(inj_wait_eof(fd, H_TIMEOUT), "never closed");
		close(fd);
	}
	assert_still_relaying(p, "rnd", 1);
}

Test(control, malformed_messages_get_clear_errors)
{
	struct h_proc *p = SESSION("bad", echoer("A", "a"));
	unsigned char hdr[8];
	char body[256];
	unsigned type;
	int fd;

	H_ASSERT_OUT(p, "A: what should a say?\n");
	/* An oversized length is refused on the header alone. */
	fd = inj_connect(inj_sock("bad"));
	inj_encode(hdr, M_HELLO, NULL, 0);
	hdr[4] = 0x10; /* 256 MiB */
	inj_write_fd(fd, hdr, sizeof hdr, H_TIMEOUT);
	cr_assert_gt(inj_get(fd, &type, body, sizeof body, H_TIMEOUT), 0);
	cr_assert_eq(type, M_ERROR);
	cr_assert_not_null(strstr(body, "more than the limit"), "%s", body);
	cr_assert(inj_wait_eof(fd, H_TIMEOUT));
	close(fd);
	/* An unknown type. */
	fd = inj_connect(inj_sock("bad"));
	inj_put(fd, 999, "", 0);
	cr_assert_gt(inj_get(fd, &type, body, sizeof body, H_TIMEOUT), 0);
	cr_assert_eq(type, M_ERROR);
	cr_assert_not_null(strstr(body, "unknown"), "%s", body);
	close(fd);
	/* A request before HELLO. */
	fd = inj_connect(inj_sock("bad"));
	inj_put(fd, M_LIST, "", 0);
	cr_assert_gt(inj_get(fd, &type, body, sizeof body, H_TIMEOUT), 0);
	cr_assert_eq(type, M_ERROR);
	cr_assert_not_null(strstr(body, "HELLO"), "%s", body);
	close(fd);
	/* A body too short for its type (a truncated SIGNAL). */
	fd = inj_hello(inj_sock("bad"));
	inj_put(fd, M_SIGNAL, "\001A\000", 3);
	cr_assert_gt(inj_get(fd, &type, body, sizeof body, H_TIMEOUT), 0);
	cr_assert_eq(type, M_ERROR);
	cr_assert_not_null(strstr(body, "SIGNAL body is 3 bytes"), "%s", body);
	close(fd);
	/* A version the session does not speak. */
	fd = inj_connect(inj_sock("bad"));
	inj_put(fd, M_HELLO, "\0\0\0\x07", 4);
	cr_assert_gt(inj_get(fd, &type, body, sizeof body, H_TIMEOUT), 0);
	cr_assert_eq(type, M_ERROR);
	cr_assert_str_eq(body, "protocol version 7 not supported");
	close(fd);
	/* A server's message sent by a client. */
	fd = inj_hello(inj_sock("bad"));
	inj_put(fd, M_OK, "", 0);
	cr_assert_gt(inj_get(fd, &type, body, sizeof body, H_TIMEOUT), 0);
	cr_assert_eq(type, M_ERROR);
	cr_assert_str_eq(body, "OK is not a request");
	close(fd);
	assert_still_relaying(p, "bad", 1);
}

/* Disconnecting mid-message, at every stage of a message. */
Test(control, clients_that_hang_up_mid_message)
{
	struct h_proc *p = SESSION("cut", echoer("A", "a"));
	unsigned char msg[64];
	size_t len, cut;
	int fd;

	H_ASSERT_OUT(p, "A: what should a say?\n");
	len = inj_encode(msg, M_SEND, "\001Ahello\n", 8);
	for (cut = 1; cut < len; cut++) {
		fd = inj_hello(inj_sock("cut"));
		inj_write_fd(fd, msg, cut, H_TIMEOUT);
		close(fd);
	}
	/* Mid-HELLO too, and after a header promising a long body. */
	fd = inj_connect(inj_sock("cut"));
	inj_write_fd(fd, "\0\001\0\0", 4, H_TIMEOUT);
	close(fd);
	fd = inj_hello(inj_sock("cut"));
	inj_encode(msg, M_SEND, NULL, 0);
	msg[6] = 0x80; /* 32 KiB promised, 2 bytes sent */
	inj_write_fd(fd, msg, 10, H_TIMEOUT);
	close(fd);
	assert_still_relaying(p, "cut", 1);
	cr_assert_null(strstr(p->out.data, "says, \"hello"), "a cut SEND "
	    "was delivered\n%s", h_context(p));
}

/* Silent connections, and hundreds at once: the session answers the rest
 * meanwhile, and drops the silent ones after a while. */
Test(control, silent_and_hundreds_of_connections)
{
	struct h_proc *p = SESSION("many", echoer("A", "a"));
	enum { N = 300 };
	int fds[N], i;
	long ticks;

	H_ASSERT_OUT(p, "A: what should a say?\n");
	for (i = 0; i < N; i++) {
		fds[i] = inj_connect(inj_sock("many"));
		cr_assert_neq(fds[i], -1, "connection %d: %s", i,
		    strerror(errno));
	}
	assert_still_relaying(p, "many", 1);
	ticks = inj_idle_ticks(p, 1.0);
	cr_assert_leq(ticks, 10, "%ld ticks with %d idle clients", ticks, N);
	/* Never said HELLO: dropped after the idle timeout. */
	cr_assert(inj_wait_eof(fds[0], H_TIMEOUT), "a silent client was kept");
	for (i = 0; i < N; i++)
		close(fds[i]);
	assert_still_relaying(p, "many", 2);
}

/* Out of descriptors, accept() fails with EMFILE: the session must pause
 * accepting, not spin on the pending connection, and take connections
 * again once descriptors are free. */
Test(control, out_of_descriptors_pauses_accepting)
{
	struct h_proc *p = SESSION("fd", echoer("A", "a"));
	struct rlimit rl, old;
	enum { N = 64 };
	int fds[N], i;
	long ticks;

	H_ASSERT_OUT(p, "A: what should a say?\n");
	cr_assert_eq(prlimit(p->pid, RLIMIT_NOFILE, NULL, &old), 0);
	rl = old;
	rl.rlim_cur = 32;
	cr_assert_eq(prlimit(p->pid, RLIMIT_NOFILE, &rl, NULL), 0, "%s",
	    strerror(errno));
	for (i = 0; i < N; i++)
		fds[i] = inj_connect(inj_sock("fd"));
	H_ASSERT_ERR(p, "cannot accept connections");
	ticks = inj_idle_ticks(p, 1.5);
	cr_assert_leq(ticks, 15, "%ld ticks while out of descriptors", ticks);
	/* The limit first: closing first would free descriptors under the
	 * low limit and start a second episode, with a second notice. */
	cr_assert_eq(prlimit(p->pid, RLIMIT_NOFILE, &old, NULL), 0);
	for (i = 0; i < N; i++)
		if (fds[i] != -1)
			close(fds[i]);
	assert_still_relaying(p, "fd", 1);
	cr_assert_eq(count(p->err.data, "cannot accept"), 1,
	    "the notice repeats every second\n%s", h_context(p));
}

/* A client that sends requests but never reads the replies is dropped
 * once its replies pass the bound; the session goes on. */
Test(control, a_client_that_stops_reading_is_dropped)
{
	struct h_proc *p = SESSION("slow", echoer("A", "a"), echoer("B", "b"));
	unsigned char req[8 * 1024];
	size_t i, sent = 0;
	int fd;

	H_ASSERT_OUT(p, "B: what should b say?\n");
	for (i = 0; i + 8 <= sizeof req; i += 8)
		inj_encode(req + i, M_LIST, NULL, 0);
	fd = inj_hello(inj_sock("slow"));
	while (!strstr(p->err.data, "stopped reading")) {
		sent += inj_write_fd(fd, req, sizeof req, 0.2);
		h_pump(p, 0.01);
		cr_assert_lt(sent, 256u << 20, "256 MB of requests and the "
		    "client is still served\n%s", h_context(p));
	}
	cr_assert(inj_wait_eof(fd, H_TIMEOUT), "the client was not dropped");
	close(fd);
	assert_still_relaying(p, "slow", 1);
	cr_assert_lt(h_proc_kb(p->pid, "VmHWM"), 128 * 1024);
}

/* The peer's uid is checked: another user who can reach the socket still
 * gets nothing. Needs root, to be the other user. */
Test(control, another_user_is_refused)
{
	struct h_proc *p;
	const char *path;
	pid_t pid;
	int status;

	if (geteuid() != 0)
		cr_skip_test("needs root to connect as another user");
	p = SESSION("uid", echoer("A", "a"));
	path = inj_sock("uid");
	/* Let anyone reach the socket, as a careless -S path would. */
	chmod(h_dir(), 0755);
	chmod(h_path("ptyplex"), 0755);
	chmod(path, 0666);
	pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		unsigned char hello[12];
		char buf[64];
		int fd;

		if (setgroups(0, NULL) == -1 || setgid(65534) == -1 ||
		    setuid(65534) == -1)
			_exit(2);
		if ((fd = inj_connect(path)) == -1)
			_exit(3);
		inj_encode(hello, M_HELLO, "\0\0\0\001", 4);
		(void)!write(fd, hello, sizeof hello);
		/* EOF (or a reset) without a single byte of reply. */
		_exit(read(fd, buf, sizeof buf) <= 0 ? 0 : 4);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status));
	cr_assert_eq(WEXITSTATUS(status), 0, "the other user got status %d",
	    WEXITSTATUS(status));
	H_ASSERT_ERR(p, "refused a connection from another user");
	chmod(h_path("ptyplex"), 0700);
	chmod(h_dir(), 0700);
	assert_still_relaying(p, "uid", 1);
}

/* `ptyplex start` brings up a --hold child; `restart` replaces a running
 * one with a new pid under the same name; both refuse an unknown name. */
Test(control, start_and_restart_a_child)
{
	struct h_proc *p = SESSION("s9", "--hold", "B", echoer("A", "a"),
	    echoer("B", "b"));
	struct h_proc *c;

	H_ASSERT_OUT(p, "A: what should a say?\n");
	c = CLIENT(0, "list", "-s", "s9");
	cr_assert_not_null(strstr(c->out.data, "B - held\n"), "%s",
	    h_context(c));
	CLIENT(0, "start", "-s", "s9", "B");
	H_ASSERT_OUT(p, "B: what should b say?\n");
	c = CLIENT(1, "start", "-s", "s9", "Z");
	assert_err(c, "no child named Z");
	CLIENT(0, "restart", "-s", "s9", "B");
	cr_assert(h_wait_count(p, H_OUT, "B: what should b say?\n", 2,
	    H_TIMEOUT), "B never came back\n%s", h_context(p));
	c = CLIENT(0, "list", "-s", "s9");
	cr_assert_not_null(strstr(c->out.data, "B "), "%s", h_context(c));
	cr_assert_not_null(strstr(c->out.data, " running"), "%s",
	    h_context(c));
	CLIENT(0, "send", "-s", "s9", "B", "after restart");
	H_ASSERT_OUT(p, "B: B says, \"after restart\"\n");
	CLIENT(0, "stop", "-s", "s9");
	H_ASSERT_EXIT(p, 0);
}
