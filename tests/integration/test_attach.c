/*
 * `ptyplex attach`: a terminal works inside a running child and leaves it
 * running; several at once; a stuck one never stalls the session.
 */
#include "harness.h"
#include "tty.h"

#include <criterion/criterion.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
attach_fini(void)
{
	tty_teardown();
	h_teardown();
}

TestSuite(attach, .init = h_setup, .fini = attach_fini, .timeout = 300);

/* A session S with the given children, its socket up once they run. */
static struct h_proc *
start_session(const char *a, const char *b)
{
	struct h_proc *p = b != NULL ?
	    H_START(NULL, "-s", "S", a, b) : H_START(NULL, "-s", "S", a);

	H_ASSERT_ERR(p, "started");
	return p;
}

/* The client's terminal goes raw once the session has said OK. */
static void
wait_attached(struct tty_proc *t)
{
	cr_assert(tty_wait_raw(t, H_TIMEOUT), "the client never attached\n%s",
	    tty_context(t));
}

static struct tty_proc *
attach_to(const char *name, const struct tty_opts *o)
{
	struct tty_proc *t = TTY_START(o, PTYPLEX_BIN, "attach", "-s", "S",
	    name);

	wait_attached(t);
	return t;
}

static void
assert_restored(const struct tty_proc *t)
{
	struct termios now;

	tty_modes(t, &now);
	cr_assert(tty_same_modes(&now, &t->initial),
	    "the client's terminal modes were not restored\n%s",
	    tty_context(t));
	cr_assert(!(fcntl(t->slave, F_GETFL) & O_NONBLOCK),
	    "the client's terminal was left nonblocking");
}

/* Type, read, detach; the child runs on; re-attach shows the scrollback. */
Test(attach, type_read_detach_reattach)
{
	struct h_proc *p = start_session("A=cat", NULL);
	struct tty_proc *t = attach_to("A", NULL), *u;

	tty_puts(t, "hello\r");
	TTY_ASSERT_OUT(t, "hello\r\n");
	/* The prefixed relay goes on as before. */
	H_ASSERT_OUT(p, "A: hello\n");
	tty_puts(t, "\034");
	TTY_ASSERT_EXIT(t, 0);
	TTY_ASSERT_OUT(t, "ptyplex: detached from A");
	assert_restored(t);
	cr_assert(!h_exited(p), "the session ended with the detach\n%s",
	    h_context(p));

	u = attach_to("A", NULL);
	TTY_ASSERT_OUT(u, "hello\r\n");
	tty_puts(u, "again\r");
	TTY_ASSERT_OUT(u, "again\r\n");
	H_ASSERT_OUT(p, "A: again\n");
	tty_puts(u, "\034");
	TTY_ASSERT_EXIT(u, 0);
	assert_restored(u);
}

Test(attach, two_clients_at_once)
{
	struct tty_proc *t, *u;

	start_session("A=cat", NULL);
	t = attach_to("A", NULL);
	u = attach_to("A", NULL);
	tty_puts(t, "from-t\r");
	TTY_ASSERT_OUT(t, "from-t\r\n");
	TTY_ASSERT_OUT(u, "from-t\r\n");
	tty_puts(u, "from-u\r");
	TTY_ASSERT_OUT(t, "from-u\r\n");
	TTY_ASSERT_OUT(u, "from-u\r\n");
	tty_puts(t, "\034");
	TTY_ASSERT_EXIT(t, 0);
	/* The other one stays attached. */
	tty_puts(u, "still\r");
	TTY_ASSERT_OUT(u, "still\r\n");
	tty_puts(u, "\034");
	TTY_ASSERT_EXIT(u, 0);
}

/*
 * A client whose terminal is never read, while the child floods: it is
 * dropped once it is too far behind; the session's stdout and the other
 * client get every line.
 */
Test(attach, stuck_client_is_dropped)
{
	size_t lines = 100000;
	struct h_proc *p = start_session(h_fmt("A=read go; exec %s %zu",
	    HELPER("blast"), lines * 100), NULL);
	struct tty_proc *stuck = attach_to("A", NULL), *t = attach_to("A",
	    NULL);
	const char *last = h_fmt("%09zu ", lines - 1);
	double deadline;

	tty_puts(t, "go\r");
	deadline = h_now() + 120;
	/*
	 * The reading client must keep up as a terminal would: its pty gives
	 * at most 4 KiB a read, so read it whenever it has something rather
	 * than after a wait on the session's stdout, or on a busy machine it
	 * falls 1 MiB behind and is dropped as well.
	 */
	while ((p->out.lines < lines || strstr(t->out.data, last) == NULL) &&
	    h_now() < deadline) {
		tty_pump(t, 0.01);
		h_pump(p, 0);
	}
	cr_assert(p->out.lines >= lines, "the session stalled\n%s",
	    h_context(p));
	cr_assert(strstr(t->out.data, last) != NULL,
	    "the other client stalled\n%s", tty_context(t));
	H_ASSERT_ERR(p, "A: dropped an attached client that stopped reading");
	TTY_ASSERT_EXIT(t, 0);
	/* Once its terminal is read again, the stuck one learns it. */
	TTY_ASSERT_EXIT(stuck, 125);
	TTY_ASSERT_OUT(stuck, "lost the connection to the session");
	assert_restored(stuck);
}

