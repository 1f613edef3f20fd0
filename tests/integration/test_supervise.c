/*
 * Supervision: --ready gates, --hold and "start", --restart with its
 * backoff and its limit.
 */
#include "harness.h"

#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

TestSuite(supervise, .init = h_setup, .fini = h_teardown, .timeout = 240);

static size_t
count(const char *haystack, const char *needle)
{
	size_t n = 0;

	while ((haystack = strstr(haystack, needle)) != NULL) {
		n++;
		haystack += strlen(needle);
	}
	return n;
}

static void
assert_no_err(const struct h_proc *p, const char *needle)
{
	cr_assert_null(strstr(p->err.data, needle), "stderr has '%s'\n%s",
	    needle, h_context(p));
}

/* Milliseconds since midnight of a JSON "time" (...THH:MM:SS.mmmZ). */
static long
json_ms(const struct h_json *j)
{
	const struct h_json_member *t = h_json_get(j, "time");
	int h, m, s, ms;

	cr_assert_not_null(t);
	cr_assert_eq(sscanf(strchr(t->str, 'T') + 1, "%d:%d:%d.%d", &h, &m,
	    &s, &ms), 4, "time %s", t->str);
	return ((h * 60L + m) * 60 + s) * 1000 + ms;
}

/* The --json lines of child name with "event" equal to event, in order:
 * their times in ms; returns how many. */
static size_t
json_events(const struct h_proc *p, const char *name, const char *event,
    long *times, size_t max)
{
	struct h_lines lines = h_split(p->out.data, p->out.len);
	const struct h_json_member *m;
	struct h_json j;
	const char *why;
	size_t i, n = 0;

	for (i = 0; i < lines.n; i++) {
		cr_assert_eq(h_json_parse(lines.v[i], lines.len[i], &j, &why),
		    0, "bad JSON (%s): %s", why, lines.v[i]);
		m = h_json_get(&j, "event");
		if (m == NULL || strcmp(m->str, event) != 0 ||
		    strcmp(h_json_get(&j, "name")->str, name) != 0)
			continue;
		if (n < max)
			times[n] = json_ms(&j);
		n++;
	}
	return n;
}

/* Without --ready the client would start with the server and find no
 * port file; with it, it starts only after the server's ready line,
 * which --json shows in one ordered stream. */
Test(supervise, the_client_starts_once_the_server_is_ready)
{
	struct h_proc *p = H_START(NULL, "--json",
	    "--ready", "server=/listening on [0-9]+/", "--script", h_script(
	    "expect client /login: / 30\n"
	    "send client bob\n"
	    "expect client /welcome bob/ 30\n"
	    "exit 0\n"),
	    h_fmt("server=exec %s %s", HELPER("echo_server"), h_path("port")),
	    h_fmt("client=exec %s %s", HELPER("chat_client"),
	    h_path("port")));
	const char *listening, *started;

	H_ASSERT_EXIT(p, 0);
	listening = strstr(p->out.data, "\"line\":\"listening on ");
	started = strstr(p->out.data,
	    "\"name\":\"client\",\"event\":\"start\"");
	cr_assert(listening != NULL && started != NULL && listening < started,
	    "%s", h_context(p));
	H_ASSERT_OUT(p, "\"event\":\"ready\"");
	H_ASSERT_OUT(p, "\"line\":\"server: welcome bob\"");
}

Test(supervise, ready_notice_on_stderr)
{
	struct h_proc *p = H_START(NULL, "--ready", "A=/^ready$/",
	    "--exit-with", "B",
	    h_fmt("A=exec %s", HELPER("sleeper")),
	    h_fmt("B=exec %s 4", HELPER("exit_with")));

	H_ASSERT_EXIT(p, 4);
	H_ASSERT_ERR(p, "ptyplex: A is ready\nptyplex: B started");
}

Test(supervise, a_ready_timeout_exits_124_naming_child_and_pattern)
{
	struct h_proc *p = H_START(NULL, "--ready", "A=/never printed/",
	    "--ready-timeout", "0.5",
	    h_fmt("A=exec %s", HELPER("sleeper")),
	    h_fmt("B=exec %s", HELPER("sleeper")));

	H_ASSERT_EXIT(p, 124);
	H_ASSERT_ERR(p, "ptyplex: A was not ready after 0.5 s (its output "
	    "never matched --ready /never printed/)\n");
	assert_no_err(p, "B started");
}

