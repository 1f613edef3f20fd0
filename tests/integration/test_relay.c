/*
 * Relay: children's pty output to ptyplex's stdout, line by line, and
 * ptyplex's stdin routed to the children.
 */
#include "harness.h"

#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

/* One timeout for the whole suite, long enough for the floods: a per-test
 * .timeout makes Criterion 2.4's runner leak (LeakSanitizer then fails the
 * run) when tests run in parallel. */
TestSuite(relay, .init = h_setup, .fini = h_teardown, .timeout = 500);

/* Every stdout line is one of names' whole lines: "NAME: ...". */
static void
assert_lines_prefixed(const struct h_proc *p, const char *const *names)
{
	struct h_lines l = h_split(p->out.data, p->out.len);
	size_t i, j;

	for (i = 0; i < l.n; i++) {
		int ok = 0;

		for (j = 0; names[j] != NULL; j++) {
			size_t n = strlen(names[j]);

			if (strncmp(l.v[i], names[j], n) == 0 &&
			    strncmp(l.v[i] + n, ": ", 2) == 0)
				ok = 1;
		}
		cr_assert(ok, "line %zu has no child's prefix: %s\n%s", i + 1,
		    h_show(l.v[i], l.len[i], 200), h_context(p));
	}
}

/* The demo of DESIGN.md, with input routed from stdin instead of FIFOs. */
Test(relay, demo_two_children_driven_through_stdin_routes)
{
	struct h_opts o = { .in = H_STDIN_PIPE };
	struct h_proc *p = H_START(&o,
	    h_fmt("A=exec %s 'proc A'", HELPER("echoer")),
	    h_fmt("B=exec %s 'proc B'", HELPER("echoer")));

	H_ASSERT_OUT(p, "A: what should proc A say?\n");
	H_ASSERT_OUT(p, "B: what should proc B say?\n");
	cr_assert_eq(h_send(p, "A: hi there\n"), 0);
	H_ASSERT_OUT(p, "A: Proc A says, \"hi there\"\n");
	cr_assert(h_wait_count(p, H_OUT, "A: what should proc A say?\n", 2,
	    H_TIMEOUT), "A did not ask again\n%s", h_context(p));
	cr_assert_eq(h_send(p, "B: and you\n"), 0);
	H_ASSERT_OUT(p, "B: Proc B says, \"and you\"\n");
	cr_assert_null(strstr(p->out.data, "B: Proc B says, \"hi there\""),
	    "A's input reached B\n%s", h_context(p));
	cr_assert_eq(h_send(p, "A: quit\n"), 0);
	H_ASSERT_EXIT(p, 0);
	assert_lines_prefixed(p, (const char *const[]){ "A", "B", NULL });
}

Test(relay, unrouted_lines_go_to_the_first_child)
{
	struct h_opts o = { .in = H_STDIN_PIPE };
	struct h_proc *p = H_START(&o,
	    h_fmt("A=exec %s a", HELPER("echoer")),
	    h_fmt("B=exec %s b", HELPER("echoer")));

	H_ASSERT_OUT(p, "B: what should b say?\n");
	cr_assert_eq(h_send(p, "no route here\n"), 0);
	H_ASSERT_OUT(p, "A: A says, \"no route here\"\n");
	cr_assert_eq(h_send(p, "A: quit\n"), 0);
	H_ASSERT_EXIT(p, 0);
	cr_assert_null(strstr(p->out.data, "B: B says"),
	    "an unrouted line reached B\n%s", h_context(p));
}

Test(relay, unrouted_lines_go_to_the_input_child)
{
	struct h_opts o = { .in = H_STDIN_PIPE };
	struct h_proc *p = H_START(&o, "--input", "B",
	    h_fmt("A=exec %s a", HELPER("echoer")),
	    h_fmt("B=exec %s b", HELPER("echoer")));

	H_ASSERT_OUT(p, "A: what should a say?\n");
	cr_assert_eq(h_send(p, "for the default\n"), 0);
	H_ASSERT_OUT(p, "B: B says, \"for the default\"\n");
	cr_assert_eq(h_send(p, "A: routed\n"), 0);
	H_ASSERT_OUT(p, "A: A says, \"routed\"\n");
	cr_assert_eq(h_send(p, "B: quit\n"), 0);
	H_ASSERT_EXIT(p, 0);
	cr_assert_null(strstr(p->out.data, "A: A says, \"for the default\""),
	    "the unrouted line went to A despite --input B\n%s",
	    h_context(p));
}