Test(attach, child_exit_while_attached)
{
	struct tty_proc *t;

	start_session("A=read l; exit 3", "B=sleep 1000");
	t = attach_to("A", NULL);
	tty_puts(t, "\r");
	TTY_ASSERT_EXIT(t, 3);
	TTY_ASSERT_OUT(t, "ptyplex: A exited with status 3");
	assert_restored(t);
}

Test(attach, child_killed_while_attached)
{
	struct tty_proc *t;

	start_session("A=echo ready; exec sleep 1000", "B=sleep 1000");
	t = attach_to("A", NULL);
	TTY_ASSERT_OUT(t, "ready\r\n");
	tty_puts(t, "\003");
	TTY_ASSERT_EXIT(t, 128 + SIGINT);
	TTY_ASSERT_OUT(t, "ptyplex: A exited with signal 2 (SIGINT)");
}

/* The newest client's size wins, and a resize follows. */
Test(attach, window_size_follows_the_client)
{
	struct tty_opts o = { .cols = 100, .rows = 30 };
	struct tty_proc *t;
	double deadline;
	size_t from;
	int seen = 0;

	start_session("A=while read l; do stty size; done", NULL);
	t = attach_to("A", &o);
	tty_puts(t, "\r");
	TTY_ASSERT_OUT(t, "30 100\r\n");
	tty_resize(t, 132, 43);
	deadline = h_now() + H_TIMEOUT;
	while (!seen && h_now() < deadline) {
		from = t->out.len;
		tty_puts(t, "\r");
		seen = tty_wait_from(t, from, "43 132\r\n", 1);
	}
	cr_assert(seen, "the child never saw the new size\n%s",
	    tty_context(t));
}

Test(attach, unknown_child_is_refused)
{
	struct tty_proc *t;

	start_session("A=cat", NULL);
	t = TTY_START(NULL, PTYPLEX_BIN, "attach", "-s", "S", "B");
	TTY_ASSERT_EXIT(t, 1);
	TTY_ASSERT_OUT(t, "ptyplex: no child named B");
	assert_restored(t);
}

/* With another detach key, Ctrl-\ is the child's (its SIGQUIT). */
Test(attach, detach_key_option)
{
	struct tty_proc *t;

	start_session("A=trap 'echo got-QUIT' QUIT; echo ready; "
	    "while :; do sleep 0.1; done", NULL);
	t = TTY_START(NULL, PTYPLEX_BIN, "attach", "-s", "S",
	    "--detach-key", "^A", "A");
	wait_attached(t);
	TTY_ASSERT_OUT(t, "ready\r\n");
	tty_puts(t, "\034");
	TTY_ASSERT_OUT(t, "got-QUIT\r\n");
	tty_puts(t, "\001");
	TTY_ASSERT_EXIT(t, 0);
	assert_restored(t);
}

/* No detach key: a signal is the way out, and the child runs on. */
Test(attach, no_detach_key_and_sigterm)
{
	struct h_proc *p = start_session("A=stty -isig; echo ready; cat",
	    NULL);
	struct tty_proc *t = TTY_START(NULL, PTYPLEX_BIN, "attach", "-s",
	    "S", "--detach-key", "none", "A");

	wait_attached(t);
	H_ASSERT_OUT(p, "A: ready");
	tty_puts(t, "x\034y\r");
	TTY_ASSERT_OUT(t, "x\034y\r\n");
	kill(t->pid, SIGTERM);
	TTY_ASSERT_EXIT(t, 128 + SIGTERM);
	assert_restored(t);
	cr_assert(!h_exited(p), "%s", h_context(p));
}

Test(attach, bad_detach_key_is_a_usage_error)
{
	struct h_proc *p = H_START(NULL, "attach", "--detach-key", "x", "A");

	H_ASSERT_EXIT(p, 125);
	H_ASSERT_ERR(p, "invalid detach key 'x'");
}

/* Stdin that is not a terminal is forwarded; its EOF detaches. */
Test(attach, piped_stdin_detaches_at_eof)
{
	struct h_opts o = { .in = H_STDIN_PIPE };
	struct h_proc *p = start_session("A=cat", NULL);
	struct h_proc *c = H_START(&o, "attach", "-s", "S", "A");

	h_send(c, "piped\n");
	H_ASSERT_OUT(p, "A: piped\n");
	h_close_stdin(c);
	H_ASSERT_EXIT(c, 0);
}
