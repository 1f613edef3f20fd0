/*
 * --raw: one child, byte-exact output, stdin forwarded byte for byte, the
 * terminal in raw mode and always restored, the window size followed, and
 * a pipe's EOF turned into the pty's EOF character.
 */
#include "harness.h"
#include "tty.h"

#include <criterion/criterion.h>

#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
raw_fini(void)
{
	tty_teardown();
	h_teardown();
}

TestSuite(raw, .init = h_setup, .fini = raw_fini, .timeout = 300);

/* No prefix, no \r handling: escapes, \r, control and high bytes as the
 * pty gave them (its ONLCR made the \n a \r\n), in the transcript too. */
Test(raw, output_is_byte_exact)
{
	static const char want[] =
	    "\033[1;31mred\033[0m\rover\tT\001\377\r\n";
	struct h_proc *p = H_START(NULL, "--raw", "--log-dir", h_dir(),
	    "x=printf '\\033[1;31mred\\033[0m\\rover\\tT\\001\\377\\n'");
	size_t len;
	char *log;

	H_ASSERT_EXIT(p, 0);
	cr_assert_eq(p->out.len, sizeof want - 1, "stdout is %s\n%s",
	    h_show(p->out.data, p->out.len, 200), h_context(p));
	cr_assert(memcmp(p->out.data, want, sizeof want - 1) == 0,
	    "stdout is %s", h_show(p->out.data, p->out.len, 200));
	log = h_read_file(h_path("x.log"), &len);
	cr_assert(log != NULL && len == sizeof want - 1 &&
	    memcmp(log, want, len) == 0, "transcript differs");
}

/* 4 MB through a reader slower than the child: stdout's backpressure
 * holds the child back, and not a byte is lost or changed. */
Test(raw, flood_to_a_slow_reader_is_exact)
{
	size_t n = 4000000, wantlen;
	char *want = h_onlcr(h_blast_bytes(n), n, &wantlen);
	struct h_proc *p = H_START(NULL, "--raw",
	    h_fmt("x=%s %zu", HELPER("blast"), n));

	h_slow_reader(p, 65536, 2);
	cr_assert(h_wait_bytes(p, wantlen / 2, 120), "%s", h_context(p));
	h_slow_reader(p, 0, 0);
	H_ASSERT_EXIT_WITHIN(p, 0, 120);
	cr_assert_eq(p->out.len, wantlen, "got %zu bytes, expected %zu",
	    p->out.len, wantlen);
	cr_assert(memcmp(p->out.data, want, wantlen) == 0,
	    "output differs from what blast wrote");
}

Test(raw, needs_exactly_one_child)
{
	struct h_proc *p = H_START(NULL, "--raw", "a=true", "b=true");

	H_ASSERT_EXIT(p, 125);
	cr_assert(strstr(p->err.data, "--raw needs exactly one child") != NULL,
	    "%s", h_context(p));
	cr_assert_eq(p->err.lines, 1, "%s", h_context(p));
}

Test(raw, exit_status_is_the_childs)
{
	struct h_proc *p = H_START(NULL, "--raw", "x=exit 7");
	struct h_proc *q = H_START(NULL, "--raw", "x=kill -TERM $$");

	H_ASSERT_EXIT(p, 7);
	H_ASSERT_EXIT(q, 128 + SIGTERM);
}

/* `printf 'a\nb\n' | ptyplex --raw 'x=cat'` ends: EOF becomes VEOF. */
Test(raw, piped_stdin_ends_with_eof)
{
	struct h_opts o = { .in = H_STDIN_PIPE };
	struct h_proc *p = H_START(&o, "-q", "--raw", "x=cat");

	h_send(p, "a\nb\n");
	h_close_stdin(p);
	H_ASSERT_EXIT(p, 0);
	/* The pty echoes each line, as a terminal does, and cat repeats it. */
	cr_assert(h_wait_count(p, H_OUT, "a\r\n", 2, 0), "%s", h_context(p));
	cr_assert(h_wait_count(p, H_OUT, "b\r\n", 2, 0), "%s", h_context(p));
	cr_assert_eq(p->out.len, 12, "%s", h_context(p));
}

/* An unfinished last line needs two EOF characters: one hands the line
 * over, the next is the end. */
Test(raw, piped_stdin_without_final_newline)
{
	struct h_opts o = { .in = H_STDIN_PIPE };
	struct h_proc *p = H_START(&o, "-q", "--raw",
	    "x=cat; echo; echo done");

	h_send(p, "abc");
	h_close_stdin(p);
	H_ASSERT_EXIT(p, 0);
	cr_assert(h_wait_count(p, H_OUT, "abc", 2, 0), "%s", h_context(p));
	cr_assert(strstr(p->out.data, "done\r\n") != NULL, "%s", h_context(p));
}

Test(raw, dev_null_stdin_is_eof_at_once)
{
	struct h_proc *p = H_START(NULL, "--raw", "x=cat; echo after-eof");

	H_ASSERT_OUT(p, "after-eof\r\n");
	H_ASSERT_EXIT(p, 0);
}

/* Without a terminal the pty has the kernel's modes, echo on. */
Test(raw, pipe_stdin_child_has_echo)
{
	struct h_proc *p = H_START(NULL, "--raw", "x=stty -a");

	H_ASSERT_EXIT(p, 0);
	cr_assert(strstr(p->out.data, " echo ") != NULL &&
	    strstr(p->out.data, "-echo ") == NULL, "%s", h_context(p));
	cr_assert(strstr(p->out.data, " icanon ") != NULL, "%s",
	    h_context(p));
}