/* The route is "NAME: text": without the space it is an ordinary line. */
Test(relay, a_route_needs_the_space_after_the_colon)
{
	struct h_opts o = { .in = H_STDIN_PIPE };
	struct h_proc *p = H_START(&o,
	    h_fmt("A=exec %s a", HELPER("echoer")),
	    h_fmt("B=exec %s b", HELPER("echoer")));

	H_ASSERT_OUT(p, "B: what should b say?\n");
	cr_assert_eq(h_send(p, "B:no space\n"), 0);
	H_ASSERT_OUT_RE(p, "^(A: A|B: B) says");
	cr_assert_null(strstr(p->out.data, "B: B says"),
	    "\"B:no space\" was routed to B\n%s", h_context(p));
	H_ASSERT_OUT(p, "A: A says, \"B:no space\"\n");
	cr_assert_eq(h_send(p, "A: quit\n"), 0);
	H_ASSERT_EXIT(p, 0);
}

/* A "NAME: " route naming no child is an ordinary line: it goes whole to
 * the default child rather than being dropped. */
Test(relay, a_route_to_an_unknown_name_goes_whole_to_the_default_child)
{
	struct h_opts o = { .in = H_STDIN_PIPE };
	struct h_proc *p = H_START(&o,
	    h_fmt("A=exec %s a", HELPER("echoer")));

	H_ASSERT_OUT(p, "A: what should a say?\n");
	cr_assert_eq(h_send(p, "Z: who is Z\n"), 0);
	H_ASSERT_OUT(p, "A: A says, \"Z: who is Z\"\n");
	cr_assert_eq(h_send(p, "A: quit\n"), 0);
	H_ASSERT_EXIT(p, 0);
}

/* Stdin routing must not care whether stdin is a pipe or a terminal. */
Test(relay, stdin_on_a_terminal_is_routed_too)
{
	struct h_opts o = { .in = H_STDIN_PTY };
	struct h_proc *p = H_START(&o,
	    h_fmt("A=exec %s a", HELPER("echoer")),
	    h_fmt("B=exec %s b", HELPER("echoer")));

	H_ASSERT_OUT(p, "B: what should b say?\n");
	cr_assert_eq(h_send(p, "B: over the tty\n"), 0);
	H_ASSERT_OUT(p, "B: B says, \"over the tty\"\n");
	cr_assert_eq(h_send(p, "A: quit\n"), 0);
	H_ASSERT_EXIT(p, 0);
}

/* The reason ptyplex exists: a Python child using plain print() shows
 * each line at once, because its stdout is a terminal. On a pipe (with
 * PYTHONUNBUFFERED unset) nothing would show until it exits. */
Test(relay, python_print_is_line_buffered_on_the_pty)
{
	struct h_opts o = { .in = H_STDIN_PIPE,
	    .env = { "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE=1" } };
	const char *script = h_path("proc_a.py");
	struct h_proc *p;

	if (system("command -v python3 >/dev/null 2>&1") != 0)
		cr_skip_test("python3 is not installed");
	h_write_file(script,
	    "import sys\n"
	    "while True:\n"
	    "    print('what should proc A say?')\n"
	    "    line = sys.stdin.readline()\n"
	    "    if not line or line.strip() == 'quit':\n"
	    "        break\n"
	    "    print('Proc A says, \"%s\"' % line.rstrip('\\n'))\n");
	p = H_START(&o, h_fmt("A=exec python3 %s", script));
	H_ASSERT_OUT(p, "A: what should proc A say?\n");
	cr_assert_eq(h_send(p, "A: hi there\n"), 0);
	H_ASSERT_OUT(p, "A: Proc A says, \"hi there\"\n");
	cr_assert_eq(h_send(p, "A: quit\n"), 0);
	H_ASSERT_EXIT(p, 0);
}

