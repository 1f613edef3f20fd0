/*
 * Faults: children that die, stop, close or change their pty; a ptyplex
 * short of descriptors, a log it cannot write, a stdout that closes or
 * stalls; signals and short writes on every path.
 */
#include "harness.h"
#include "inject.h"

#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

TestSuite(faults, .init = h_setup, .fini = h_teardown, .timeout = 400);

static int
wait_state(pid_t pid, char state, double timeout)
{
	double deadline = h_now() + timeout;

	while (h_proc_state(pid) != state) {
		if (h_now() >= deadline)
			return 0;
		usleep(10000);
	}
	return 1;
}

/* The bytes pid has written so far (wchar of /proc/PID/io), or -1. */
static long long
proc_wchar(pid_t pid)
{
	char buf[1024];
	const char *w;

	if (h_proc_read(pid, "io", buf, sizeof buf) == NULL ||
	    (w = strstr(buf, "wchar:")) == NULL)
		return -1;
	return strtoll(w + 6, NULL, 10);
}

/* 1 once pid is blocked writing: asleep, and nothing more written for
 * 300 ms (ptyplex has stopped reading it); 0 at the deadline. */
static int
wait_blocked(pid_t pid, double timeout)
{
	double deadline = h_now() + timeout;
	long long before = proc_wchar(pid), now;

	while (h_now() < deadline) {
		usleep(300000);
		now = proc_wchar(pid);
		if (now == before && now != -1 && h_proc_state(pid) == 'S')
			return 1;
		before = now;
	}
	return 0;
}

/* Stops reading ptyplex's stdout without closing it: a reader that hangs.
 * Returns the descriptor, to close at the end. */
static int
stall_stdout(struct h_proc *p)
{
	int fd = p->out_fd;

	p->out_fd = -1;
	return fd;
}

/* Every line of buf is one of name's numbered_lines lines, whole and in
 * order, count of them, mixed with other children's lines. */
static void
assert_numbered(const struct h_proc *p, const char *name, long count,
    int width)
{
	struct h_lines l = h_split(p->out.data, p->out.len);
	size_t i, nlen = strlen(name);
	char want[512];
	long next = 1;
	int n;

	for (i = 0; i < l.n; i++) {
		if (strncmp(l.v[i], name, nlen) != 0 ||
		    strncmp(l.v[i] + nlen, ": ", 2) != 0)
			continue;
		n = snprintf(want, sizeof want, "%s: %s %ld ", name, name,
		    next);
		memset(want + n, 'a' + (int)(next % 26), (size_t)width);
		want[n + width] = '\0';
		cr_assert_str_eq(l.v[i], want, "line %zu is not %s's line %ld",
		    i + 1, name, next);
		next++;
	}
	cr_assert_eq(next - 1, count, "%s: %ld lines of %ld\n%s", name,
	    next - 1, count, h_context(p));
}

/* A child killed in the middle of a line: the half it wrote is shown as
 * a line of its own, and its signal becomes the status. */
Test(faults, a_child_killed_mid_line_shows_the_half_line_and_gives_137)
{
	struct h_proc *p = H_START(NULL,
	    h_fmt("A=exec %s midline 'half a line'", HELPER("fault")),
	    h_fmt("B=exec %s", HELPER("sleeper")));

	H_ASSERT_EXIT(p, 128 + SIGKILL);
	H_ASSERT_ERR(p, "ptyplex: A exited with signal 9 (SIGKILL)\n");
	H_ASSERT_OUT(p, "A: half a line\n");
	cr_assert_null(strstr(p->out.data, "half a lineB"), "%s",
	    h_context(p));
}

Test(faults, a_child_killed_mid_line_under_json_ends_the_line)
{
	struct h_proc *p = H_START(NULL, "--json",
	    h_fmt("A=exec %s midline 'half a line'", HELPER("fault")));
	struct h_lines l;
	struct h_json j;
	const char *why;
	size_t i, seen = 0;

	H_ASSERT_EXIT(p, 128 + SIGKILL);
	l = h_split(p->out.data, p->out.len);
	for (i = 0; i < l.n; i++) {
		const struct h_json_member *m;

		cr_assert_eq(h_json_parse(l.v[i], l.len[i], &j, &why), 0,
		    "line %zu is not JSON (%s): %s", i + 1, why,
		    h_show(l.v[i], l.len[i], 200));
		m = h_json_get(&j, "line");
		if (m != NULL && strcmp(m->str, "half a line") == 0)
			seen++;
		m = h_json_get(&j, "signal");
		if (m != NULL)
			cr_assert_eq((int)m->num, SIGKILL);
	}
	cr_assert_eq(seen, 1, "%s", h_context(p));
}

