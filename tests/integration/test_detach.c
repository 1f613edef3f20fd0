/*
 * -d, --detach: a session in the background, its output in the log dir,
 * reached with sessions, list, attach and stop.
 */
#include "harness.h"
#include "tty.h"

#include <criterion/criterion.h>

#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Background sessions are nobody's child here: stop them by socket. */
static void
stop_all_sessions(void)
{
	char *dir = h_path("ptyplex");
	struct dirent *e;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strstr(e->d_name, ".sock") == NULL)
			continue;
		h_wait_exit(H_START(NULL, "stop", "-S",
		    h_fmt("%s/%s", dir, e->d_name)), H_TIMEOUT);
	}
	closedir(d);
}

static void
detach_fini(void)
{
	tty_teardown();
	stop_all_sessions();
	h_teardown();
}

TestSuite(detach, .init = h_setup, .fini = detach_fini, .timeout = 300);

/* Options with XDG_STATE_HOME in the test's directory. */
static struct h_opts
with_state(void)
{
	struct h_opts o = { .in = H_STDIN_NULL };

	o.env[0] = h_fmt("XDG_STATE_HOME=%s/state", h_dir());
	return o;
}

/* The pid of child name, from `ptyplex list`. */
static pid_t
child_pid(const char *session, const char *name)
{
	struct h_proc *l = H_START(NULL, "list", "-s", session);
	const char *line;
	char *want = h_fmt("%s ", name);
	long pid;

	H_ASSERT_EXIT(l, 0);
	line = strstr(l->out.data, want);
	cr_assert(line != NULL && (line == l->out.data || line[-1] == '\n'),
	    "%s is not listed\n%s", name, h_context(l));
	pid = strtol(line + strlen(want), NULL, 10);
	cr_assert(pid > 0, "%s has no pid\n%s", name, h_context(l));
	return (pid_t)pid;
}

/* The parent of pid, from /proc. */
static pid_t
parent_of(pid_t pid)
{
	size_t len;
	char *status = h_read_file(h_fmt("/proc/%ld/status", (long)pid),
	    &len);
	const char *ppid;

	cr_assert(status != NULL);
	ppid = strstr(status, "\nPPid:");
	cr_assert(ppid != NULL);
	return (pid_t)strtol(ppid + 6, NULL, 10);
}

/* Start, list, attach, detach, logs, stop: the whole life of one. */
Test(detach, full_life_cycle)
{
	struct h_opts o = with_state();
	struct h_proc *p = H_START(&o, "-d", "-s", "D", "A=cat",
	    "B=echo b-started; exec sleep 1000");
	struct h_proc *q;
	struct tty_proc *t;
	const char *logs = h_fmt("%s/state/ptyplex/D", h_dir());
	pid_t a, b;

	/* The caller gets the name and its stdout back (EOF) at once. */
	H_ASSERT_EXIT(p, 0);
	cr_assert_str_eq(p->out.data, "D\n", "%s", h_context(p));
	cr_assert_eq(p->err.len, 0, "%s", h_context(p));

	q = H_START(NULL, "sessions");
	H_ASSERT_EXIT(q, 0);
	cr_assert_str_eq(q->out.data, "D\n", "%s", h_context(q));
	a = child_pid("D", "A");
	b = child_pid("D", "B");
	cr_assert(h_wait_file_contains(h_fmt("%s/B.log", logs), "b-started",
	    H_TIMEOUT), "B's output is not in %s", logs);

	t = TTY_START(NULL, PTYPLEX_BIN, "attach", "-s", "D", "A");
	cr_assert(tty_wait_raw(t, H_TIMEOUT), "not attached\n%s",
	    tty_context(t));
	tty_puts(t, "in the background\r");
	TTY_ASSERT_OUT(t, "in the background\r\n");
	tty_puts(t, "\034");
	TTY_ASSERT_EXIT(t, 0);
	cr_assert(h_wait_file_contains(h_fmt("%s/A.log", logs),
	    "in the background\r\n", H_TIMEOUT), "A's output is not logged");

	q = H_START(NULL, "stop", "-s", "D");
	H_ASSERT_EXIT(q, 0);
	cr_assert(h_pid_gone(a, H_TIMEOUT) && h_pid_gone(b, H_TIMEOUT),
	    "the children outlived the session");
	q = H_START(NULL, "sessions");
	H_ASSERT_EXIT(q, 0);
	cr_assert_str_eq(q->out.data, "", "%s", h_context(q));
	cr_assert(access(h_path("ptyplex/D.sock"), F_OK) == -1,
	    "the socket is still there");
}

