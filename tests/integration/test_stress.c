/*
 * Stress, sized for the test suite: every source and sink at once.
 *
 * Eight children flood numbered lines while ptyplex's stdout is read
 * slowly; socket clients send and list, FIFO writers write, an attach
 * client comes and goes, all at the same time, and signals keep coming
 * (SIGWINCH, SIGCHLD: nothing to do but interrupt). At the end every child's
 * lines are exact, ptyplex's peak RSS stays bounded, it holds as many
 * descriptors as before the clients came, no child of it is a zombie and,
 * once it has stopped, nothing of it is left in the runtime directory.
 * contrib/bench/stress is the same at a larger scale, for minutes.
 */
#include "harness.h"
#include "tty.h"

#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FLOODERS 8
#define LINES 10000
#define WIDTH 100
#define CLIENTS 4
#define CLIENT_ROUNDS 10
#define WRITERS 2
#define WRITER_LINES 50
#define ATTACHES 3
/* ptyplex's peak RSS, ASan's quarantine kept small (see below). */
#define RSS_BOUND_KB (64 * 1024)

static void
stress_fini(void)
{
	tty_teardown();
	h_teardown();
}

TestSuite(stress, .init = h_setup, .fini = stress_fini, .timeout = 500);

/* Descriptors pid holds, or -1. */
static int
count_fds(pid_t pid)
{
	char path[64];
	struct dirent *de;
	DIR *dir;
	int n = 0;

	snprintf(path, sizeof path, "/proc/%ld/fd", (long)pid);
	if ((dir = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(dir)) != NULL)
		n += de->d_name[0] != '.';
	closedir(dir);
	return n;
}

/* Zombies among pid's children. */
static int
count_zombies(pid_t pid)
{
	struct dirent *de;
	DIR *dir = opendir("/proc");
	int n = 0;

	cr_assert_not_null(dir);
	while ((de = readdir(dir)) != NULL) {
		char path[300], buf[512], state;
		const char *paren;
		long ppid;
		ssize_t len;
		int fd;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/stat", de->d_name);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			continue;
		len = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		if ((paren = strrchr(buf, ')')) == NULL ||
		    sscanf(paren + 2, "%c %ld", &state, &ppid) != 2)
			continue;
		n += ppid == (long)pid && state == 'Z';
	}
	closedir(dir);
	return n;
}

/* Entries in dir other than . and .., or -1 if it cannot be read. */
static int
count_entries(const char *path)
{
	struct dirent *de;
	DIR *dir = opendir(path);
	int n = 0;

	if (dir == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(dir)) != NULL)
		n += strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0;
	closedir(dir);
	return n;
}

/* Runs script under /bin/sh in the background, with ptyplex's runtime
 * directory. */