/* Bug: a child that closes its stdout (and stdin and stderr) but goes on
 * running makes its pty report EOF long before it exits, and ptyplex then
 * closed the master at once, which hangs the pty up: the child died of
 * SIGHUP (status 129) and ended the session. The master now stays open
 * until the child is reaped; the session goes on, the other children
 * too, and the child's own exit status counts once it comes. */
Test(faults, a_child_closing_its_stdout_but_running_on_keeps_the_session)
{
	struct h_opts o = { .in = H_STDIN_PIPE };
	const char *go = h_path("go");
	struct h_proc *p = H_START(&o,
	    h_fmt("A=exec %s closeout %s 5", HELPER("fault"), go),
	    h_fmt("B=exec %s b", HELPER("echoer")));

	H_ASSERT_OUT(p, "A: closing\n");
	H_ASSERT_OUT(p, "B: what should b say?\n");
	cr_assert_eq(h_send(p, "B: still here\n"), 0);
	H_ASSERT_OUT(p, "B: B says, \"still here\"\n");
	/* Input for A has nowhere to go: dropped, nothing blocks. */
	cr_assert_eq(h_send(p, "A: anyone?\n"), 0);
	cr_assert_eq(h_send(p, "B: again\n"), 0);
	H_ASSERT_OUT(p, "B: B says, \"again\"\n");
	cr_assert(!h_exited(p), "%s", h_context(p));
	h_write_file(go, "");
	H_ASSERT_EXIT(p, 5);
	H_ASSERT_ERR(p, "ptyplex: A exited with status 5\n");
}

/* A grandchild that ignores SIGHUP keeps the pty slave open after the
 * child exits: the master never reports EOF, so the drain timeout must
 * end the child's story, and the session its own, with the child's
 * status. */
Test(faults, a_grandchild_holding_the_pty_does_not_keep_the_session)
{
	const char *pidfile = h_path("grandchild.pid");
	struct h_proc *p = H_START(NULL,
	    h_fmt("A=exec %s grandchild %s 0 3", HELPER("fault"), pidfile),
	    h_fmt("B=exec %s", HELPER("sleeper")));
	pid_t g;

	g = h_read_pidfile(pidfile, H_TIMEOUT);
	cr_assert_gt(g, 1, "%s", h_context(p));
	H_ASSERT_EXIT(p, 3);
	H_ASSERT_OUT(p, "A: parent exits\n");
	H_ASSERT_ERR(p, "ptyplex: A exited with status 3\n");
	kill(g, SIGKILL);
}

/* Bug: the drain timer was restarted by every read after the exit, so a
 * grandchild holding the pty and writing a line every 100 ms kept a
 * session whose child had exited running for as long as it wrote (here
 * up to 300 s). The drain now has a deadline; what the grandchild writes
 * until then is shown, in whole lines. */
Test(faults, a_chatty_grandchild_does_not_keep_the_session)
{
	const char *pidfile = h_path("grandchild.pid");
	struct h_proc *p = H_START(NULL,
	    h_fmt("A=exec %s grandchild %s 100 3", HELPER("fault"), pidfile));
	struct h_lines l;
	size_t i;
	pid_t g;

	g = h_read_pidfile(pidfile, H_TIMEOUT);
	cr_assert_gt(g, 1, "%s", h_context(p));
	H_ASSERT_OUT(p, "A: parent exits\n");
	H_ASSERT_EXIT(p, 3);
	kill(g, SIGKILL);
	l = h_split(p->out.data, p->out.len);
	for (i = 0; i < l.n; i++)
		cr_assert(strcmp(l.v[i], "A: parent exits") == 0 ||
		    strncmp(l.v[i], "A: grandchild tick ", 19) == 0,
		    "line %zu: %s", i + 1, h_show(l.v[i], l.len[i], 200));
}

