/*
 * Lifecycle: exit policies and statuses, notices, shutdown by signal, the
 * SIGTERM-then-SIGKILL grace, a closed stdout.
 */
#include "harness.h"

#include <criterion/criterion.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

TestSuite(lifecycle, .init = h_setup, .fini = h_teardown, .timeout = 240);

/* Default policy: the first child to exit ends the session with its
 * status, and the others are ended. */
Test(lifecycle, the_first_exit_ends_the_session_with_its_status)
{
	struct h_opts o = { .in = H_STDIN_PIPE };
	struct h_proc *p = H_START(&o,
	    h_fmt("A=exec %s -w 3", HELPER("exit_with")),
	    h_with_pidfile("B", HELPER("sleeper")));
	pid_t b;

	H_ASSERT_OUT(p, "B: ready\n");
	b = h_pid_of("B");
	cr_assert_eq(h_send(p, "A: go\n"), 0);
	H_ASSERT_EXIT(p, 3);
	H_ASSERT_ERR(p, "ptyplex: A exited with status 3\n");
	h_assert_gone(b, "B");
}

Test(lifecycle, exit_with_waits_for_the_named_child)
{
	struct h_opts o = { .in = H_STDIN_PIPE };
	struct h_proc *p = H_START(&o, "--exit-with", "B",
	    h_fmt("A=exec %s 3", HELPER("exit_with")),
	    h_fmt("B=exec %s -w 5", HELPER("exit_with")));

	H_ASSERT_ERR(p, "ptyplex: A exited with status 3\n");
	H_ASSERT_OUT(p, "B: exit_with 5\n");
	cr_assert(!h_exited(p), "the session ended with A\n%s", h_context(p));
	cr_assert_eq(h_send(p, "B: go\n"), 0);
	H_ASSERT_EXIT(p, 5);
}

Test(lifecycle, wait_all_exits_with_the_first_non_zero_status)
{
	struct h_opts o = { .in = H_STDIN_PIPE };
	struct h_proc *p = H_START(&o, "--wait-all",
	    h_fmt("A=exec %s 0", HELPER("exit_with")),
	    h_fmt("B=exec %s 2", HELPER("exit_with")),
	    h_fmt("C=exec %s -w 5", HELPER("exit_with")));

	H_ASSERT_ERR(p, "ptyplex: A exited with status 0\n");
	H_ASSERT_ERR(p, "ptyplex: B exited with status 2\n");
	H_ASSERT_OUT(p, "C: exit_with 5\n");
	cr_assert(!h_exited(p), "the session ended before C\n%s",
	    h_context(p));
	cr_assert_eq(h_send(p, "C: go\n"), 0);
	H_ASSERT_EXIT(p, 2);
}

Test(lifecycle, wait_all_exits_0_when_every_child_succeeded)
{
	struct h_opts o = { .in = H_STDIN_PIPE };
	struct h_proc *p = H_START(&o, "--wait-all",
	    h_fmt("A=exec %s 0", HELPER("exit_with")),
	    h_fmt("B=exec %s -w 0", HELPER("exit_with")));

	H_ASSERT_ERR(p, "ptyplex: A exited with status 0\n");
	H_ASSERT_OUT(p, "B: exit_with 0\n");
	cr_assert_eq(h_send(p, "B: go\n"), 0);
	H_ASSERT_EXIT(p, 0);
}

Test(lifecycle, wait_all_takes_a_late_failure)
{
	struct h_opts o = { .in = H_STDIN_PIPE };
	struct h_proc *p = H_START(&o, "--wait-all",
	    h_fmt("A=exec %s 0", HELPER("exit_with")),
	    h_fmt("B=exec %s -w 7", HELPER("exit_with")));

	H_ASSERT_ERR(p, "ptyplex: A exited with status 0\n");
	H_ASSERT_OUT(p, "B: exit_with 7\n");
	cr_assert_eq(h_send(p, "B: go\n"), 0);
	H_ASSERT_EXIT(p, 7);
}

Test(lifecycle, a_child_killed_by_signal_n_gives_128_plus_n)
{
	struct h_proc *p = H_START(NULL,
	    h_fmt("A=exec %s SIGUSR1", HELPER("exit_with")));

	H_ASSERT_EXIT(p, 128 + SIGUSR1);
	H_ASSERT_ERR(p, "ptyplex: A exited with signal 10");
	H_ASSERT_OUT(p, "A: exit_with SIGUSR1\n");
}

