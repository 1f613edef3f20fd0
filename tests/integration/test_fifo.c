/*
 * Input FIFOs: --fifo NAME=PATH and --fifo-dir DIR, against the real
 * binary: creation and permissions, writer after writer, exact bytes,
 * bounded memory and no spinning.
 */
#include "inject.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>

TestSuite(fifo, .init = h_setup, .fini = h_teardown, .timeout = 300);

/* A child whose pty is raw and whose input lands in path, byte for byte:
 * what the FIFO delivered, with no line discipline in the way. */
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
	cr_assert_eq(memcmp(got, want, len), 0, "%s holds %s, expected %s",
	    path, h_show(got, got_len, 200), h_show(want, len, 200));
}

/* The demo of DESIGN.md, driven through FIFOs ptyplex creates. */
Test(fifo, demo_two_children_driven_through_fifos)
{
	const char *a = h_path("a.in"), *b = h_path("b.in");
	struct h_proc *p = H_START(NULL, "--fifo", h_fmt("A=%s", a),
	    "--fifo", h_fmt("B=%s", b),
	    h_fmt("A=exec %s 'proc A'", HELPER("echoer")),
	    h_fmt("B=exec %s 'proc B'", HELPER("echoer")));
	struct stat st;

	H_ASSERT_OUT(p, "A: what should proc A say?\n");
	H_ASSERT_OUT(p, "B: what should proc B say?\n");
	inj_write_fifo_str(a, "hi there\n");
	H_ASSERT_OUT(p, "A: Proc A says, \"hi there\"\n");
	cr_assert(h_wait_count(p, H_OUT, "A: what should proc A say?\n", 2,
	    H_TIMEOUT), "A did not ask again\n%s", h_context(p));
	inj_write_fifo_str(b, "and you\n");
	H_ASSERT_OUT(p, "B: Proc B says, \"and you\"\n");
	cr_assert_null(strstr(p->out.data, "B: Proc B says, \"hi there\""),
	    "A's input reached B\n%s", h_context(p));
	inj_write_fifo_str(a, "quit\n");
	H_ASSERT_EXIT(p, 0);
	cr_assert_eq(lstat(a, &st), -1, "%s was left behind", a);
	cr_assert_eq(lstat(b, &st), -1, "%s was left behind", b);
}

Test(fifo, created_fifo_is_0600_whatever_the_umask)
{
	const char *a = h_path("a.in");
	struct h_proc *p;
	mode_t old = umask(0);
	struct stat st;

	p = H_START(NULL, "--fifo", h_fmt("A=%s", a),
	    h_fmt("A=exec %s a", HELPER("echoer")));
	umask(old);
	H_ASSERT_OUT(p, "A: what should a say?\n");
	cr_assert_eq(lstat(a, &st), 0);
	cr_assert(S_ISFIFO(st.st_mode));
	cr_assert_eq(st.st_mode & 07777, 0600, "mode %o", st.st_mode & 07777);
	cr_assert_eq(st.st_uid, geteuid());
}

/* An existing FIFO is used, keeps its mode, and stays after the end. */
Test(fifo, existing_fifo_is_used_and_left_in_place)
{
	const char *a = h_path("a.in");
	struct h_proc *p;
	struct stat st;

	cr_assert_eq(mkfifo(a, 0620), 0);
	chmod(a, 0620);
	p = H_START(NULL, "--fifo", h_fmt("A=%s", a),
	    h_fmt("A=exec %s a", HELPER("echoer")));
	H_ASSERT_OUT(p, "A: what should a say?\n");
	inj_write_fifo_str(a, "quit\n");
	H_ASSERT_EXIT(p, 0);
	cr_assert_eq(lstat(a, &st), 0, "the user's FIFO was removed");
	cr_assert(S_ISFIFO(st.st_mode));
	cr_assert_eq(st.st_mode & 07777, 0620);
}

Test(fifo, existing_regular_file_is_refused_and_untouched)
{
	const char *a = h_path("a.in"), *started = h_path("started");
	struct h_proc *p;
	size_t len;

	h_write_file(a, "precious\n");
	p = H_START(NULL, "--fifo", h_fmt("A=%s", a),
	    h_fmt("A=touch %s", started));
	H_ASSERT_EXIT(p, 125);
	cr_assert_not_null(strstr(p->err.data, a), "%s", h_context(p));
	cr_assert_not_null(strstr(p->err.data, "not a FIFO"), "%s",
	    h_context(p));
	cr_assert_str_eq(h_read_file(a, &len), "precious\n");
	cr_assert_null(h_read_file(started, &len), "a child started");
}