/* A child stopped by SIGSTOP is not an exit: the session and the other
 * children go on, and the child picks up where it was once continued. */
Test(faults, a_stopped_child_is_not_an_exit_and_continues)
{
	struct h_opts o = { .in = H_STDIN_PIPE };
	struct h_proc *p = H_START(&o,
	    h_fmt("A=exec %s stop", HELPER("fault")),
	    h_fmt("B=exec %s b", HELPER("echoer")));
	const char *pid;
	pid_t a;

	H_ASSERT_OUT(p, "A: stopping\n");
	pid = h_report(p, "A", "pid");
	cr_assert_not_null(pid, "%s", h_context(p));
	a = (pid_t)strtol(pid, NULL, 10);
	cr_assert(wait_state(a, 'T', H_TIMEOUT), "A never stopped");
	cr_assert_eq(h_send(p, "B: ping\n"), 0);
	H_ASSERT_OUT(p, "B: B says, \"ping\"\n");
	cr_assert(!h_exited(p), "%s", h_context(p));
	cr_assert_null(strstr(p->err.data, "A exited"), "%s", h_context(p));
	cr_assert_eq(kill(a, SIGCONT), 0);
	H_ASSERT_OUT(p, "A: continued\n");
	H_ASSERT_EXIT(p, 0);
	H_ASSERT_ERR(p, "ptyplex: A exited with status 0\n");
}

/* Bug: the graceful shutdown sent SIGTERM only, which a stopped child
 * keeps pending, so a session with a stopped child took the whole
 * --kill-timeout (here 600 s) and then SIGKILL to end. SIGCONT now
 * follows the SIGTERM, so the child handles it at once. */
Test(faults, shutdown_ends_a_stopped_child_without_waiting_for_sigkill)
{
	struct h_proc *p = H_START(NULL, "--kill-timeout", "600",
	    h_fmt("A=exec %s stop", HELPER("fault")));
	const char *pid;
	pid_t a;

	H_ASSERT_OUT(p, "A: stopping\n");
	pid = h_report(p, "A", "pid");
	cr_assert_not_null(pid, "%s", h_context(p));
	a = (pid_t)strtol(pid, NULL, 10);
	cr_assert(wait_state(a, 'T', H_TIMEOUT), "A never stopped");
	cr_assert_eq(kill(p->pid, SIGTERM), 0);
	H_ASSERT_EXIT(p, 128 + SIGTERM);
	H_ASSERT_OUT(p, "A: caught SIGTERM\n");
	h_assert_gone(a, "A");
}

/* A child that puts its own pty in raw mode and sets its own window
 * size: its bare "\n" line ends are lines all the same, and input still
 * reaches it. */
Test(faults, a_child_making_its_pty_raw_and_resizing_it_is_relayed)
{
	struct h_opts o = { .in = H_STDIN_PIPE };
	struct h_proc *p = H_START(&o,
	    h_fmt("A=exec %s raw 132 43", HELPER("fault")));

	H_ASSERT_OUT(p, "A: winsize=132x43\n");
	cr_assert_eq(h_send(p, "A: hello\n"), 0);
	H_ASSERT_OUT(p, "A: got hello\n");
	/* Our own SIGWINCH puts the size back; the child goes on. */
	cr_assert_eq(kill(p->pid, SIGWINCH), 0);
	cr_assert_eq(h_send(p, "A: again\n"), 0);
	H_ASSERT_OUT(p, "A: got again\n");
	cr_assert_eq(h_send(p, "A: quit\n"), 0);
	H_ASSERT_EXIT(p, 0);
	cr_assert_str_eq(p->out.data, "A: raw\nA: winsize=132x43\n"
	    "A: got hello\nA: got again\n", "%s", h_context(p));
}

/* Too few descriptors for the children asked for: exit 125 with one
 * line naming the problem, and the children already started are ended
 * (each writes its pid first, so every one that ran can be checked). */