Test(lifecycle, a_child_killed_by_sigkill_gives_137)
{
	struct h_proc *p = H_START(NULL,
	    h_fmt("A=exec %s SIGKILL", HELPER("exit_with")));

	H_ASSERT_EXIT(p, 137);
}

Test(lifecycle, a_command_not_found_gives_127)
{
	struct h_proc *p = H_START(NULL,
	    h_fmt("A=%s/no-such-command", h_dir()));

	H_ASSERT_EXIT(p, 127);
	H_ASSERT_ERR(p, "ptyplex: A exited with status 127\n");
}

Test(lifecycle, a_file_that_is_not_executable_gives_126)
{
	const char *script = h_path("not-executable");
	struct h_proc *p;

	h_write_file(script, "echo hi\n");
	chmod(script, 0600);
	p = H_START(NULL, h_fmt("A=%s", script));
	H_ASSERT_EXIT(p, 126);
}

Test(lifecycle, notices_name_the_pid_and_the_status)
{
	struct h_proc *p = H_START(NULL,
	    h_fmt("A=exec %s", HELPER("isatty_report")));
	const char *pid;

	H_ASSERT_EXIT(p, 0);
	pid = h_report(p, "A", "pid");
	cr_assert_not_null(pid, "%s", h_context(p));
	H_ASSERT_ERR(p, h_fmt("ptyplex: A started (pid %s)\n", pid));
	H_ASSERT_ERR(p, "ptyplex: A exited with status 0\n");
	cr_assert_null(strstr(p->out.data, "ptyplex:"),
	    "a notice went to stdout\n%s", h_context(p));
}

Test(lifecycle, quiet_silences_the_notices)
{
	struct h_proc *p = H_START(NULL, "-q",
	    h_fmt("A=exec %s 3", HELPER("exit_with")));

	H_ASSERT_EXIT(p, 3);
	cr_assert_str_eq(p->err.data, "", "%s", h_context(p));
	cr_assert_str_eq(p->out.data, "A: exit_with 3\n", "%s", h_context(p));
}

/* B ignores SIGHUP and survives SIGTERM: only a real shutdown (SIGTERM,
 * then SIGKILL after the grace) ends it, not the hangup of its pty when a
 * ptyplex killed outright closes the master. Exiting 128+N or re-raising
 * the signal both give the shell 128+N. */
static void
check_stopped_by(int sig)
{
	struct h_proc *p = H_START(NULL, "--kill-timeout", "1",
	    h_with_pidfile("A", HELPER("sleeper")),
	    h_with_pidfile("B", h_fmt("%s -t", HELPER("sleeper"))));
	pid_t a, b;

	H_ASSERT_OUT(p, "A: ready\n");
	H_ASSERT_OUT(p, "B: ready\n");
	a = h_pid_of("A");
	b = h_pid_of("B");
	cr_assert_eq(kill(p->pid, sig), 0);
	H_ASSERT_EXIT(p, 128 + sig);
	h_assert_gone(a, "A");
	h_assert_gone(b, "B");
}

Test(lifecycle, sigterm_to_ptyplex_ends_the_children_and_exits_143)
{
	check_stopped_by(SIGTERM);
}

Test(lifecycle, sigint_to_ptyplex_ends_the_children_and_exits_130)
{
	check_stopped_by(SIGINT);
}

Test(lifecycle, sighup_to_ptyplex_ends_the_children_and_exits_129)
{
	check_stopped_by(SIGHUP);
}

/* A child that survives SIGTERM gets SIGKILL once --kill-timeout has
 * passed, and not before. */
Test(lifecycle, kill_timeout_then_sigkill_for_a_child_ignoring_sigterm)
{
	struct h_opts o = { .in = H_STDIN_PIPE };
	struct h_proc *p = H_START(&o, "--kill-timeout", "4",
	    h_fmt("A=exec %s -w 7", HELPER("exit_with")),
	    h_with_pidfile("B", h_fmt("%s -t", HELPER("sleeper"))));
	double sent, took;
	pid_t b;

	H_ASSERT_OUT(p, "B: ready\n");
	b = h_pid_of("B");
	sent = h_now();
	cr_assert_eq(h_send(p, "A: go\n"), 0);
	H_ASSERT_OUT(p, "B: caught SIGTERM\n");
	H_ASSERT_EXIT(p, 7);
	took = h_now() - sent;
	cr_assert_geq(took, 3.9, "SIGKILL came %.2f s after A's exit, before "
	    "--kill-timeout 4", took);
	h_assert_gone(b, "B");
}