/* Ctrl-C is a byte for the child's line discipline, which makes it the
 * child's SIGINT; ptyplex itself is not interrupted. */
Test(raw, ctrl_c_reaches_the_child)
{
	struct tty_opts o = { .stderr_pipe = 1 };
	struct tty_proc *t = TTY_START(&o, PTYPLEX_BIN, "--raw",
	    "x=trap 'echo got-INT; exit 7' INT; echo ready; "
	    "while :; do sleep 0.1; done");
	struct termios now;

	TTY_ASSERT_OUT(t, "ready\r\n");
	tty_modes(t, &now);
	cr_assert(!(now.c_lflag & (ICANON | ECHO | ISIG)),
	    "the terminal is not in raw mode while attached");
	tty_puts(t, "\003");
	TTY_ASSERT_OUT(t, "got-INT\r\n");
	TTY_ASSERT_EXIT(t, 7);
	tty_modes(t, &now);
	cr_assert(tty_same_modes(&now, &t->initial),
	    "the terminal's modes were not restored");
	cr_assert(!(fcntl(t->slave, F_GETFL) & O_NONBLOCK),
	    "the terminal was left nonblocking");
}

/* Every byte goes through: escape sequences, \r (no ICRNL) and DEL. */
Test(raw, keys_pass_untouched)
{
	struct tty_proc *t = TTY_START(NULL, PTYPLEX_BIN, "-q", "--raw",
	    "x=stty raw -echo; echo ready; head -c 6 | od -An -tx1");

	TTY_ASSERT_OUT(t, "ready");
	tty_puts(t, "\033[A\r\177\003");
	TTY_ASSERT_OUT(t, "1b 5b 41 0d 7f 03");
	TTY_ASSERT_EXIT(t, 0);
}

/* The child's pty starts with the modes of our terminal, echo on. */
Test(raw, child_gets_the_terminals_modes)
{
	struct termios m;
	struct tty_opts o = { .modes = &m };
	struct tty_proc *t;
	int fd_m, fd_s;

	cr_assert(openpty(&fd_m, &fd_s, NULL, NULL, NULL) == 0);
	tcgetattr(fd_s, &m);
	close(fd_m);
	close(fd_s);
	m.c_cc[VERASE] = 0x08;
	m.c_cc[VKILL] = 0x0b;
	t = TTY_START(&o, PTYPLEX_BIN, "-q", "--raw", "x=stty -a");
	TTY_ASSERT_EXIT(t, 0);
	cr_assert(strstr(t->out.data, "erase = ^H;") != NULL, "%s",
	    tty_context(t));
	cr_assert(strstr(t->out.data, "kill = ^K;") != NULL, "%s",
	    tty_context(t));
	cr_assert(strstr(t->out.data, " echo ") != NULL, "%s",
	    tty_context(t));
}

/* The first size is the terminal's; a resize follows (SIGWINCH). */
Test(raw, window_size_follows_the_terminal)
{
	struct tty_opts o = { .cols = 90, .rows = 20 };
	struct tty_proc *t = TTY_START(&o, PTYPLEX_BIN, "-q", "--raw",
	    "x=stty size; while read l; do stty size; done");
	double deadline;
	size_t from;
	int seen = 0;

	TTY_ASSERT_OUT(t, "20 90\r\n");
	tty_resize(t, 123, 41);
	/* The resize and the key race; ask again until the size shows. */
	deadline = h_now() + H_TIMEOUT;
	while (!seen && h_now() < deadline) {
		from = t->out.len;
		tty_puts(t, "\r");
		seen = tty_wait_from(t, from, "41 123\r\n", 1);
	}
	cr_assert(seen, "the child never saw the new size\n%s",
	    tty_context(t));
	tty_puts(t, "\004");
	TTY_ASSERT_EXIT(t, 0);
}

/* SIGTERM and SIGHUP to ptyplex: the child goes, the terminal is back. */
static void
raw_signal_restores(int sig)
{
	struct tty_opts o = { .stderr_pipe = 1 };
	struct tty_proc *t = TTY_START(&o, PTYPLEX_BIN, "--raw",
	    "x=echo ready; exec sleep 1000");
	struct termios now;

	TTY_ASSERT_OUT(t, "ready\r\n");
	tty_modes(t, &now);
	cr_assert(!(now.c_lflag & ICANON), "not in raw mode");
	kill(t->pid, sig);
	TTY_ASSERT_EXIT(t, 128 + sig);
	tty_modes(t, &now);
	cr_assert(tty_same_modes(&now, &t->initial),
	    "the terminal's modes were not restored after signal %d", sig);
	cr_assert(!(fcntl(t->slave, F_GETFL) & O_NONBLOCK),
	    "the terminal was left nonblocking");
}

Test(raw, modes_restored_after_sigterm)
{
	raw_signal_restores(SIGTERM);
}

Test(raw, modes_restored_after_sighup)
{
	raw_signal_restores(SIGHUP);
}

/* Lifecycle notices stay readable on a raw terminal: "\r\n" endings. */
Test(raw, notices_on_the_terminal_end_with_crlf)
{
	struct tty_proc *t = TTY_START(NULL, PTYPLEX_BIN, "--raw",
	    "x=echo ready; read l; exit 3");

	TTY_ASSERT_OUT(t, "ready\r\n");
	tty_puts(t, "\r");
	TTY_ASSERT_EXIT(t, 3);
	cr_assert(strstr(t->out.data, "ptyplex: x exited with status 3\r\n")
	    != NULL, "%s", tty_context(t));
}