/* Interleaving: four children flooding at once must never share a line,
 * lose one or reorder one child's lines. */
Test(relay, four_children_of_20000_lines_are_never_mixed)
{
	static const char *const names[] = { "A", "B", "C", "D" };
	const long count = 20000;
	long next[4] = { 1, 1, 1, 1 };
	char expected[256];
	struct h_proc *p;
	struct h_lines l;
	size_t i;
	int k, n;

	p = H_START(NULL, "--wait-all",
	    h_fmt("A=exec %s A %ld 60", HELPER("numbered_lines"), count),
	    h_fmt("B=exec %s B %ld 60", HELPER("numbered_lines"), count),
	    h_fmt("C=exec %s C %ld 60", HELPER("numbered_lines"), count),
	    h_fmt("D=exec %s D %ld 60", HELPER("numbered_lines"), count));
	H_ASSERT_EXIT_WITHIN(p, 0, 300);
	l = h_split(p->out.data, p->out.len);
	cr_assert_eq(l.n, (size_t)(4 * count), "%zu lines, expected %ld\n%s",
	    l.n, 4 * count, h_context(p));
	for (i = 0; i < l.n; i++) {
		for (k = 0; k < 4; k++) {
			if (l.v[i][0] == names[k][0] && l.v[i][1] == ':')
				break;
		}
		cr_assert(k < 4, "line %zu has no child's prefix: %s", i + 1,
		    h_show(l.v[i], l.len[i], 200));
		n = snprintf(expected, sizeof expected, "%s: %s %ld ",
		    names[k], names[k], next[k]);
		memset(expected + n, 'a' + (int)(next[k] % 26), 60);
		expected[n + 60] = '\0';
		cr_assert_str_eq(l.v[i], expected,
		    "line %zu is wrong (expected %s's line %ld)", i + 1,
		    names[k], next[k]);
		next[k]++;
	}
	for (k = 0; k < 4; k++)
		cr_assert_eq(next[k], count + 1, "%s: %ld lines", names[k],
		    next[k] - 1);
}

/* No byte lost at exit: a child that writes 5 MB and exits at once leaves
 * most of it in the pty; ptyplex must drain the master until EIO after
 * reaping the child. 5,000,037 bytes also ends on a partial line. */
Test(relay, every_byte_of_5mb_written_just_before_exit_is_shown)
{
	const size_t total = 5000037;
	const char *want = h_blast_bytes(total);
	struct h_proc *p;
	struct h_lines l;
	size_t i, pos = 0;

	p = H_START(NULL, h_fmt("A=exec %s %zu", HELPER("blast"), total));
	H_ASSERT_EXIT_WITHIN(p, 0, 240);
	l = h_split(p->out.data, p->out.len);
	cr_assert_eq(l.n, total / 100 + 1, "%zu lines, expected %zu\n%s",
	    l.n, total / 100 + 1, h_context(p));
	for (i = 0; i < l.n; i++) {
		size_t n = l.len[i] - 3;

		cr_assert(strncmp(l.v[i], "A: ", 3) == 0,
		    "line %zu has no prefix: %s", i + 1,
		    h_show(l.v[i], l.len[i], 200));
		cr_assert(pos + n <= total && memcmp(l.v[i] + 3, want + pos,
		    n) == 0, "line %zu differs from byte %zu on: %s", i + 1,
		    pos, h_show(l.v[i], l.len[i], 200));
		pos += n;
		if (pos < total) {
			cr_assert_eq(want[pos], '\n', "line %zu was split",
			    i + 1);
			pos++;
		}
	}
	cr_assert_eq(pos, total, "%zu of %zu bytes shown", pos, total);
	cr_assert_eq(p->out.data[p->out.len - 1], '\n');
}

