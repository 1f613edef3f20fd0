/*
 * --script: expect-style steps against real children on ptys, with a TCP
 * client/server pair (tests/helpers/echo_server.c, chat_client.c).
 */
#include "harness.h"

#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

TestSuite(script, .init = h_setup, .fini = h_teardown, .timeout = 240);

static const char *
server(void)
{
	return h_fmt("server=exec %s %s", HELPER("echo_server"),
	    h_path("port"));
}

static const char *
client(void)
{
	return h_fmt("client=exec %s %s", HELPER("chat_client"),
	    h_path("port"));
}

static void
assert_no_err(const struct h_proc *p, const char *needle)
{
	cr_assert_null(strstr(p->err.data, needle), "stderr has '%s'\n%s",
	    needle, h_context(p));
}

/* The whole story: the client waits for the server, the script logs in
 * through the client and checks the server's answers. */
Test(script, logs_in_through_the_client)
{
	struct h_proc *p = H_START(NULL,
	    "--ready", "server=/listening on [0-9]+/", "--script", h_script(
	    "# log in, then talk\n"
	    "expect client /login: /\n"
	    "send client alice\n"
	    "expect client /^server: welcome alice$/ 30\n"
	    "expect client /> /\n"
	    "send client hello there\n"
	    "expect client /echo: hello there/ 30\n"
	    "expect server /got 'hello there'/ 30\n"
	    "exit 0\n"), server(), client());

	H_ASSERT_EXIT(p, 0);
	H_ASSERT_OUT(p, "client: server: welcome alice\n");
	H_ASSERT_OUT(p, "client: server: echo: hello there\n");
	H_ASSERT_OUT(p, "server: got 'LOGIN alice'\n");
	/* The prompts were shown on lines of their own before the answers. */
	H_ASSERT_OUT(p, "client: login: \n");
	H_ASSERT_OUT(p, "client: > \n");
}

/* Output that came before the step began is matched: pexpect's buffer,
 * not a stream the step starts listening to. "wait" makes it certain
 * that every byte of X arrived before the expect step runs. */
Test(script, expect_matches_output_that_came_before_the_step)
{
	struct h_proc *p = H_START(NULL, "--script", h_script(
	    "wait X 30\n"
	    "expect X /early bird/ 30\n"
	    "expect X /^second line$/ 30\n"
	    "exit 7\n"),
	    h_fmt("X=exec %s 'early bird\\nsecond line\\n'", HELPER("emit")),
	    h_fmt("Y=exec %s", HELPER("sleeper")));

	H_ASSERT_EXIT(p, 7);
	H_ASSERT_ERR(p, "ptyplex: X exited with status 0\n");
}

/* A prompt without newline is matchable at once, long before the
 * partial-line timer would show it; '$' matches at its end, as the end
 * of the output so far. */
Test(script, a_prompt_matches_before_the_partial_line_is_shown)
{
	struct h_proc *p = H_START(NULL, "--flush-ms", "60000", "--script",
	    h_script("expect A /name\\? $/ 30\n"
	    "send A bob\n"
	    "expect A /hello bob/ 30\n"
	    "exit 0\n"), h_fmt("A=exec %s", HELPER("prompt")));
	double t0 = h_now();

	H_ASSERT_EXIT(p, 0);
	cr_assert_lt(h_now() - t0, 30, "waited for the flush timer\n%s",
	    h_context(p));
	H_ASSERT_OUT(p, "A: name? \nA: hello bob\n");
}

/* A match uses up the output up to its end: the same line cannot match
 * twice, the next one can. */
Test(script, a_match_uses_the_output_up)
{
	struct h_proc *p = H_START(NULL, "--script", h_script(
	    "wait X 30\n"
	    "expect X /ok/\n"
	    "expect X /ok/\n"
	    "expect X /ok/ 0.2\n"),
	    h_fmt("X=exec %s 'ok 1\\nok 2\\n'", HELPER("emit")),
	    h_fmt("Y=exec %s", HELPER("sleeper")));

	H_ASSERT_EXIT(p, 124);
	H_ASSERT_ERR(p, ":4: expect X /ok/ 0.2: X exited with status 0\n");
}