/* A second SIGINT does not wait for --kill-timeout. The child reports
 * the SIGTERM of the first one, so the second cannot merge with it. */
Test(lifecycle, a_second_sigint_kills_at_once)
{
	struct h_proc *p = H_START(NULL, "--kill-timeout", "600",
	    h_with_pidfile("A", h_fmt("%s -t", HELPER("sleeper"))));
	pid_t a;

	H_ASSERT_OUT(p, "A: ready\n");
	a = h_pid_of("A");
	cr_assert_eq(kill(p->pid, SIGINT), 0);
	H_ASSERT_OUT(p, "A: caught SIGTERM\n");
	cr_assert(!h_exited(p), "%s", h_context(p));
	cr_assert_eq(kill(p->pid, SIGINT), 0);
	H_ASSERT_EXIT(p, 130);
	h_assert_gone(a, "A");
}

/* Shutdown signals each child's process group, so what a child started
 * in the background goes too. */
Test(lifecycle, shutdown_ends_the_childs_whole_process_group)
{
	struct h_opts o = { .in = H_STDIN_PIPE };
	struct h_proc *p = H_START(&o,
	    h_fmt("A=%s & echo $! > %s/G.pid; exec %s", HELPER("sleeper"),
	    h_dir(), HELPER("sleeper")),
	    h_fmt("B=exec %s -w 0", HELPER("exit_with")));
	pid_t g;

	cr_assert(h_wait_count(p, H_OUT, "A: ready\n", 2, H_TIMEOUT), "%s",
	    h_context(p));
	g = h_pid_of("G");
	cr_assert_eq(h_send(p, "B: go\n"), 0);
	H_ASSERT_EXIT(p, 0);
	h_assert_gone(g, "A's background sleeper");
}

/* `ptyplex ... | head -1`: once stdout is closed, ptyplex shuts the
 * session down and leaves no child behind. B survives the hangup of its
 * pty, so a ptyplex simply killed by SIGPIPE would leave it running. */
Test(lifecycle, a_closed_stdout_ends_the_session_cleanly)
{
	struct h_proc *p = H_START(NULL, "--kill-timeout", "1",
	    h_with_pidfile("A", h_fmt("%s 1000000000000", HELPER("blast"))),
	    h_with_pidfile("B", h_fmt("%s -t", HELPER("sleeper"))));
	pid_t a, b;

	H_ASSERT_OUT(p, "B: ready\n");
	a = h_pid_of("A");
	b = h_pid_of("B");
	h_close_stdout(p);
	cr_assert_neq(h_wait_exit(p, H_TIMEOUT), -1,
	    "ptyplex kept running with its stdout closed\n%s", h_context(p));
	cr_assert_null(strstr(p->err.data, "Sanitizer"), "%s", h_context(p));
	h_assert_gone(a, "A");
	cr_assert(h_pid_gone(b, 10), "B is still running; ptyplex exited "
	    "with %d (signaled %d)\n%s", p->status, p->signaled,
	    h_context(p));
}

/* No polling and no busy loop: an idle session sleeps in the kernel. */
Test(lifecycle, an_idle_session_uses_no_cpu)
{
	struct h_proc *p = H_START(NULL, h_fmt("A=exec %s", HELPER("sleeper")),
	    h_fmt("B=exec %s", HELPER("prompt")));
	unsigned long t0[2], t1[2];
	char *stat;
	size_t len;
	double start;

	H_ASSERT_OUT(p, "A: ready\n");
	H_ASSERT_OUT(p, "B: name? \n");
	stat = h_read_file(h_fmt("/proc/%ld/stat", (long)p->pid), &len);
	cr_assert_not_null(stat);
	cr_assert_eq(sscanf(strrchr(stat, ')') + 2,
	    "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &t0[0],
	    &t0[1]), 2);
	/* Measuring idleness needs time to pass: this is the one place a
	 * fixed interval is the point. */
	start = h_now();
	while (h_now() - start < 2)
		h_pump(p, 0.1);
	stat = h_read_file(h_fmt("/proc/%ld/stat", (long)p->pid), &len);
	cr_assert_not_null(stat);
	cr_assert_eq(sscanf(strrchr(stat, ')') + 2,
	    "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &t1[0],
	    &t1[1]), 2);
	cr_assert_leq((t1[0] + t1[1]) - (t0[0] + t0[1]), 10,
	    "ptyplex used %lu ticks in 2 s of idleness",
	    (t1[0] + t1[1]) - (t0[0] + t0[1]));
}