Test(faults, too_few_descriptors_exit_125_and_leave_no_child)
{
	struct h_opts o = { .nofile = 40 };
	const char *args[80];
	struct h_lines l;
	size_t i, n = 0, started = 0, errors = 0;

	args[n++] = "--kill-timeout";
	args[n++] = "2";
	for (i = 0; i < 60; i++)
		args[n++] = h_with_pidfile(h_fmt("C%zu", i),
		    h_fmt("%s -t", HELPER("sleeper")));
	args[n] = NULL;
	struct h_proc *p = h_start(&o, args);

	H_ASSERT_EXIT(p, 125);
	l = h_split(p->err.data, p->err.len);
	for (i = 0; i < l.n; i++) {
		if (strstr(l.v[i], "started (pid") != NULL ||
		    strstr(l.v[i], "exited with") != NULL)
			continue;
		errors++;
		cr_assert(strncmp(l.v[i], "ptyplex: C", 10) == 0 &&
		    strstr(l.v[i], ": cannot open a pty: Too many open files")
		    != NULL, "unexpected stderr line: %s\n%s", l.v[i],
		    h_context(p));
	}
	cr_assert_eq(errors, 1, "%s", h_context(p));
	for (i = 0; i < 60; i++) {
		size_t len;
		char *s = h_read_file(h_path(h_fmt("C%zu.pid", i)), &len);

		if (s == NULL || len == 0)
			continue;
		started++;
		h_assert_gone((pid_t)strtol(s, NULL, 10), h_fmt("C%zu", i));
	}
	cr_assert_lt(started, 60, "every child started under the limit");
}

/* Bug: with so few descriptors that libevent could not set up its
 * signal pipe, libevent printed "[err] evsig_init_: socketpair: ..." and
 * exited 1 itself. Its messages are now ptyplex's, and its fatal errors
 * exit 125 as every other failure of ptyplex does. */
Test(faults, libevent_out_of_descriptors_exits_125_with_a_ptyplex_line)
{
	struct h_opts o = { .nofile = 5 };
	struct h_proc *p = H_START(&o, h_fmt("A=exec %s", HELPER("sleeper")));

	H_ASSERT_EXIT(p, 125);
	cr_assert(strncmp(p->err.data, "ptyplex: ", 9) == 0, "%s",
	    h_context(p));
	cr_assert_null(strstr(p->err.data, "[err]"), "%s", h_context(p));
	cr_assert_str_eq(p->out.data, "", "%s", h_context(p));
}

/* A transcript that cannot be written (RLIMIT_FSIZE, as a full disk):
 * one warning, the transcript stops, the relay goes on and loses
 * nothing; what the log holds is the start of the pty output. */
Test(faults, an_unwritable_log_warns_once_and_the_relay_goes_on)
{
	const size_t total = 300000, limit = 8192;
	struct h_opts o = { .fsize = (long)limit };
	const char *logs = h_path("logs");
	const char *want = h_blast_bytes(total), *log;
	size_t loglen, crlf_len, i, pos = 0;
	const char *crlf;
	struct h_proc *p;
	struct h_lines l;

	p = H_START(&o, "--log-dir", logs,
	    h_fmt("A=exec %s %zu", HELPER("blast"), total));
	H_ASSERT_EXIT(p, 0);
	cr_assert(h_wait_count(p, H_ERR, "transcript stopped", 1, 0),
	    "%s", h_context(p));
	cr_assert(!h_wait_count(p, H_ERR, "transcript stopped", 2, 0),
	    "more than one warning\n%s", h_context(p));
	H_ASSERT_ERR(p, h_fmt("ptyplex: log file %s/A.log: ", logs));
	l = h_split(p->out.data, p->out.len);
	cr_assert_eq(l.n, total / 100, "%zu lines\n%s", l.n, h_context(p));
	for (i = 0; i < l.n; i++) {
		cr_assert(l.len[i] == 102 && memcmp(l.v[i], "A: ", 3) == 0 &&
		    memcmp(l.v[i] + 3, want + pos, 99) == 0,
		    "line %zu is wrong: %s", i + 1,
		    h_show(l.v[i], l.len[i], 200));
		pos += 100;
	}
	log = h_read_file(h_fmt("%s/A.log", logs), &loglen);
	cr_assert_not_null(log);
	cr_assert_leq(loglen, limit);
	crlf = h_onlcr(want, total, &crlf_len);
	cr_assert(memcmp(log, crlf, loglen) == 0,
	    "the log is not the start of the output");
}

/* Stdout closed while it was backed up (children paused, the queue over
 * its high mark): the session still ends, and takes every child along. */