/* A symbolic link is never followed: not to make a FIFO at its target,
 * not to open an existing FIFO through it. */
Test(fifo, symbolic_links_are_refused)
{
	const char *link = h_path("a.in"), *target = h_path("target");
	const char *fifo = h_path("real.fifo"), *link2 = h_path("b.in");
	struct h_proc *p;
	struct stat st;

	cr_assert_eq(symlink(target, link), 0);
	p = H_START(NULL, "--fifo", h_fmt("A=%s", link),
	    h_fmt("A=exec %s a", HELPER("echoer")));
	H_ASSERT_EXIT(p, 125);
	cr_assert_eq(lstat(target, &st), -1, "a file appeared at the target");

	cr_assert_eq(mkfifo(fifo, 0600), 0);
	cr_assert_eq(symlink(fifo, link2), 0);
	p = H_START(NULL, "--fifo", h_fmt("A=%s", link2),
	    h_fmt("A=exec %s a", HELPER("echoer")));
	H_ASSERT_EXIT(p, 125);
	cr_assert_not_null(strstr(p->err.data, link2), "%s", h_context(p));
}

Test(fifo, fifo_for_an_unknown_child_is_a_usage_error)
{
	struct h_proc *p = H_START(NULL, "--fifo",
	    h_fmt("B=%s", h_path("b.in")), "A=true");

	H_ASSERT_EXIT(p, 125);
	cr_assert_not_null(strstr(p->err.data, "no child named 'B'"), "%s",
	    h_context(p));
	p = H_START(NULL, "--fifo", "A", "A=true");
	H_ASSERT_EXIT(p, 125);
	cr_assert_not_null(strstr(p->err.data, "--fifo"), "%s", h_context(p));
}

/*
 * After a writer closes, the next one works, again and again, and the
 * session does not spin in between (a reader left at EOF on a FIFO with no
 * writer is woken without end).
 */
Test(fifo, three_successive_writers_and_no_spin_between_them)
{
	const char *a = h_path("a.in");
	struct h_proc *p = H_START(NULL, "--fifo", h_fmt("A=%s", a),
	    h_fmt("A=exec %s a", HELPER("echoer")));
	long ticks;
	int i;

	H_ASSERT_OUT(p, "A: what should a say?\n");
	for (i = 1; i <= 3; i++) {
		inj_write_fifo_str(a, h_fmt("writer %d\n", i));
		H_ASSERT_OUT(p, h_fmt("A: A says, \"writer %d\"\n", i));
		ticks = inj_idle_ticks(p, 1.0);
		cr_assert_leq(ticks, 10, "ptyplex used %ld ticks of CPU in an "
		    "idle second after writer %d closed", ticks, i);
	}
	inj_write_fifo_str(a, "quit\n");
	H_ASSERT_EXIT(p, 0);
}

/* Partial writes, writes without a newline, and every byte value arrive
 * exactly: nothing added between writers, nothing dropped. */