Test(supervise, a_gate_that_exits_before_it_is_ready_fails)
{
	struct h_proc *p = H_START(NULL, "--ready", "A=/never printed/",
	    h_fmt("A=exec %s 0", HELPER("exit_with")),
	    h_fmt("B=exec %s", HELPER("sleeper")));

	H_ASSERT_EXIT(p, 124);
	H_ASSERT_ERR(p, "ptyplex: A exited before it was ready (its output "
	    "never matched --ready /never printed/)\n");
	assert_no_err(p, "B started");
}

Test(supervise, gates_chain_in_order)
{
	struct h_proc *p = H_START(NULL, "--json",
	    "--ready", "A=/^ready$/", "--ready", "B=/^ready$/",
	    "--script", h_script("expect C /ready/ 30\nexit 0\n"),
	    h_fmt("A=exec %s", HELPER("sleeper")),
	    h_fmt("B=exec %s", HELPER("sleeper")),
	    h_fmt("C=exec %s", HELPER("sleeper")));
	const char *a, *b, *c;

	H_ASSERT_EXIT(p, 0);
	a = strstr(p->out.data, "\"name\":\"A\",\"line\":\"ready\"");
	b = strstr(p->out.data, "\"name\":\"B\",\"event\":\"start\"");
	c = strstr(p->out.data, "\"name\":\"C\",\"event\":\"start\"");
	cr_assert(a && b && c && a < b && b < c, "%s", h_context(p));
	cr_assert(strstr(p->out.data, "\"name\":\"B\",\"line\":\"ready\"") <
	    c, "%s", h_context(p));
}

Test(supervise, bad_ready_options_are_rejected)
{
	struct h_proc *p;

	p = H_START(NULL, "--ready", "A=/a(/", "A=true");
	H_ASSERT_EXIT(p, 125);
	H_ASSERT_ERR(p, "ptyplex: --ready A=/a(/: bad pattern /a(/: ");
	p = H_START(NULL, "--ready", "A=ready", "A=true");
	H_ASSERT_EXIT(p, 125);
	H_ASSERT_ERR(p, "ptyplex: --ready A=ready: expected /REGEX/\n");
	p = H_START(NULL, "--ready", "Z=/x/", "A=true");
	H_ASSERT_EXIT(p, 125);
	H_ASSERT_ERR(p, "ptyplex: --ready Z: no child named 'Z'\n");
	p = H_START(NULL, "--ready-timeout", "soon", "A=true");
	H_ASSERT_EXIT(p, 125);
	H_ASSERT_ERR(p, "ptyplex: invalid value 'soon' for --ready-timeout");
}

/* A held child starts only on a "start" step. */
Test(supervise, a_held_child_starts_on_a_start_step)
{
	struct h_proc *p = H_START(NULL, "--hold", "B", "--script", h_script(
	    "expect A /ready/ 30\n"
	    "wait B 0.2\n"), h_fmt("A=exec %s", HELPER("sleeper")),
	    h_fmt("B=exec %s", HELPER("sleeper")));

	/* It does not start by itself... */
	H_ASSERT_EXIT(p, 124);
	H_ASSERT_ERR(p, "wait B 0.2: timed out after 0.2 s (it was never "
	    "started)\n");
	assert_no_err(p, "B started");

	/* ...and does on "start". */
	p = H_START(NULL, "--hold", "B", "--script", h_script(
	    "expect A /ready/ 30\n"
	    "start B\n"
	    "expect B /ready/ 30\n"
	    "exit 0\n"), h_fmt("A=exec %s", HELPER("sleeper")),
	    h_fmt("B=exec %s", HELPER("sleeper")));
	H_ASSERT_EXIT(p, 0);
	H_ASSERT_OUT(p, "B: ready\n");
	H_ASSERT_ERR(p, "ptyplex: B started");
}

/* The man page's client/server example: the client is held until the
 * script has seen the server listen, then driven through its prompts. */
