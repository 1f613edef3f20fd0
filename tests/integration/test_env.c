/*
 * What a child gets: a terminal on stdin, stdout and stderr, TERM, its
 * PTYPLEX_* variables, the window size, the pty's modes, default signal
 * dispositions and no descriptor of ptyplex's.
 */
#include "harness.h"

#include <criterion/criterion.h>

#include <string.h>
#include <sys/stat.h>

TestSuite(env, .init = h_setup, .fini = h_teardown, .timeout = 240);

/* Runs isatty_report as child A with the given options and environment
 * changes, and returns the finished process. */
static struct h_proc *
report(const struct h_opts *o, const char *const *opts)
{
	const char *args[16];
	struct h_proc *p;
	size_t n = 0;

	while (opts != NULL && opts[n] != NULL) {
		args[n] = opts[n];
		n++;
	}
	args[n++] = h_fmt("A=exec %s", HELPER("isatty_report"));
	args[n] = NULL;
	p = h_start(o, args);
	H_ASSERT_EXIT(p, 0);
	return p;
}

static void
assert_report(const struct h_proc *p, const char *key, const char *want)
{
	const char *got = h_report(p, "A", key);

	cr_assert_not_null(got, "no %s line\n%s", key, h_context(p));
	cr_assert_str_eq(got, want, "%s=%s, expected %s", key, got, want);
}

Test(env, the_childs_stdin_stdout_and_stderr_are_terminals)
{
	struct h_proc *p = report(NULL, NULL);

	assert_report(p, "stdin_tty", "1");
	assert_report(p, "stdout_tty", "1");
	assert_report(p, "stderr_tty", "1");
}

/* A child with a terminal needs a controlling terminal, its own session
 * and the foreground, or job control, /dev/tty and Ctrl-C break. */
Test(env, the_pty_is_the_childs_controlling_terminal)
{
	struct h_proc *p = report(NULL, NULL);

	assert_report(p, "ctty", "1");
	assert_report(p, "sid_leader", "1");
	assert_report(p, "foreground", "1");
}

Test(env, term_is_xterm_256color_when_unset)
{
	struct h_opts o = { .env = { "TERM" } };

	assert_report(report(&o, NULL), "TERM", "xterm-256color");
}

Test(env, term_is_xterm_256color_when_empty)
{
	struct h_opts o = { .env = { "TERM=" } };

	assert_report(report(&o, NULL), "TERM", "xterm-256color");
}

Test(env, term_is_inherited_when_set)
{
	struct h_opts o = { .env = { "TERM=vt100" } };

	assert_report(report(&o, NULL), "TERM", "vt100");
}

Test(env, each_child_gets_its_name_and_the_session)
{
	struct h_proc *p = H_START(NULL, "--wait-all",
	    h_fmt("A=exec %s", HELPER("isatty_report")),
	    h_fmt("B=exec %s", HELPER("isatty_report")));
	const char *session;

	H_ASSERT_EXIT(p, 0);
	session = h_fmt("ptyplex-%ld", (long)p->pid);
	assert_report(p, "PTYPLEX_NAME", "A");
	assert_report(p, "PTYPLEX_SESSION", session);
	cr_assert_str_eq(h_report(p, "B", "PTYPLEX_NAME"), "B", "%s",
	    h_context(p));
	cr_assert_str_eq(h_report(p, "B", "PTYPLEX_SESSION"), session);
}

/* The window size is the pty's; ptyplex does not add COLUMNS or LINES. */
Test(env, columns_and_lines_are_not_set)
{
	struct h_proc *p = report(NULL,
	    (const char *const[]){ "--size", "100x30", NULL });

	assert_report(p, "COLUMNS", "<unset>");
	assert_report(p, "LINES", "<unset>");
}

Test(env, size_sets_the_window_size)
{
	assert_report(report(NULL,
	    (const char *const[]){ "--size", "100x30", NULL }),
	    "winsize", "100x30");
}