Test(script, an_expect_timeout_exits_124_naming_the_line)
{
	const char *path = h_script(
	    "# wait for the child\n"
	    "expect A /ready/ 30\n"
	    "\n"
	    "expect A /never printed/ 0.5\n"
	    "exit 0\n");
	struct h_proc *p = H_START(NULL, "--script", path,
	    h_fmt("A=echo booting; echo almost; exec %s", HELPER("sleeper")));

	H_ASSERT_EXIT(p, 124);
	H_ASSERT_ERR(p, h_fmt("ptyplex: %s:4: expect A /never printed/ 0.5: "
	    "timed out after 0.5 s\n", path));
	/* The child's last lines help to see what went wrong. */
	H_ASSERT_ERR(p, "ptyplex: last output of A:\n"
	    "ptyplex:   booting\nptyplex:   almost\nptyplex:   ready\n");
	H_ASSERT_ERR(p, "ptyplex: A exited with signal 15");
}

/* While a script runs a child's exit does not end the session: the
 * script sees it. An expect on it then fails at once, without waiting
 * for its time limit. */
Test(script, an_expect_on_an_exited_child_fails_at_once)
{
	struct h_proc *p = H_START(NULL, "--script", h_script(
	    "wait A 30\n"
	    "expect A /never/ 100\n"),
	    h_fmt("A=exec %s 3", HELPER("exit_with")),
	    h_fmt("B=exec %s", HELPER("sleeper")));
	double t0 = h_now();

	H_ASSERT_EXIT(p, 124);
	cr_assert_lt(h_now() - t0, 60, "%s", h_context(p));
	H_ASSERT_ERR(p, ":2: expect A /never/ 100: A exited with status 3\n");
	H_ASSERT_ERR(p, "ptyplex:   exit_with 3\n");
}

Test(script, a_wait_that_times_out_exits_124)
{
	struct h_proc *p = H_START(NULL, "--script", h_script(
	    "wait A 0.3\n"), h_fmt("A=exec %s", HELPER("sleeper")));

	H_ASSERT_EXIT(p, 124);
	H_ASSERT_ERR(p, ":1: wait A 0.3: timed out after 0.3 s\n");
}

/* The exit policy applies to the state the script reached: A exited
 * while the script ran, so when the script ends, A's status ends the
 * session (the default policy). */
Test(script, the_exit_policy_applies_when_the_script_ends)
{
	struct h_proc *p = H_START(NULL, "--script", h_script(
	    "wait A 30\n"
	    "expect B /ready/ 30\n"
	    "send B\n"),
	    h_fmt("A=exec %s 3", HELPER("exit_with")),
	    h_fmt("B=exec %s", HELPER("sleeper")));

	H_ASSERT_EXIT(p, 3);
	H_ASSERT_OUT(p, "B: ready\n");
	H_ASSERT_ERR(p, "ptyplex: B exited with signal 15");
}

Test(script, exit_ends_the_session_with_its_status)
{
	struct h_proc *p = H_START(NULL, "--script", h_script(
	    "expect A /ready/ 30\nexit 42\n"),
	    h_fmt("A=exec %s", HELPER("sleeper")));

	H_ASSERT_EXIT(p, 42);
	H_ASSERT_ERR(p, "ptyplex: A exited with signal 15");
}

Test(script, exit_without_status_is_zero)
{
	struct h_proc *p = H_START(NULL, "--script", h_script("exit\n"),
	    h_fmt("A=exec %s", HELPER("sleeper")));

	H_ASSERT_EXIT(p, 0);
}

/* Stdin is read only once the script is done: a line already waiting on
 * stdin reaches the child after everything the script sent. */
Test(script, stdin_is_read_after_the_script)
{
	struct h_opts o = { .in = H_STDIN_PIPE };
	struct h_proc *p = H_START(&o, "--script", h_script(
	    "expect A /name\\? / 30\n"
	    "send A first\n"
	    "expect A /hello first/ 30\n"
	    "expect A /name\\? / 30\n"),
	    h_fmt("A=exec %s", HELPER("prompt")));
	const char *first, *second;

	cr_assert_eq(h_send(p, "second\n"), 0);
	H_ASSERT_OUT(p, "A: hello second\n");
	first = strstr(p->out.data, "hello first");
	second = strstr(p->out.data, "hello second");
	cr_assert(first != NULL && first < second, "%s", h_context(p));
	cr_assert_eq(h_send(p, "bye\n"), 0);
	H_ASSERT_EXIT(p, 0);
}