Test(supervise, a_held_client_started_by_the_script)
{
	struct h_proc *p = H_START(NULL, "--hold", "client", "--script",
	    h_script("expect server /listening/ 30\n"
	    "start client\n"
	    "expect client /login: $/ 30\n"
	    "send client carol\n"
	    "expect client /> $/ 30\n"
	    "exit 0\n"),
	    h_fmt("server=exec %s %s", HELPER("echo_server"), h_path("port")),
	    h_fmt("client=exec %s %s", HELPER("chat_client"),
	    h_path("port")));

	H_ASSERT_EXIT(p, 0);
	H_ASSERT_OUT(p, "client: server: welcome carol\n");
}

Test(supervise, start_on_a_running_child_fails)
{
	struct h_proc *p = H_START(NULL, "--script", h_script(
	    "start A\n"), h_fmt("A=exec %s", HELPER("sleeper")));

	H_ASSERT_EXIT(p, 124);
	H_ASSERT_ERR(p, ":1: start A: A is already running\n");
}

/* A held gate holds back the children after it until it is started and
 * ready; the script's next step waits for them. */
Test(supervise, a_held_gate_holds_back_the_children_after_it)
{
	struct h_proc *p = H_START(NULL, "--json", "--hold", "A",
	    "--ready", "A=/^ready$/", "--script", h_script(
	    "sleep 0.2\n"
	    "start A\n"
	    "send B\n"
	    "expect B /ready/ 30\n"
	    "exit 0\n"), h_fmt("A=exec %s", HELPER("sleeper")),
	    h_fmt("B=exec %s", HELPER("sleeper")));
	const char *a, *b;

	H_ASSERT_EXIT(p, 0);
	a = strstr(p->out.data, "\"name\":\"A\",\"line\":\"ready\"");
	b = strstr(p->out.data, "\"name\":\"B\",\"event\":\"start\"");
	cr_assert(a != NULL && b != NULL && a < b, "%s", h_context(p));
}

Test(supervise, hold_needs_an_existing_child)
{
	struct h_proc *p = H_START(NULL, "--hold", "Z", "A=true");

	H_ASSERT_EXIT(p, 125);
	cr_assert_str_eq(p->err.data, "ptyplex: --hold Z: no child named "
	    "'Z'\n", "%s", h_context(p));
}

/* on-failure:3 allows three restarts, four runs in all; the delays grow
 * 100, 200, 400 ms; then A's final status ends the session. */
Test(supervise, a_crashing_child_restarts_with_growing_delays_then_gives_up)
{
	struct h_proc *p = H_START(NULL, "--json", "--restart",
	    "A=on-failure:3", h_fmt("A=exec %s 1", HELPER("exit_with")),
	    h_fmt("B=exec %s", HELPER("sleeper")));
	static const long delays[] = { 100, 200, 400 };
	long starts[8], exits[8];
	size_t i;

	H_ASSERT_EXIT(p, 1);
	cr_assert_eq(json_events(p, "A", "start", starts, 8), 4, "%s",
	    h_context(p));
	cr_assert_eq(json_events(p, "A", "exit", exits, 8), 4, "%s",
	    h_context(p));
	cr_assert_eq(json_events(p, "A", "restart", NULL, 0), 3);
	for (i = 0; i < 3; i++) {
		/* The JSON times have millisecond resolution. */
		cr_assert_geq(starts[i + 1] - exits[i], delays[i] - 1,
		    "restart %zu came after %ld ms\n%s", i + 1,
		    starts[i + 1] - exits[i], h_context(p));
	}
	H_ASSERT_OUT(p, "\"event\":\"restart\",\"detail\":\"restarting in "
	    "100 ms (restart 1 of 3)\"");
	H_ASSERT_OUT(p, "\"detail\":\"restarting in 200 ms (restart 2 of 3)\"");
	H_ASSERT_OUT(p, "\"detail\":\"restarting in 400 ms (restart 3 of 3)\"");
	H_ASSERT_OUT(p, "\"event\":\"giveup\",\"detail\":\"gave up after 3 "
	    "restarts\"");
}

Test(supervise, restart_notices_on_stderr)
{
	struct h_proc *p = H_START(NULL, "--restart", "A=on-failure:2",
	    h_fmt("A=exec %s 2", HELPER("exit_with")));

	H_ASSERT_EXIT(p, 2);
	H_ASSERT_ERR(p, "ptyplex: A exited with status 2\n"
	    "ptyplex: A restarting in 100 ms (restart 1 of 2)\n");
	H_ASSERT_ERR(p, "ptyplex: A restarting in 200 ms (restart 2 of 2)\n");
	H_ASSERT_ERR(p, "ptyplex: A gave up after 2 restarts\n");
	cr_assert_eq(count(p->err.data, "A started"), 3, "%s", h_context(p));
	cr_assert_eq(count(p->out.data, "A: exit_with 2\n"), 3, "%s",
	    h_context(p));
}