Test(env, the_window_is_80x24_without_a_terminal)
{
	assert_report(report(NULL, NULL), "winsize", "80x24");
}

Test(env, the_window_follows_ptyplexs_terminal)
{
	struct h_opts o = { .terminal = 1, .cols = 132, .rows = 43,
	    .env = { "NO_COLOR=1" } };

	assert_report(report(&o, NULL), "winsize", "132x43");
}

Test(env, size_wins_over_the_terminal)
{
	struct h_opts o = { .terminal = 1, .cols = 132, .rows = 43,
	    .env = { "NO_COLOR=1" } };

	assert_report(report(&o,
	    (const char *const[]){ "--size", "90x20", NULL }),
	    "winsize", "90x20");
}

Test(env, echo_is_off_by_default)
{
	assert_report(report(NULL, NULL), "echo", "0");
}

Test(env, echo_is_on_with_echo)
{
	assert_report(report(NULL, (const char *const[]){ "--echo", NULL }),
	    "echo", "1");
}

Test(env, the_pty_is_in_canonical_mode)
{
	assert_report(report(NULL, NULL), "icanon", "1");
}

/* Without --echo the injected input does not show; with it, it shows as
 * the child's own line, before the child's answer. */
Test(env, injected_input_shows_only_with_echo)
{
	struct h_opts o = { .in = H_STDIN_PIPE };
	struct h_proc *p = H_START(&o, h_fmt("A=exec %s a", HELPER("echoer")));
	struct h_proc *q;

	H_ASSERT_OUT(p, "A: what should a say?\n");
	cr_assert_eq(h_send(p, "A: ping\n"), 0);
	H_ASSERT_OUT(p, "A: A says, \"ping\"\n");
	cr_assert_null(strstr(p->out.data, "A: ping\n"), "%s", h_context(p));
	cr_assert_eq(h_send(p, "A: quit\n"), 0);
	H_ASSERT_EXIT(p, 0);

	q = H_START(&o, "--echo", h_fmt("A=exec %s a", HELPER("echoer")));
	H_ASSERT_OUT(q, "A: what should a say?\n");
	cr_assert_eq(h_send(q, "A: ping\n"), 0);
	H_ASSERT_OUT(q, "A: A says, \"ping\"\n");
	cr_assert_not_null(strstr(q->out.data, "A: ping\n"), "%s",
	    h_context(q));
	cr_assert_lt(strstr(q->out.data, "A: ping\n"),
	    strstr(q->out.data, "A: A says"), "%s", h_context(q));
	cr_assert_eq(h_send(q, "A: quit\n"), 0);
	H_ASSERT_EXIT(q, 0);
}

/* Children inherit no ptyplex descriptor: not the other children's pty
 * masters, not the log files, not stdin's pipe, not the control socket.
 * Both children stay alive until each has reported, so B starts while
 * A's master is open. */
Test(env, children_inherit_no_descriptor)
{
	struct h_opts o = { .in = H_STDIN_PIPE };
	const char *logs = h_path("logs");
	struct h_proc *p;

	cr_assert_eq(mkdir(logs, 0700), 0);
	p = H_START(&o, "--log-dir", logs,
	    h_fmt("A=exec %s -w", HELPER("isatty_report")),
	    h_fmt("B=exec %s -w", HELPER("isatty_report")));
	H_ASSERT_OUT(p, "A: done\n");
	H_ASSERT_OUT(p, "B: done\n");
	cr_assert_eq(h_send(p, "A: bye\n"), 0);
	H_ASSERT_EXIT(p, 0);
	assert_report(p, "fds", "none");
	cr_assert_str_eq(h_report(p, "B", "fds"), "none", "%s",
	    h_context(p));
}

/* ptyplex ignores or blocks signals for itself (SIGPIPE, the ones libevent
 * handles); its children must start with none of that. */
Test(env, children_start_with_default_signal_dispositions)
{
	struct h_proc *p = report(NULL, NULL);

	assert_report(p, "sigign", "0000000000000000");
	assert_report(p, "sigblk", "0000000000000000");
}