static pid_t
spawn_sh(const char *script)
{
	pid_t pid = fork();

	cr_assert_neq(pid, -1);
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		setenv("XDG_RUNTIME_DIR", h_dir(), 1);
		execl("/bin/sh", "sh", "-c", script, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* Every line of name's in p's stdout is one of numbered_lines', whole and
 * in order, count of them. */
static void
assert_numbered(const struct h_lines *l, const char *name, long count)
{
	size_t i, nlen = strlen(name);
	char want[WIDTH + 64];
	long next = 1;
	int n;

	for (i = 0; i < l->n; i++) {
		if (strncmp(l->v[i], name, nlen) != 0 ||
		    strncmp(l->v[i] + nlen, ": ", 2) != 0)
			continue;
		n = snprintf(want, sizeof want, "%s: %s %ld ", name, name,
		    next);
		memset(want + n, 'a' + (int)(next % 26), WIDTH);
		want[n + WIDTH] = '\0';
		cr_assert_str_eq(l->v[i], want, "line %zu is not %s's line %ld",
		    i + 1, name, next);
		next++;
	}
	cr_assert_eq(next - 1, count, "%s: %ld lines of %ld", name, next - 1,
	    count);
}

/* Each of count lines "PREFIX: WORD I J" (I < outer, J < inner) exactly
 * once among the lines of child. */
static void
assert_each_once(const struct h_lines *l, const char *child,
    const char *word, int outer, int inner)
{
	static unsigned char seen[64][64];
	size_t i, plen;
	char prefix[64];
	int a, b, end;

	memset(seen, 0, sizeof seen);
	plen = (size_t)snprintf(prefix, sizeof prefix, "%s: %s ", child,
	    word);
	for (i = 0; i < l->n; i++) {
		if (strncmp(l->v[i], child, strlen(child)) != 0 ||
		    l->v[i][strlen(child)] != ':')
			continue;
		end = 0;
		cr_assert(strncmp(l->v[i], prefix, plen) == 0 &&
		    sscanf(l->v[i] + plen, "%d %d%n", &a, &b, &end) == 2 &&
		    (size_t)end == l->len[i] - plen && a >= 0 && a < outer &&
		    b >= 0 && b < inner, "unexpected line %zu: %s", i + 1,
		    h_show(l->v[i], l->len[i], 200));
		cr_assert_eq(seen[a][b], 0, "\"%s %d %d\" came twice", word,
		    a, b);
		seen[a][b] = 1;
	}
	for (a = 0; a < outer; a++)
		for (b = 0; b < inner; b++)
			cr_assert_eq(seen[a][b], 1, "\"%s %d %d\" never came",
			    word, a, b);
}

/* Reads p (slowly, as set) until every pid in pids has exited 0. */
static void
wait_clients(struct h_proc *p, pid_t *pids, int n, double timeout)
{
	double deadline = h_now() + timeout;
	int left = n, i, st;

	while (left > 0) {
		cr_assert(h_now() < deadline, "%d clients still running\n%s",
		    left, h_context(p));
		for (i = 0; i < n; i++) {
			if (pids[i] <= 0 ||
			    waitpid(pids[i], &st, WNOHANG) != pids[i])
				continue;
			cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0,
			    "client %d failed (status 0x%x)\n%s", i, st,
			    h_context(p));
			pids[i] = 0;
			left--;
		}
		h_pump(p, 0.02);
	}
}

Test(stress, every_source_and_sink_at_once)
{
	const char *asan = getenv("ASAN_OPTIONS");
	const char *fifo = h_path("e2.in"), *rundir = h_path("ptyplex");
	const char *args[FLOODERS + 16];
	struct h_opts o = { 0 };
	pid_t clients[CLIENTS + WRITERS], storm;
	struct h_proc *p;
	struct h_lines l;
	int i, n = 0, fds_early, fds_late = -1;
	long hwm;
	double deadline;

	/* ASan delays reusing freed memory: keep that small, so that the
	 * peak RSS measures what ptyplex holds. */
	o.env[0] = h_fmt("ASAN_OPTIONS=%s%squarantine_size_mb=8",
	    asan != NULL ? asan : "", asan != NULL && *asan ? ":" : "");
	args[n++] = "-s";
	args[n++] = "S";
	args[n++] = "--fifo";
	args[n++] = h_fmt("E2=%s", fifo);
	for (i = 0; i < FLOODERS; i++)
		args[n++] = h_fmt("F%d=%s F%d %d %d; exec %s @waitfile=%s/never",
		    i, HELPER("numbered_lines"), i, LINES, WIDTH,
		    HELPER("emit"), h_dir());
	args[n++] = "E1=exec cat";
	args[n++] = "E2=exec cat";
	args[n] = NULL;
	p = h_start(&o, args);
	h_slow_reader(p, 4096, 2);
	/* Every path interrupted now and then. */
	storm = h_start_storm(p->pid, SIGWINCH, SIGCHLD, 1000);

	/* Steady state: every child runs and has been read, the socket and
	 * the FIFO are open. */
	cr_assert(h_wait_count(p, H_ERR, "started (pid", FLOODERS + 2,
	    H_TIMEOUT), "%s", h_context(p));
	for (i = 0; i < FLOODERS; i++)
		cr_assert(h_wait_for(p, H_OUT, h_fmt("F%d: F%d 1 ", i, i),
		    H_TIMEOUT), "%s", h_context(p));
	fds_early = count_fds(p->pid);
	cr_assert_gt(fds_early, 0);

	/* Socket clients and FIFO writers, all at once. */
	for (i = 0; i < CLIENTS; i++)
		clients[i] = spawn_sh(h_fmt("i=0; while [ $i -lt %d ]; do "
		    "%s send -s S E1 sock %d $i || exit 1; "
		    "%s list -s S >/dev/null || exit 2; "
		    "i=$((i + 1)); done", CLIENT_ROUNDS, PTYPLEX_BIN, i,
		    PTYPLEX_BIN));
	for (i = 0; i < WRITERS; i++)
		clients[CLIENTS + i] = spawn_sh(h_fmt("i=0; while [ $i -lt %d ];"
		    " do printf 'fifo %d %%d\\n' $i > %s || exit 1; "
		    "i=$((i + 1)); done", WRITER_LINES, i, fifo));

	/* An attach client comes and goes, meanwhile. */
	for (i = 0; i < ATTACHES; i++) {
		struct tty_proc *t = TTY_START(NULL, PTYPLEX_BIN, "attach",
		    "-s", "S", h_fmt("F%d", i));

		cr_assert(tty_wait_raw(t, H_TIMEOUT), "attach %d never "
		    "attached\n%s", i, tty_context(t));
		h_pump(p, 0.05);
		tty_puts(t, "\034");
		TTY_ASSERT_EXIT(t, 0);
	}
	wait_clients(p, clients, CLIENTS + WRITERS, 300);

	/* Everything arrives. */
	for (i = 0; i < FLOODERS; i++)
		cr_assert(h_wait_for(p, H_OUT, h_fmt("F%d: F%d %d ", i, i,
		    LINES), 300), "%s", h_context(p));
	h_slow_reader(p, 0, 0);
	cr_assert(h_wait_count(p, H_OUT, "E1: sock ", CLIENTS * CLIENT_ROUNDS,
	    H_TIMEOUT), "%s", h_context(p));
	cr_assert(h_wait_count(p, H_OUT, "E2: fifo ", WRITERS * WRITER_LINES,
	    H_TIMEOUT), "%s", h_context(p));

	/* The server side of each client is closed as it notices the end. */
	deadline = h_now() + H_TIMEOUT;
	while ((fds_late = count_fds(p->pid)) != fds_early &&
	    h_now() < deadline)
		h_pump(p, 0.05);
	cr_assert_eq(fds_late, fds_early, "ptyplex holds %d descriptors, "
	    "%d before the clients came", fds_late, fds_early);
	cr_assert_eq(count_zombies(p->pid), 0, "a child of ptyplex is a "
	    "zombie");
	h_stop_storm(storm);
	hwm = h_proc_kb(p->pid, "VmHWM");
	cr_assert_gt(hwm, 0);
	cr_assert_lt(hwm, RSS_BOUND_KB, "ptyplex's peak RSS is %ld kB", hwm);

	clients[0] = spawn_sh(h_fmt("exec %s stop -s S", PTYPLEX_BIN));
	wait_clients(p, clients, 1, H_TIMEOUT);
	H_ASSERT_EXIT(p, 0);
	cr_assert_eq(count_entries(rundir), 0, "left in %s", rundir);
	cr_assert_neq(access(fifo, F_OK), 0, "the FIFO is still there");

	l = h_split(p->out.data, p->out.len);
	for (i = 0; i < FLOODERS; i++)
		assert_numbered(&l, h_fmt("F%d", i), LINES);
	assert_each_once(&l, "E1", "sock", CLIENTS, CLIENT_ROUNDS);
	assert_each_once(&l, "E2", "fifo", WRITERS, WRITER_LINES);
	cr_log_info("stress: %zu bytes relayed, peak RSS %ld kB, %d "
	    "descriptors before and after", p->out.len, hwm, fds_early);
}