Test(supervise, on_failure_does_not_restart_a_clean_exit)
{
	struct h_proc *p = H_START(NULL, "--restart", "A=on-failure",
	    h_fmt("A=exec %s 0", HELPER("exit_with")));

	H_ASSERT_EXIT(p, 0);
	assert_no_err(p, "restarting");
	cr_assert_eq(count(p->err.data, "A started"), 1, "%s", h_context(p));
}

Test(supervise, on_failure_restarts_a_child_killed_by_a_signal)
{
	struct h_proc *p = H_START(NULL, "--restart", "A=on-failure:1",
	    h_fmt("A=exec %s SIGSEGV", HELPER("exit_with")));

	H_ASSERT_EXIT(p, 128 + 11);
	H_ASSERT_ERR(p, "ptyplex: A restarting in 100 ms (restart 1 of 1)\n");
}

Test(supervise, always_restarts_a_clean_exit)
{
	struct h_proc *p = H_START(NULL, "--restart", "A=always:2",
	    h_fmt("A=exec %s 0", HELPER("exit_with")));

	H_ASSERT_EXIT(p, 0);
	cr_assert_eq(count(p->err.data, "A started"), 3, "%s", h_context(p));
	H_ASSERT_ERR(p, "ptyplex: A gave up after 2 restarts\n");
}

/* Under --wait-all a restarting child is not finished: the session ends
 * only after it gave up. */
Test(supervise, a_restarting_child_keeps_the_session_alive)
{
	struct h_proc *p = H_START(NULL, "--wait-all", "--restart",
	    "A=on-failure:2", h_fmt("A=exec %s 3", HELPER("exit_with")),
	    h_fmt("B=exec %s 0", HELPER("exit_with")));

	H_ASSERT_EXIT(p, 3);
	cr_assert_eq(count(p->err.data, "A started"), 3, "%s", h_context(p));
}

/* A restarted child keeps its name, prefix and log file. */
Test(supervise, a_restarted_child_keeps_its_log_file)
{
	const char *dir = h_path("logs");
	struct h_proc *p = H_START(NULL, "--log-dir", dir, "--restart",
	    "A=on-failure:2", h_fmt("A=exec %s 1", HELPER("exit_with")));
	size_t len;
	char *log;

	H_ASSERT_EXIT(p, 1);
	log = h_read_file(h_fmt("%s/A.log", dir), &len);
	cr_assert_not_null(log);
	cr_assert_eq(count(log, "exit_with 1\r\n"), 3, "log: %s", log);
}

/* A script's "wait" waits for the final exit, after the restarts. */
Test(supervise, wait_sees_the_final_exit_after_the_restarts)
{
	struct h_proc *p = H_START(NULL, "--restart", "A=on-failure:2",
	    "--script", h_script("wait A 30\nexit 9\n"),
	    h_fmt("A=exec %s 1", HELPER("exit_with")),
	    h_fmt("B=exec %s", HELPER("sleeper")));

	H_ASSERT_EXIT(p, 9);
	cr_assert_eq(count(p->err.data, "A started"), 3, "%s", h_context(p));
}

Test(supervise, bad_restart_options_are_rejected)
{
	static const char *const bad[] = {
		"A=sometimes", "A=no:3", "A=always:", "A=always:x", "A",
		"=always", "A=on-failure:-1",
	};
	struct h_proc *p;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		p = H_START(NULL, "--restart", bad[i], "A=true");
		H_ASSERT_EXIT(p, 125);
		H_ASSERT_ERR(p, h_fmt("ptyplex: invalid value '%s' for "
		    "--restart (expected NAME=no|on-failure|always[:MAX])\n",
		    bad[i]));
	}
	p = H_START(NULL, "--restart", "Z=always", "A=true");
	H_ASSERT_EXIT(p, 125);
	H_ASSERT_ERR(p, "ptyplex: --restart Z: no child named 'Z'\n");
}