/* send -n with escapes: \x03 is Ctrl-C, which the pty turns into SIGINT
 * for the child. */
Test(script, send_decodes_escapes_ctrl_c_interrupts)
{
	struct h_proc *p = H_START(NULL, "--script", h_script(
	    "expect A /ready/ 30\n"
	    "send -n A \\x03\n"
	    "wait A 30\n"
	    "exit 5\n"), h_fmt("A=exec %s", HELPER("sleeper")));

	H_ASSERT_EXIT(p, 5);
	H_ASSERT_ERR(p, "ptyplex: A exited with signal 2 (SIGINT)\n");
}

Test(script, send_n_sends_no_newline)
{
	struct h_proc *p = H_START(NULL, "--script", h_script(
	    "expect A /name\\? / 30\n"
	    "send -n A ab\n"
	    "send -n A c\\td\\x21\n"
	    "send A\n"
	    "expect A /hello abc\td!/ 30\n"
	    "exit 0\n"), h_fmt("A=exec %s", HELPER("prompt")));

	H_ASSERT_EXIT(p, 0);
	H_ASSERT_OUT(p, "A: hello abc\td!\n");
}

Test(script, signal_step_signals_the_child)
{
	struct h_proc *p = H_START(NULL, "--wait-all", "--script", h_script(
	    "expect A /ready/ 30\n"
	    "signal A USR1\n"
	    "wait A 30\n"), h_fmt("A=exec %s", HELPER("sleeper")));

	H_ASSERT_EXIT(p, 128 + 10);
	H_ASSERT_ERR(p, "ptyplex: A exited with signal 10 (SIGUSR1)\n");
}

Test(script, a_step_on_a_child_that_is_not_running_fails)
{
	struct h_proc *p = H_START(NULL, "--script", h_script(
	    "wait A 30\n"
	    "send A hello\n"),
	    h_fmt("A=exec %s 0", HELPER("exit_with")),
	    h_fmt("B=exec %s", HELPER("sleeper")));

	H_ASSERT_EXIT(p, 124);
	H_ASSERT_ERR(p, ":2: send A hello: A exited with status 0\n");
}

/* A malformed script is rejected before anything starts: one line, 125. */
Test(script, a_malformed_script_starts_nothing)
{
	const char *path = h_script("expect A /ready/\n\nsned A hi\n");
	struct h_proc *p = H_START(NULL, "--script", path,
	    h_fmt("A=touch %s; exec %s", h_path("started"),
	    HELPER("sleeper")));

	H_ASSERT_EXIT(p, 125);
	cr_assert_str_eq(p->err.data, h_fmt("ptyplex: %s:3: unknown step "
	    "'sned' (expected send, expect, sleep, signal, start, wait or "
	    "exit)\n", path), "%s", h_context(p));
	cr_assert_neq(access(h_path("started"), F_OK), 0, "A started");
	cr_assert(p->out.len == 0, "stdout: %s", p->out.data);
}

Test(script, a_step_naming_an_unknown_child_is_rejected)
{
	const char *path = h_script("expect A /x/\nsend B hi\n");
	struct h_proc *p = H_START(NULL, "--script", path,
	    h_fmt("A=exec %s", HELPER("sleeper")));

	H_ASSERT_EXIT(p, 125);
	cr_assert_str_eq(p->err.data, h_fmt("ptyplex: %s:2: no child named "
	    "'B'\n", path), "%s", h_context(p));
}

Test(script, a_bad_pattern_is_rejected)
{
	const char *path = h_script("expect A /a(/\n");
	struct h_proc *p = H_START(NULL, "--script", path,
	    h_fmt("A=exec %s", HELPER("sleeper")));

	H_ASSERT_EXIT(p, 125);
	H_ASSERT_ERR(p, h_fmt("ptyplex: %s:1: expect A: bad pattern /a(/: ",
	    path));
	assert_no_err(p, "started");
}

Test(script, a_missing_script_is_rejected)
{
	struct h_proc *p = H_START(NULL, "--script", h_path("nope.script"),
	    h_fmt("A=exec %s", HELPER("sleeper")));

	H_ASSERT_EXIT(p, 125);
	H_ASSERT_ERR(p, "nope.script: No such file or directory\n");
}