Test(relay, a_last_line_without_newline_is_shown)
{
	struct h_proc *p = H_START(NULL,
	    h_fmt("A=exec %s", HELPER("no_newline")));

	H_ASSERT_EXIT(p, 0);
	cr_assert_str_eq(p->out.data, "A: last line without newline\n",
	    "%s", h_context(p));
}

/* A prompt (a partial line) must show while the child waits for input,
 * or an interactive child looks hung. */
Test(relay, a_prompt_shows_before_any_input_is_sent)
{
	struct h_opts o = { .in = H_STDIN_PIPE };
	struct h_proc *p = H_START(&o, "--flush-ms", "50",
	    h_fmt("A=exec %s", HELPER("prompt")));

	H_ASSERT_OUT(p, "A: name? \n");
	cr_assert_eq(h_send(p, "A: world\n"), 0);
	H_ASSERT_OUT(p, "A: hello world\n");
	cr_assert_eq(h_send(p, "A: bye\n"), 0);
	H_ASSERT_EXIT(p, 0);
	cr_assert_str_eq(p->out.data,
	    "A: name? \nA: hello world\nA: name? \n", "%s", h_context(p));
}

Test(relay, the_default_flush_delay_shows_a_prompt)
{
	struct h_opts o = { .in = H_STDIN_PIPE };
	struct h_proc *p = H_START(&o, h_fmt("A=exec %s", HELPER("prompt")));

	H_ASSERT_OUT(p, "A: name? \n");
	cr_assert_eq(h_send(p, "A: bye\n"), 0);
	H_ASSERT_EXIT(p, 0);
	cr_assert_str_eq(p->out.data, "A: name? \n", "%s", h_context(p));
}

/* Input written to a child flushes its pending partial line first, so a
 * prompt and the answer to it never share a line. --flush-ms is huge so
 * that only the input can show the prompt; the transcript tells when
 * ptyplex has read the prompt. */
Test(relay, input_shows_the_pending_prompt_first)
{
	struct h_opts o = { .in = H_STDIN_PIPE };
	const char *logs = h_path("logs");
	struct h_proc *p;

	cr_assert_eq(mkdir(logs, 0700), 0);
	p = H_START(&o, "--flush-ms", "600000", "--log-dir", logs,
	    h_fmt("A=exec %s", HELPER("prompt")));
	cr_assert(h_wait_file_contains(h_fmt("%s/A.log", logs), "name? ",
	    H_TIMEOUT), "the prompt never reached the transcript\n%s",
	    h_context(p));
	cr_assert_eq(h_send(p, "A: world\n"), 0);
	H_ASSERT_OUT(p, "A: hello world\n");
	cr_assert_eq(h_send(p, "A: bye\n"), 0);
	H_ASSERT_EXIT(p, 0);
	cr_assert_str_eq(p->out.data,
	    "A: name? \nA: hello world\nA: name? \n", "%s", h_context(p));
}

/* A partial line shown after silence is ended with '\n'; what follows
 * comes on a new prefixed line. The child goes on only once the partial
 * has shown, so the test does not depend on timing. */
Test(relay, a_shown_partial_line_continues_on_a_new_prefixed_line)
{
	const char *go = h_path("go");
	struct h_proc *p = H_START(NULL, "--flush-ms", "50",
	    h_fmt("A=exec %s 'abc' @waitfile=%s 'def\\n'", HELPER("emit"),
	    go));

	H_ASSERT_OUT(p, "A: abc\n");
	h_write_file(go, "");
	H_ASSERT_EXIT(p, 0);
	cr_assert_str_eq(p->out.data, "A: abc\nA: def\n", "%s",
	    h_context(p));
}

Test(relay, crlf_becomes_lf_and_a_lone_cr_passes_through)
{
	struct h_proc *p = H_START(NULL, "--color", "never",
	    h_fmt("A=exec %s 'one\\n' 'ab\\rcd\\n' 'two\\n'",
	    HELPER("emit")));

	H_ASSERT_EXIT(p, 0);
	cr_assert_str_eq(p->out.data, "A: one\nA: ab\rcd\nA: two\n", "%s",
	    h_context(p));
}