Test(faults, a_stdout_closed_while_backed_up_ends_cleanly)
{
	struct h_proc *p = H_START(NULL, "--json", "--kill-timeout", "1",
	    h_with_pidfile("A", h_fmt("%s 1000000000000", HELPER("blast"))),
	    h_with_pidfile("B", h_fmt("%s -t", HELPER("sleeper"))));
	pid_t a, b;
	int fd;

	a = h_pid_of("A");
	b = h_pid_of("B");
	fd = stall_stdout(p);
	/* Backed up: A blocks in write once ptyplex stops reading it. */
	cr_assert(wait_blocked(a, H_TIMEOUT), "A never blocked");
	close(fd);
	p->out.eof = 1;
	cr_assert_neq(h_wait_exit(p, H_TIMEOUT), -1,
	    "ptyplex kept running with its stdout closed\n%s", h_context(p));
	h_assert_gone(a, "A");
	h_assert_gone(b, "B");
}

/* Bug: with its stdout stalled (a reader that hangs), ptyplex could not
 * be stopped by signals at all: the first SIGTERM ended the children but
 * their ptys were never drained, as reading stays paused until stdout
 * takes more, and the second only sent SIGKILL to children already gone.
 * A second signal now means now: what stdout has not taken is dropped
 * and ptyplex exits 128+N. */
Test(faults, a_second_signal_ends_ptyplex_whose_stdout_hangs)
{
	struct h_proc *p = H_START(NULL,
	    h_with_pidfile("A", h_fmt("%s 1000000000000", HELPER("blast"))));
	pid_t a;
	int fd;

	a = h_pid_of("A");
	fd = stall_stdout(p);
	cr_assert(wait_blocked(a, H_TIMEOUT), "A never blocked");
	cr_assert_eq(kill(p->pid, SIGTERM), 0);
	h_assert_gone(a, "A");
	cr_assert(!h_exited(p), "nothing was left to wait for\n%s",
	    h_context(p));
	cr_assert_eq(kill(p->pid, SIGTERM), 0);
	H_ASSERT_EXIT(p, 128 + SIGTERM);
	close(fd);
}

/* Bug: the last output was written after the event loop, blocking until
 * stdout took it, with libevent's handlers still catching every signal:
 * a ptyplex whose reader hung at that point could only be SIGKILLed. It
 * is now written with the loop still running, and a signal ends it,
 * 128+N. A child of 600 kB fits in ptyplex's queue, not in the pipe. */
Test(faults, a_signal_ends_ptyplex_blocked_on_its_last_output)
{
	struct h_proc *p = H_START(NULL, h_fmt("A=exec %s 600000",
	    HELPER("blast")));
	int fd;

	fd = stall_stdout(p);
	H_ASSERT_ERR(p, "ptyplex: A exited with status 0\n");
	cr_assert(!h_exited(p), "600 kB fit in the pipe?\n%s", h_context(p));
	cr_assert_eq(kill(p->pid, SIGTERM), 0);
	H_ASSERT_EXIT(p, 128 + SIGTERM);
	close(fd);
}

/* Signals interrupting every path, stdout taken 7 bytes at a time so
 * that every write to it is short: no line is lost, cut or mixed. */
Test(faults, signal_storms_and_a_tiny_chunk_reader_lose_nothing)
{
	const long count = 4000;
	struct h_proc *p = H_START(NULL, "--wait-all",
	    h_fmt("A=exec %s A %ld 30", HELPER("numbered_lines"), count),
	    h_fmt("B=exec %s B %ld 30", HELPER("numbered_lines"), count),
	    h_fmt("C=exec %s C %ld 30", HELPER("numbered_lines"), count));
	pid_t storm = h_start_storm(p->pid, SIGWINCH, SIGCHLD, 200);

	h_slow_reader(p, 7, 0);
	H_ASSERT_EXIT_WITHIN(p, 0, 300);
	h_stop_storm(storm);
	assert_numbered(p, "A", count, 30);
	assert_numbered(p, "B", count, 30);
	assert_numbered(p, "C", count, 30);
}

/* 3000 lines through stdin into cat and back, stdout taken 7 bytes at a
 * time, with storm (if not 0) sending SIGWINCH and SIGCHLD to ptyplex all
 * along: the pty's input side fills up, so writes to the master are short
 * too; every line comes back once, whole and in order. */