/* No terminal, no caller's descriptors: setsid, /dev/null. */
Test(detach, runs_without_a_terminal)
{
	struct h_opts o = with_state();
	struct h_proc *p = H_START(&o, "-d", "-s", "D", "A=sleep 1000");
	char link[PATH_MAX], *stat;
	pid_t daemon, sid;
	size_t len;
	ssize_t n;
	int fd, tty_nr;

	H_ASSERT_EXIT(p, 0);
	daemon = parent_of(child_pid("D", "A"));
	stat = h_read_file(h_fmt("/proc/%ld/stat", (long)daemon), &len);
	cr_assert(stat != NULL);
	/* pid (comm) state ppid pgrp session tty_nr */
	cr_assert(sscanf(strrchr(stat, ')') + 2, "%*c %*d %*d %d %d", &sid,
	    &tty_nr) == 2);
	cr_assert_eq(tty_nr, 0, "the session has a controlling terminal");
	cr_assert_neq(sid, daemon, "the session leads its session: a pty "
	    "it opens could become its terminal");
	cr_assert_neq(sid, getsid(0), "still in the caller's session");
	for (fd = 0; fd <= 2; fd++) {
		n = readlink(h_fmt("/proc/%ld/fd/%d", (long)daemon, fd), link,
		    sizeof link - 1);
		cr_assert(n > 0);
		link[n] = '\0';
		cr_assert_str_eq(link, "/dev/null", "fd %d is %s", fd, link);
	}
}

/* Without -s: ptyplex-PID, the pid being the background session's. */
Test(detach, default_name_and_log_dir)
{
	struct h_opts o = with_state();
	struct h_proc *p = H_START(&o, "-d", "A=echo hello; exec sleep 1000");
	char name[64];
	long pid;
	struct stat st;

	H_ASSERT_EXIT(p, 0);
	cr_assert(sscanf(p->out.data, "ptyplex-%ld\n", &pid) == 1, "%s",
	    h_context(p));
	snprintf(name, sizeof name, "ptyplex-%ld", pid);
	cr_assert_eq(parent_of(child_pid(name, "A")), (pid_t)pid);
	cr_assert(h_wait_file_contains(h_fmt("%s/state/ptyplex/%s/A.log",
	    h_dir(), name), "hello", H_TIMEOUT));
	cr_assert(stat(h_fmt("%s/state/ptyplex/%s", h_dir(), name), &st) ==
	    0 && (st.st_mode & 0777) == 0700, "the log dir is not 0700");
}

Test(detach, log_dir_option)
{
	struct h_opts o = with_state();
	struct h_proc *p = H_START(&o, "-d", "-s", "D", "--log-dir",
	    h_path("logs"), "A=echo hello; exec sleep 1000");

	H_ASSERT_EXIT(p, 0);
	cr_assert(h_wait_file_contains(h_path("logs/A.log"), "hello",
	    H_TIMEOUT));
}

/* A session that cannot start says why, and the caller exits 125. */
Test(detach, failure_is_125)
{
	struct h_opts o = with_state();
	struct h_proc *p = H_START(&o, "-d", "-s", "D", "A=sleep 1000");
	struct h_proc *q;

	H_ASSERT_EXIT(p, 0);
	q = H_START(&o, "-d", "-s", "D", "A=sleep 1000");
	H_ASSERT_EXIT(q, 125);
	H_ASSERT_ERR(q, "session D is already running");
	cr_assert_eq(q->out.len, 0, "%s", h_context(q));

	h_write_file(h_path("file"), "not a directory\n");
	q = H_START(&o, "-d", "-s", "E", "--log-dir", h_path("file"),
	    "A=true");
	H_ASSERT_EXIT(q, 125);
	H_ASSERT_ERR(q, "log dir");
	cr_assert_eq(q->err.lines, 1, "%s", h_context(q));
}

/*
 * A session that starts but ends before it is ready: the caller exits as
 * the session did, 124 for a --ready timeout as in the foreground, and
 * the session is gone.
 */
Test(detach, ready_timeout_is_124)
{
	struct h_opts o = with_state();
	struct h_proc *p = H_START(&o, "-d", "-s", "R", "--ready",
	    "A=/never printed/", "--ready-timeout", "0.3", "A=sleep 1000",
	    "B=sleep 1000");
	struct h_proc *l;

	H_ASSERT_EXIT(p, 124);
	H_ASSERT_ERR(p, "A");
	cr_assert_eq(p->out.len, 0, "no session name on stdout\n%s",
	    h_context(p));
	l = H_START(NULL, "list", "-s", "R");
	H_ASSERT_EXIT(l, 125);
}

Test(detach, usage_errors)
{
	struct h_proc *p = H_START(NULL, "-d", "--no-socket", "A=true");
	struct h_proc *q = H_START(NULL, "-d", "--raw", "A=true");

	H_ASSERT_EXIT(p, 125);
	H_ASSERT_ERR(p, "--detach needs the control socket");
	H_ASSERT_EXIT(q, 125);
	H_ASSERT_ERR(q, "--raw and --detach cannot be combined");
}