/* --max-line bounds memory: a longer line is cut into pieces, each shown
 * as a prefixed line. */
Test(relay, lines_longer_than_max_line_are_split)
{
	struct h_proc *p = H_START(NULL, "--max-line", "16",
	    h_fmt("A=exec %s '0123456789abcdefghijklmnopqrstuvwxyzABCD\\n'"
	    " 'short\\n'", HELPER("emit")));

	H_ASSERT_EXIT(p, 0);
	cr_assert_str_eq(p->out.data, "A: 0123456789abcdef\n"
	    "A: ghijklmnopqrstuv\nA: wxyzABCD\nA: short\n", "%s",
	    h_context(p));
}

/* Backpressure: when stdout is slow, ptyplex must stop reading the ptys
 * (the child blocks in write) rather than buffer the flood or drop any of
 * it. The child writes 80 MB; the reader takes the first 8 MB slowly, long
 * enough for an unbounded ptyplex to swallow most of the flood, then the
 * rest at full speed. ASan's quarantine of freed memory is kept small so
 * that VmHWM measures what ptyplex holds, not what ASan delays freeing. */
Test(relay, a_slow_stdout_keeps_memory_bounded_and_loses_no_line)
{
	const size_t total = 80 * 1000 * 1000, nlines = total / 100;
	const char *asan = getenv("ASAN_OPTIONS");
	struct h_opts o = { .in = H_STDIN_PIPE };
	char want[100];
	struct h_proc *p;
	struct h_lines l;
	long hwm;
	size_t i, seen_b = 0;

	o.env[0] = h_fmt("ASAN_OPTIONS=%s%squarantine_size_mb=8",
	    asan != NULL ? asan : "", asan != NULL && *asan ? ":" : "");
	p = H_START(&o, "--exit-with", "B",
	    h_fmt("A=exec %s %zu", HELPER("blast"), total),
	    h_fmt("B=exec %s -w 0", HELPER("exit_with")));
	h_slow_reader(p, 4096, 2);
	cr_assert(h_wait_bytes(p, 8 * 1000 * 1000, 300),
	    "the first 8 MB never came\n%s", h_context(p));
	h_slow_reader(p, 0, 0);
	cr_assert(h_wait_for(p, H_OUT, "A: 000799999 ", 300),
	    "the last line never came\n%s", h_context(p));
	cr_assert(h_wait_lines(p, nlines + 1, H_TIMEOUT),
	    "%zu lines\n%s", p->out.lines, h_context(p));
	hwm = h_proc_kb(p->pid, "VmHWM");
	cr_assert(hwm > 0, "cannot read ptyplex's VmHWM");
	cr_assert_eq(h_send(p, "B: go\n"), 0);
	H_ASSERT_EXIT(p, 0);
	cr_assert_lt(hwm, 64 * 1024, "ptyplex's VmHWM is %ld kB", hwm);

	l = h_split(p->out.data, p->out.len);
	for (i = 0; i < l.n; i++) {
		size_t seq;

		if (strcmp(l.v[i], "B: exit_with 0") == 0) {
			seen_b++;
			continue;
		}
		seq = i - seen_b;
		h_blast_fill(want, seq * 100, 99);
		cr_assert(l.len[i] == 102 && memcmp(l.v[i], "A: ", 3) == 0 &&
		    memcmp(l.v[i] + 3, want, 99) == 0,
		    "line %zu is not A's line %zu: %s", i + 1, seq,
		    h_show(l.v[i], l.len[i], 200));
	}
	cr_assert_eq(seen_b, 1, "B's line shown %zu times", seen_b);
	cr_assert_eq(l.n, nlines + 1, "%zu lines, expected %zu", l.n,
	    nlines + 1);
}

/* Bug: while stdout is backed up ptyplex stops reading the pty, the
 * child's line sits half-read in the framer, and once stdout drains the
 * partial-line timer shows the half as if the child had gone silent: one
 * whole line comes out as two. The slow start of the reader backs stdout
 * up; every line of a child that never pauses must still come out whole. */