Test(fifo, bytes_of_every_writer_arrive_exactly)
{
	const char *a = h_path("a.in"), *out = h_path("out");
	struct h_proc *p = H_START(NULL, "--fifo", h_fmt("A=%s", a),
	    raw_sink(out));
	char want[512], all[256];
	size_t len = 0;
	int fd, i;

	H_ASSERT_OUT(p, "A: ready\n");
	for (i = 0; i < 256; i++)
		all[i] = (char)i;
	inj_write_fifo_str(a, "abc");
	memcpy(want + len, "abc", 3);
	len += 3;
	assert_file_is(out, want, len);
	inj_write_fifo_str(a, "def");
	memcpy(want + len, "def", 3);
	len += 3;
	assert_file_is(out, want, len);

	/* One writer, two writes, the first arriving before the second. */
	fd = open(a, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	cr_assert_neq(fd, -1);
	cr_assert_eq(inj_write_fd(fd, "par", 3, H_TIMEOUT), 3);
	memcpy(want + len, "par", 3);
	len += 3;
	assert_file_is(out, want, len);
	cr_assert_eq(inj_write_fd(fd, "tial\n", 5, H_TIMEOUT), 5);
	close(fd);
	memcpy(want + len, "tial\n", 5);
	len += 5;
	assert_file_is(out, want, len);

	inj_write_fifo(a, all, sizeof all);
	memcpy(want + len, all, sizeof all);
	len += sizeof all;
	assert_file_is(out, want, len);
}

/*
 * A megabyte without a newline: the kernel keeps 4095 bytes of an
 * unfinished line and drops the rest; ptyplex must neither block nor
 * grow, and the next line must still get through.
 */
Test(fifo, a_megabyte_without_newline_keeps_memory_bounded)
{
	const char *a = h_path("a.in");
	struct h_proc *p = H_START(NULL, "--fifo", h_fmt("A=%s", a),
	    h_fmt("A=exec %s a", HELPER("echoer")));
	size_t size = 1 << 20;
	char *big = malloc(size);
	long before, after;

	cr_assert_not_null(big);
	memset(big, 'x', size);
	H_ASSERT_OUT(p, "A: what should a say?\n");
	before = h_proc_kb(p->pid, "VmHWM");
	inj_write_fifo(a, big, size);
	inj_write_fifo_str(a, "\n");
	inj_write_fifo_str(a, "after\n");
	H_ASSERT_OUT(p, "A: A says, \"after\"\n");
	after = h_proc_kb(p->pid, "VmHWM");
	cr_assert_lt(after - before, 16 * 1024, "peak memory grew from %ld "
	    "to %ld kB", before, after);
	free(big);
	inj_write_fifo_str(a, "quit\n");
	H_ASSERT_EXIT(p, 0);
}

/*
 * A child that never reads: its writers block (the FIFO fills up) rather
 * than ptyplex buffering without end, and the session stays responsive
 * and idle.
 */
Test(fifo, a_child_that_stops_reading_blocks_its_writers)
{
	const char *a = h_path("a.in");
	struct h_proc *p = H_START(NULL, "-s", "blocked", "--fifo",
	    h_fmt("A=%s", a), "--fifo", h_fmt("B=%s", h_path("b.in")),
	    "A=echo up && exec sleep 300",
	    h_fmt("B=exec %s b", HELPER("echoer")));
	size_t chunk = 1 << 20, total = 0, n;
	char *lines = malloc(chunk);
	struct h_proc *c;
	long ticks;
	int fd;

	cr_assert_not_null(lines);
	memset(lines, 'y', chunk);
	for (n = 99; n < chunk; n += 100)
		lines[n] = '\n';
	H_ASSERT_OUT(p, "A: up\n");
	H_ASSERT_OUT(p, "B: what should b say?\n");
	fd = open(a, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	cr_assert_neq(fd, -1);
	/* Write until nothing more goes in for two seconds. */
	while ((n = inj_write_fd(fd, lines, chunk, 2.0)) == chunk) {
		total += n;
		cr_assert_lt(total, 64u << 20, "64 MB went into a child that "
		    "never reads");
	}
	total += n;
	cr_assert_lt(total, 4u << 20, "%zu bytes went in before the writer "
	    "blocked", total);
	ticks = inj_idle_ticks(p, 1.0);
	cr_assert_leq(ticks, 10, "ptyplex used %ld ticks while blocked",
	    ticks);
	cr_assert_lt(h_proc_kb(p->pid, "VmRSS"), 64 * 1024, "%s",
	    h_context(p));

	/* The other child and the control socket still work. */
	inj_write_fifo_str(h_path("b.in"), "still here\n");
	H_ASSERT_OUT(p, "B: B says, \"still here\"\n");
	c = H_START(NULL, "list", "-s", "blocked");
	H_ASSERT_EXIT(c, 0);
	cr_assert_not_null(strstr(c->out.data, "A "), "%s", h_context(c));
	close(fd);
	free(lines);
}

Test(fifo, fifo_dir_gives_every_child_a_fifo)
{
	const char *dir = h_path("fifos");
	const char *a = h_fmt("%s/A.in", dir), *b = h_fmt("%s/B.in", dir);
	struct h_proc *p = H_START(NULL, "--fifo-dir", dir,
	    h_fmt("A=exec %s a", HELPER("echoer")),
	    h_fmt("B=exec %s b", HELPER("echoer")));
	struct stat st;

	H_ASSERT_OUT(p, "A: what should a say?\n");
	H_ASSERT_OUT(p, "B: what should b say?\n");
	cr_assert_eq(lstat(dir, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0700, "mode %o", st.st_mode & 0777);
	inj_write_fifo_str(b, "to b\n");
	H_ASSERT_OUT(p, "B: B says, \"to b\"\n");
	inj_write_fifo_str(a, "to a\n");
	H_ASSERT_OUT(p, "A: A says, \"to a\"\n");
	inj_write_fifo_str(a, "quit\n");
	H_ASSERT_EXIT(p, 0);
	cr_assert_eq(lstat(a, &st), -1, "%s was left behind", a);
	cr_assert_eq(lstat(b, &st), -1, "%s was left behind", b);
	cr_assert_eq(lstat(dir, &st), -1, "%s, made by ptyplex, was left "
	    "behind", dir);
}

/* A --fifo-dir that was there before stays, with what else it holds. */
Test(fifo, fifo_dir_that_existed_stays)
{
	const char *dir = h_path("mine"), *keep = h_fmt("%s/notes", dir);
	struct h_proc *p;
	struct stat st;

	cr_assert_eq(mkdir(dir, 0700), 0);
	h_write_file(keep, "kept\n");
	p = H_START(NULL, "--fifo-dir", dir, "A=echo hi");
	H_ASSERT_EXIT(p, 0);
	cr_assert_eq(lstat(h_fmt("%s/A.in", dir), &st), -1);
	cr_assert_eq(lstat(keep, &st), 0, "%s is gone", keep);

	/* Made by ptyplex, but something else was put in it: it stays. */
	dir = h_path("made");
	p = H_START(NULL, "--fifo-dir", dir, h_fmt("A=touch %s/x",
	    dir));
	H_ASSERT_EXIT(p, 0);
	cr_assert_eq(lstat(h_fmt("%s/x", dir), &st), 0);
}

/* Created FIFOs go however the session ends: here by SIGTERM. */
Test(fifo, created_fifos_are_removed_when_ptyplex_is_terminated)
{
	const char *a = h_path("a.in");
	struct h_proc *p = H_START(NULL, "--fifo", h_fmt("A=%s", a),
	    h_fmt("A=exec %s a", HELPER("echoer")));
	struct stat st;

	H_ASSERT_OUT(p, "A: what should a say?\n");
	cr_assert_eq(lstat(a, &st), 0);
	kill(p->pid, SIGTERM);
	H_ASSERT_EXIT(p, 128 + SIGTERM);
	cr_assert_eq(lstat(a, &st), -1, "%s was left behind", a);
}

/* A prompt waiting for its newline is shown before the input it asked
 * for, so the two never share a line. --flush-ms is huge so that only the
 * input can show the prompt; the transcript tells when ptyplex has read
 * the prompt. */
Test(fifo, pending_prompt_is_shown_before_fifo_input)
{
	const char *a = h_path("a.in"), *logs = h_path("logs");
	struct h_proc *p;

	cr_assert_eq(mkdir(logs, 0700), 0);
	p = H_START(NULL, "--flush-ms", "600000", "--log-dir", logs,
	    "--fifo", h_fmt("A=%s", a), h_fmt("A=exec %s", HELPER("prompt")));
	cr_assert(h_wait_file_contains(h_fmt("%s/A.log", logs), "name? ",
	    H_TIMEOUT), "the prompt never reached the transcript\n%s",
	    h_context(p));
	inj_write_fifo_str(a, "bob\n");
	H_ASSERT_OUT(p, "A: hello bob\n");
	inj_write_fifo_str(a, "bye\n");
	H_ASSERT_EXIT(p, 0);
	cr_assert_str_eq(p->out.data, "A: name? \nA: hello bob\nA: name? \n",
	    "%s", h_context(p));
}

/* Children inherit neither FIFO descriptor nor the control socket. */
Test(fifo, children_inherit_no_fifo_descriptor)
{
	const char *a = h_path("a.in");
	struct h_proc *p = H_START(NULL, "--fifo", h_fmt("A=%s", a),
	    "--fifo-dir", h_path("fifos"),
	    h_fmt("A=exec %s -w", HELPER("isatty_report")));

	H_ASSERT_OUT(p, "A: done\n");
	inj_write_fifo_str(a, "bye\n");
	H_ASSERT_EXIT(p, 0);
	cr_assert_str_eq(h_report(p, "A", "fds"), "none", "%s",
	    h_context(p));
}