static void
check_cat_round_trip(int storm)
{
	const long count = 3000;
	struct h_opts o = { .in = H_STDIN_PIPE };
	struct h_proc *p = H_START(&o, "--exit-with", "B",
	    "A=exec cat", h_fmt("B=exec %s -w 0", HELPER("exit_with")));
	size_t cap = (size_t)count * 64, len = 0;
	char *input = h_fmt("%*s", (int)cap, "");
	pid_t stormer = storm ? h_start_storm(p->pid, SIGWINCH, SIGCHLD, 200) : -1;
	struct h_lines l;
	long i, next = 1;
	size_t k;

	for (i = 1; i <= count; i++)
		len += (size_t)snprintf(input + len, cap - len,
		    "line %06ld %.40s\n", i,
		    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN");
	h_slow_reader(p, 7, 0);
	cr_assert_eq(h_send(p, input), 0, "%s", h_context(p));
	cr_assert(h_wait_for(p, H_OUT, h_fmt("A: line %06ld ", count), 300),
	    "%s", h_context(p));
	cr_assert_eq(h_send(p, "B: go\n"), 0);
	H_ASSERT_EXIT_WITHIN(p, 0, 120);
	if (stormer != -1)
		h_stop_storm(stormer);
	l = h_split(p->out.data, p->out.len);
	for (k = 0; k < l.n; k++) {
		char want[128];

		if (strncmp(l.v[k], "A: ", 3) != 0)
			continue;
		snprintf(want, sizeof want, "A: line %06ld %.40s", next,
		    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN");
		cr_assert_str_eq(l.v[k], want, "line %zu", k + 1);
		next++;
	}
	cr_assert_eq(next - 1, count, "%ld lines came back", next - 1);
}

/* Bug: input written to a child showed that child's pending partial
 * line at once (so that a prompt and its answer never share a line); but
 * while a child floods, the pending bytes are mostly a read of the pty
 * that stopped in the middle of a line (a pty master hands out at most
 * 4095 bytes at a time), so lines came out cut in two: "A: line 000076
 * ...ABCDEFG" then "A: HIJKLMN". cat answers input while it floods. */
Test(faults, input_sent_during_a_flood_never_cuts_a_line)
{
	check_cat_round_trip(0);
}

Test(faults, signal_storms_and_full_ptys_lose_no_input)
{
	check_cat_round_trip(1);
}

/* ptyplex on a terminal whose size changes again and again: every change
 * is a SIGWINCH and a resize of every child's pty, in the middle of a
 * flood; no line is lost, cut or mixed. */
Test(faults, window_size_storms_lose_nothing)
{
	const long count = 4000;
	struct h_opts o = { .terminal = 1, .cols = 100, .rows = 30 };
	struct h_proc *p = H_START(&o, "--wait-all", "--color", "never",
	    h_fmt("A=exec %s A %ld 30", HELPER("numbered_lines"), count),
	    h_fmt("B=exec %s B %ld 30", HELPER("numbered_lines"), count));
	struct winsize ws = { 30, 100, 0, 0 };
	int i;

	for (i = 0; i < 3000 && !h_exited(p); i++) {
		ws.ws_col = (unsigned short)(100 + i % 7);
		ioctl(p->in_fd, TIOCSWINSZ, &ws);
		h_pump(p, 0);
	}
	H_ASSERT_EXIT_WITHIN(p, 0, 120);
	assert_numbered(p, "A", count, 30);
	assert_numbered(p, "B", count, 30);
}

/* The FIFO deleted while the session runs: the session goes on (its
 * other routes too), and at the end ptyplex removes nothing that is not
 * its own, such as a file made at the same path since. */
Test(faults, a_fifo_deleted_while_running_changes_nothing_else)
{
	struct h_opts o = { .in = H_STDIN_PIPE };
	const char *fifo = h_path("a.in");
	struct h_proc *p = H_START(&o, "--fifo", h_fmt("A=%s", fifo),
	    "A=exec cat", h_fmt("B=exec %s -w 0", HELPER("exit_with")));
	size_t len;
	int fd;

	H_ASSERT_OUT(p, "B: exit_with 0\n");
	fd = open(fifo, O_WRONLY | O_CLOEXEC);
	cr_assert_neq(fd, -1, "cannot open the FIFO: %s", strerror(errno));
	cr_assert_eq(write(fd, "one\n", 4), 4);
	close(fd);
	H_ASSERT_OUT(p, "A: one\n");
	cr_assert_eq(unlink(fifo), 0);
	cr_assert_eq(h_send(p, "A: two\n"), 0);
	H_ASSERT_OUT(p, "A: two\n");
	h_write_file(fifo, "not ptyplex's\n");
	cr_assert_eq(h_send(p, "B: go\n"), 0);
	H_ASSERT_EXIT(p, 0);
	cr_assert_str_eq(h_read_file(fifo, &len), "not ptyplex's\n");
}

/* The socket deleted while the session runs: clients can no longer find
 * it, the session goes on, and a second session may then take the name.
 * When the first one ends it must leave the second one's socket alone. */
Test(faults, a_socket_deleted_while_running_is_not_taken_back)
{
	const char *sock = h_path("ptyplex/S.sock");
	struct h_proc *first = H_START(NULL, "-s", "S",
	    h_fmt("A=exec %s", HELPER("sleeper")));
	struct h_proc *second, *c;

	H_ASSERT_OUT(first, "A: ready\n");
	c = H_START(NULL, "list", "-s", "S");
	H_ASSERT_EXIT(c, 0);
	cr_assert_eq(unlink(sock), 0);
	c = H_START(NULL, "list", "-s", "S");
	cr_assert_neq(h_wait_exit(c, H_TIMEOUT), 0, "%s", h_context(c));
	second = H_START(NULL, "-s", "S",
	    h_fmt("B=exec %s", HELPER("sleeper")));
	H_ASSERT_OUT(second, "B: ready\n");
	cr_assert_eq(kill(first->pid, SIGTERM), 0);
	H_ASSERT_EXIT(first, 128 + SIGTERM);
	cr_assert_eq(access(sock, F_OK), 0, "the second session's socket "
	    "went with the first session");
	c = H_START(NULL, "list", "-s", "S");
	H_ASSERT_EXIT(c, 0);
	cr_assert(h_wait_for(c, H_OUT, "B ", 0), "%s", h_context(c));
	c = H_START(NULL, "stop", "-s", "S");
	H_ASSERT_EXIT(c, 0);
	H_ASSERT_EXIT(second, 0);
	cr_assert_neq(access(sock, F_OK), 0, "the socket is still there");
}

/* Out of descriptors with clients waiting to be accepted: ptyplex must
 * neither spin on the listening socket nor stop serving once the clients
 * go; the relay goes on meanwhile. */
Test(faults, a_session_out_of_descriptors_for_clients_does_not_spin)
{
	struct h_opts o = { .in = H_STDIN_PIPE, .nofile = 24 };
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct h_proc *p = H_START(&o, "-s", "S",
	    h_fmt("A=exec %s a", HELPER("echoer")));
	struct h_proc *c;
	int conns[40], i;
	long ticks;

	H_ASSERT_OUT(p, "A: what should a say?\n");
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s/ptyplex/S.sock",
	    h_dir());
	/* Some are accepted, the rest wait in the backlog (nonblocking: a
	 * full backlog is EAGAIN, not a hang). */
	for (i = 0; i < 40; i++) {
		conns[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, 0);
		cr_assert_neq(conns[i], -1);
		if (connect(conns[i], (struct sockaddr *)&sun, sizeof sun) == -1)
			cr_assert_eq(errno, EAGAIN, "connect %d: %s", i,
			    strerror(errno));
	}
	ticks = inj_idle_ticks(p, 2);
	cr_assert_leq(ticks, 50, "ptyplex used %ld ticks in 2 s", ticks);
	cr_assert_eq(h_send(p, "A: still relaying\n"), 0);
	H_ASSERT_OUT(p, "A: A says, \"still relaying\"\n");
	for (i = 0; i < 40; i++)
		close(conns[i]);
	c = H_START(NULL, "list", "-s", "S");
	H_ASSERT_EXIT(c, 0);
	cr_assert(h_wait_for(c, H_OUT, "A ", 0), "%s", h_context(c));
	cr_assert_eq(h_send(p, "A: quit\n"), 0);
	H_ASSERT_EXIT(p, 0);
}