Test(relay, a_backed_up_stdout_never_splits_a_line)
{
	const long count = 200000;
	char expected[128];
	struct h_proc *p;
	struct h_lines l;
	long i;
	int n;

	p = H_START(NULL,
	    h_fmt("A=exec %s A %ld 60", HELPER("numbered_lines"), count));
	h_slow_reader(p, 4096, 2);
	cr_assert(h_wait_bytes(p, 8 * 1000 * 1000, 300),
	    "the first 8 MB never came\n%s", h_context(p));
	h_slow_reader(p, 0, 0);
	H_ASSERT_EXIT_WITHIN(p, 0, 300);
	l = h_split(p->out.data, p->out.len);
	for (i = 0; i < (long)l.n && i < count; i++) {
		n = snprintf(expected, sizeof expected, "A: A %ld ", i + 1);
		memset(expected + n, 'a' + (int)((i + 1) % 26), 60);
		expected[n + 60] = '\0';
		cr_assert_str_eq(l.v[i], expected, "line %ld is not whole: %s",
		    i + 1, h_show(l.v[i], l.len[i], 200));
	}
	cr_assert_eq(l.n, (size_t)count, "%zu lines, expected %ld", l.n,
	    count);
}

/* --no-stdin: ptyplex must leave its stdin alone. The bytes written to
 * it are still in the pipe when the session is over. */
Test(relay, no_stdin_leaves_stdin_unread)
{
	struct h_opts o = { .in = H_STDIN_PIPE };
	struct h_proc *p = H_START(&o, "--no-stdin",
	    h_fmt("A=exec %s a", HELPER("echoer")),
	    h_fmt("B=exec %s -d 500 0", HELPER("exit_with")));
	int unread = -1;

	cr_assert_eq(h_send(p, "A: hello\n"), 0);
	H_ASSERT_EXIT(p, 0);
	cr_assert_eq(ioctl(p->in_fd, FIONREAD, &unread), 0);
	cr_assert_eq(unread, 9, "ptyplex read %d bytes of its stdin",
	    9 - unread);
	cr_assert_null(strstr(p->out.data, "says"), "%s", h_context(p));
}

/* Stdin at EOF (/dev/null, as in CI) closes the stdin route only; the
 * session goes on until the exit policy ends it. */
Test(relay, stdin_at_eof_does_not_end_the_session)
{
	const char *go = h_path("go");
	struct h_proc *p = H_START(NULL,
	    h_fmt("A=exec %s 'one\\n' @waitfile=%s 'two\\n' @exit=3",
	    HELPER("emit"), go));

	H_ASSERT_OUT(p, "A: one\n");
	cr_assert(!h_exited(p), "ptyplex ended at stdin EOF\n%s",
	    h_context(p));
	h_write_file(go, "");
	H_ASSERT_EXIT(p, 3);
	cr_assert_str_eq(p->out.data, "A: one\nA: two\n", "%s", h_context(p));
}

/* Descriptor 0 closed: the first descriptor ptyplex opens (a pty master,
 * a log file) lands on 0 and must not be taken for stdin; had it been, A's
 * own question would be routed back to it as an answer. */
Test(relay, a_closed_stdin_is_not_confused_with_another_descriptor)
{
	struct h_opts o = { .in = H_STDIN_CLOSED };
	const char *go = h_path("go");
	struct h_proc *p = H_START(&o,
	    h_fmt("A=exec %s a", HELPER("echoer")),
	    h_fmt("B=exec %s 'one\\n' @waitfile=%s @exit=3", HELPER("emit"),
	    go));

	H_ASSERT_OUT(p, "A: what should a say?\n");
	H_ASSERT_OUT(p, "B: one\n");
	h_write_file(go, "");
	H_ASSERT_EXIT(p, 3);
	cr_assert_null(strstr(p->out.data, "says"), "%s", h_context(p));
}
