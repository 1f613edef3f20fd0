/*
 * Integration test harness: see harness.h for the contract.
 *
 * ptyplex runs as a forked child whose stdout and stderr are nonblocking
 * pipes (or a pty master) that h_pump() drains into growing buffers with
 * poll(); every wait loops on h_pump() until its condition holds or its
 * deadline passes.
 */
#include "harness.h"

#include "../../helpers/blast_pattern.h"

#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pty.h>
#include <regex.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define H_MAX_PROCS 64
#define H_READ_CHUNK 65536

static char h_tmpdir[256];
static struct h_proc *h_procs[H_MAX_PROCS];
static size_t h_nprocs;
static void **h_arena;
static size_t h_arena_len;
static size_t h_arena_cap;

/* Allocation failures end the test: there is nothing to recover. */
static void *
h_alloc(size_t size)
{
	void *p = calloc(1, size ? size : 1);

	if (p == NULL)
		cr_assert_fail("harness: out of memory (%zu bytes)", size);
	return p;
}

/* Memory freed at teardown. */
static void *
h_keep(void *p)
{
	if (h_arena_len == h_arena_cap) {
		size_t cap = h_arena_cap ? h_arena_cap * 2 : 64;
		void **a = realloc(h_arena, cap * sizeof *a);

		if (a == NULL)
			cr_assert_fail("harness: out of memory");
		h_arena = a;
		h_arena_cap = cap;
	}
	h_arena[h_arena_len++] = p;
	return p;
}

double
h_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
h_sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static int
h_rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void
h_setup(void)
{
	const char *tmp = getenv("TMPDIR");

	/* A test writing to a dead ptyplex must see EPIPE, not die. */
	signal(SIGPIPE, SIG_IGN);
	if (tmp == NULL || *tmp == '\0' || strlen(tmp) > 100)
		tmp = "/tmp";
	snprintf(h_tmpdir, sizeof h_tmpdir, "%s/ptyplex-test-XXXXXX", tmp);
	if (mkdtemp(h_tmpdir) == NULL)
		cr_assert_fail("mkdtemp %s: %s", h_tmpdir, strerror(errno));
}

static void
h_proc_free(struct h_proc *p)
{
	if (!p->reaped) {
		double deadline = h_now() + 10;

		/* A polite end first, so ptyplex can take its children along;
		 * keep reading meanwhile, since it may be blocked writing. */
		kill(p->pid, SIGTERM);
		while (!h_exited(p) && h_now() < deadline)
			h_pump(p, 0.02);
		if (!p->reaped) {
			kill(p->pid, SIGKILL);
			waitpid(p->pid, NULL, 0);
			p->reaped = 1;
		}
	}
	if (p->in_fd != -1)
		close(p->in_fd);
	if (p->out_fd != -1)
		close(p->out_fd);
	if (p->err_fd != -1)
		close(p->err_fd);
	free(p->out.data);
	free(p->err.data);
	free(p);
}

void
h_teardown(void)
{
	size_t i;

	for (i = 0; i < h_nprocs; i++)
		h_proc_free(h_procs[i]);
	h_nprocs = 0;
	if (h_tmpdir[0] != '\0' && getenv("PTYPLEX_TEST_KEEP") == NULL)
		nftw(h_tmpdir, h_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	h_tmpdir[0] = '\0';
	for (i = 0; i < h_arena_len; i++)
		free(h_arena[i]);
	free(h_arena);
	h_arena = NULL;
	h_arena_len = h_arena_cap = 0;
}

const char *
h_dir(void)
{
	return h_tmpdir;
}

char *
h_fmt(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		cr_assert_fail("harness: out of memory");
	va_end(ap);
	return h_keep(s);
}

char *
h_path(const char *name)
{
	return h_fmt("%s/%s", h_tmpdir, name);
}

/* Room for at least more bytes after len, plus the NUL. */
static void
h_buf_reserve(struct h_buf *b, size_t more)
{
	size_t cap;
	char *d;

	if (b->len + more + 1 <= b->cap)
		return;
	cap = b->cap ? b->cap : 4096;
	while (cap < b->len + more + 1)
		cap *= 2;
	d = realloc(b->data, cap);
	if (d == NULL)
		cr_assert_fail("harness: out of memory (%zu bytes)", cap);
	b->data = d;
	b->cap = cap;
}

static void
h_buf_count(struct h_buf *b, size_t from)
{
	const char *p = b->data + from, *end = b->data + b->len;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		b->lines++;
		p++;
	}
	b->data[b->len] = '\0';
}

static void
h_set_nonblock(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* Environment for ptyplex: ours, with the test's changes applied. */
static char **
h_make_env(const struct h_opts *opts)
{
	const char *changes[H_ENV_MAX + 8];
	size_t nchanges = 0, n = 0, i, j, count = 0;
	char **env;

	/* Sockets go into the test's directory; the size of the window is
	 * the pty's business, never COLUMNS/LINES from the test's caller. */
	changes[nchanges++] = h_fmt("XDG_RUNTIME_DIR=%s", h_tmpdir);
	changes[nchanges++] = "COLUMNS";
	changes[nchanges++] = "LINES";
	for (i = 0; opts != NULL && i < H_ENV_MAX && opts->env[i] != NULL; i++)
		changes[nchanges++] = opts->env[i];
	while (environ[count] != NULL)
		count++;
	env = h_keep(h_alloc((count + nchanges + 1) * sizeof *env));
	for (i = 0; i < count; i++) {
		size_t klen = strcspn(environ[i], "=");
		int drop = 0;

		for (j = 0; j < nchanges; j++) {
			size_t clen = strcspn(changes[j], "=");

			if (clen == klen &&
			    strncmp(changes[j], environ[i], klen) == 0)
				drop = 1;
		}
		if (!drop)
			env[n++] = environ[i];
	}
	for (j = 0; j < nchanges; j++) {
		if (strchr(changes[j], '=') != NULL)
			env[n++] = (char *)changes[j];
	}
	env[n] = NULL;
	return env;
}

/* In the forked child: become a job of its own, as under a shell. */
static void
h_child_exec(const struct h_opts *opts, char **argv, char **envp,
    int in_fd, int out_fd, int err_fd, int report_fd)
{
	sigset_t none;
	int sig, e;

	if (opts != NULL && opts->terminal) {
		setsid();
		ioctl(in_fd, TIOCSCTTY, 0);
	} else {
		setpgid(0, 0);
	}
	if (in_fd == -1)
		close(0);
	else if (in_fd != 0)
		dup2(in_fd, 0);
	dup2(out_fd, 1);
	dup2(err_fd, 2);
	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Nothing above 2 but the exec report pipe (close-on-exec). */
	if (report_fd > 3) {
		dup2(report_fd, 3);
		report_fd = 3;
	}
	close_range((unsigned)report_fd + 1, ~0U, 0);
	if (report_fd == 3)
		fcntl(3, F_SETFD, FD_CLOEXEC);
	if (opts != NULL && opts->nofile > 0) {
		struct rlimit rl = { (rlim_t)opts->nofile,
		    (rlim_t)opts->nofile };

		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (opts != NULL && opts->fsize > 0) {
		struct rlimit rl = { (rlim_t)opts->fsize, (rlim_t)opts->fsize };

		setrlimit(RLIMIT_FSIZE, &rl);
	}
	execve(argv[0], argv, envp);
	e = errno;
	(void)!write(report_fd, &e, sizeof e);
	_exit(127);
}

/* A pty whose slave is raw (no echo, no "\n" -> "\r\n"), both ends
 * close-on-exec. */
static void
h_open_raw_pty(int *master, int *slave, unsigned short cols,
    unsigned short rows)
{
	struct winsize ws = { 24, 80, 0, 0 };
	struct termios tio;

	if (cols != 0)
		ws.ws_col = cols;
	if (rows != 0)
		ws.ws_row = rows;
	if (openpty(master, slave, NULL, NULL, &ws) == -1)
		cr_assert_fail("openpty: %s", strerror(errno));
	tcgetattr(*slave, &tio);
	cfmakeraw(&tio);
	tcsetattr(*slave, TCSANOW, &tio);
	fcntl(*master, F_SETFD, FD_CLOEXEC);
	fcntl(*slave, F_SETFD, FD_CLOEXEC);
}

/* Opens ptyplex's stdin and stdout as opts asks: the child's ends come
 * back in *child_in (-1: closed) and *child_out, the test's in p. */
static void
h_open_stdio(struct h_proc *p, const struct h_opts *opts, int *child_in,
    int *child_out)
{
	enum h_stdin in = opts != NULL ? opts->in : H_STDIN_NULL;
	int fds[2], master, slave;

	*child_in = -1;
	if (opts != NULL && opts->terminal) {
		h_open_raw_pty(&master, &slave, opts->cols, opts->rows);
		*child_in = *child_out = slave;
		p->out_fd = master;
		p->in_fd = fcntl(master, F_DUPFD_CLOEXEC, 3);
		p->is_pty_out = 1;
		return;
	}
	if (pipe2(fds, O_CLOEXEC) == -1)
		cr_assert_fail("pipe: %s", strerror(errno));
	*child_out = fds[1];
	p->out_fd = fds[0];
	switch (in) {
	case H_STDIN_NULL:
		*child_in = open("/dev/null", O_RDONLY | O_CLOEXEC);
		break;
	case H_STDIN_PIPE:
		if (pipe2(fds, O_CLOEXEC) == -1)
			cr_assert_fail("pipe: %s", strerror(errno));
		*child_in = fds[0];
		p->in_fd = fds[1];
		break;
	case H_STDIN_PTY:
		h_open_raw_pty(&master, &slave, 0, 0);
		*child_in = slave;
		p->in_fd = master;
		break;
	case H_STDIN_CLOSED:
		break;
	}
}

struct h_proc *
h_start(const struct h_opts *opts, const char *const *args)
{
	struct h_proc *p;
	int errp[2], rep[2], child_in, child_out, e;
	size_t nargs = 0, i;
	char **argv, **envp;
	ssize_t n;

	cr_assert(h_tmpdir[0] != '\0', "h_start() needs the h_setup fixture");
	cr_assert(h_nprocs < H_MAX_PROCS, "too many processes in one test");
	while (args[nargs] != NULL)
		nargs++;
	argv = h_keep(h_alloc((nargs + 2) * sizeof *argv));
	argv[0] = (char *)PTYPLEX_BIN;
	for (i = 0; i < nargs; i++)
		argv[i + 1] = (char *)args[i];
	envp = h_make_env(opts);

	p = h_alloc(sizeof *p);
	p->in_fd = p->out_fd = p->err_fd = -1;
	h_buf_reserve(&p->out, 0);
	h_buf_reserve(&p->err, 0);
	p->out.data[0] = p->err.data[0] = '\0';
	/* rep reports a failed exec: EOF means ptyplex is running. */
	if (pipe2(errp, O_CLOEXEC) == -1 || pipe2(rep, O_CLOEXEC) == -1)
		cr_assert_fail("pipe: %s", strerror(errno));
	h_open_stdio(p, opts, &child_in, &child_out);

	p->started = h_now();
	p->pid = fork();
	if (p->pid == -1)
		cr_assert_fail("fork: %s", strerror(errno));
	if (p->pid == 0)
		h_child_exec(opts, argv, envp, child_in, child_out, errp[1],
		    rep[1]);

	close(rep[1]);
	close(errp[1]);
	close(child_out);
	if (child_in != -1 && child_in != child_out)
		close(child_in);
	p->err_fd = errp[0];
	h_set_nonblock(p->out_fd);
	h_set_nonblock(p->err_fd);
	if (p->in_fd != -1)
		h_set_nonblock(p->in_fd);
	h_procs[h_nprocs++] = p;

	do {
		n = read(rep[0], &e, sizeof e);
	} while (n == -1 && errno == EINTR);
	close(rep[0]);
	if (n == (ssize_t)sizeof e) {
		waitpid(p->pid, NULL, 0);
		p->reaped = 1;
		cr_assert_fail("cannot run %s: %s", PTYPLEX_BIN, strerror(e));
	}
	return p;
}

/* Reads what fd has into b; returns 0 at EOF (fd closed), 1 otherwise. */
static int
h_read_into(int fd, struct h_buf *b, size_t max)
{
	ssize_t n;

	h_buf_reserve(b, max);
	do {
		n = read(fd, b->data + b->len, max);
	} while (n == -1 && errno == EINTR);
	if (n > 0) {
		size_t from = b->len;

		b->len += (size_t)n;
		h_buf_count(b, from);
		return 1;
	}
	if (n == -1 && errno == EAGAIN)
		return 1;
	/* 0 from a pipe, EIO from a pty master whose slave is gone. */
	close(fd);
	b->eof = 1;
	return 0;
}

void
h_pump(struct h_proc *p, double timeout)
{
	struct pollfd pfd[2];
	int nfds = 0, out_slot = -1, err_slot = -1, ms;

	if (p->out_fd != -1) {
		out_slot = nfds;
		pfd[nfds].fd = p->out_fd;
		pfd[nfds++].events = POLLIN;
	}
	if (p->err_fd != -1) {
		err_slot = nfds;
		pfd[nfds].fd = p->err_fd;
		pfd[nfds++].events = POLLIN;
	}
	ms = timeout <= 0 ? 0 : (int)(timeout * 1000) + 1;
	if (nfds == 0) {
		/* Nothing to read: just let the time pass. */
		if (ms > 0)
			h_sleep_ms(ms > 20 ? 20 : (unsigned)ms);
		return;
	}
	if (poll(pfd, (nfds_t)nfds, ms) <= 0)
		return;
	if (err_slot != -1 && pfd[err_slot].revents != 0) {
		if (!h_read_into(p->err_fd, &p->err, H_READ_CHUNK))
			p->err_fd = -1;
	}
	if (out_slot != -1 && pfd[out_slot].revents != 0) {
		size_t max = p->slow_chunk ? p->slow_chunk : H_READ_CHUNK;

		if (!h_read_into(p->out_fd, &p->out, max))
			p->out_fd = -1;
		else if (p->slow_chunk)
			h_sleep_ms(p->slow_delay_ms);
	}
}

static struct h_buf *
h_stream_buf(struct h_proc *p, enum h_stream s)
{
	return s == H_OUT ? &p->out : &p->err;
}

static double
h_left(double deadline)
{
	double left = deadline - h_now();

	return left < 0 ? 0 : left > 0.2 ? 0.2 : left;
}

int
h_wait_for(struct h_proc *p, enum h_stream s, const char *needle,
    double timeout)
{
	struct h_buf *b = h_stream_buf(p, s);
	size_t nlen = strlen(needle), from = 0;
	double deadline = h_now() + timeout;

	for (;;) {
		if (b->len >= from + nlen &&
		    memmem(b->data + from, b->len - from, needle, nlen) != NULL)
			return 1;
		if (b->len >= nlen)
			from = b->len - nlen + 1;
		if (b->eof || h_now() >= deadline)
			return 0;
		h_pump(p, h_left(deadline));
	}
}

int
h_wait_re(struct h_proc *p, enum h_stream s, const char *regex,
    double timeout)
{
	struct h_buf *b = h_stream_buf(p, s);
	double deadline = h_now() + timeout;
	size_t from = 0;
	regex_t re;
	int rc;

	rc = regcomp(&re, regex, REG_EXTENDED | REG_NEWLINE | REG_NOSUB);
	cr_assert_eq(rc, 0, "bad regex in test: %s", regex);
	for (;;) {
		const char *nl;

		if (regexec(&re, b->data + from, 0, NULL, 0) == 0) {
			regfree(&re);
			return 1;
		}
		/* Next time start at the last line, which may grow. */
		nl = b->len > from ?
		    memrchr(b->data + from, '\n', b->len - from) : NULL;
		if (nl != NULL)
			from = (size_t)(nl - b->data) + 1;
		if (b->eof || h_now() >= deadline) {
			regfree(&re);
			return 0;
		}
		h_pump(p, h_left(deadline));
	}
}

int
h_wait_count(struct h_proc *p, enum h_stream s, const char *needle,
    size_t n, double timeout)
{
	struct h_buf *b = h_stream_buf(p, s);
	size_t nlen = strlen(needle), from = 0, found = 0;
	double deadline = h_now() + timeout;

	for (;;) {
		const char *hit;

		while (found < n && b->len >= from + nlen &&
		    (hit = memmem(b->data + from, b->len - from, needle,
		    nlen)) != NULL) {
			found++;
			from = (size_t)(hit - b->data) + nlen;
		}
		if (found >= n)
			return 1;
		if (b->len >= nlen && b->len - nlen + 1 > from)
			from = b->len - nlen + 1;
		if (b->eof || h_now() >= deadline)
			return 0;
		h_pump(p, h_left(deadline));
	}
}

int
h_wait_lines(struct h_proc *p, size_t n, double timeout)
{
	double deadline = h_now() + timeout;

	for (;;) {
		if (p->out.lines >= n)
			return 1;
		if (p->out.eof || h_now() >= deadline)
			return 0;
		h_pump(p, h_left(deadline));
	}
}

int
h_wait_bytes(struct h_proc *p, size_t n, double timeout)
{
	double deadline = h_now() + timeout;

	for (;;) {
		if (p->out.len >= n)
			return 1;
		if (p->out.eof || h_now() >= deadline)
			return 0;
		h_pump(p, h_left(deadline));
	}
}

static void
h_set_status(struct h_proc *p, int st)
{
	p->reaped = 1;
	p->raw_status = st;
	if (WIFSIGNALED(st)) {
		p->signaled = 1;
		p->status = 128 + WTERMSIG(st);
	} else {
		p->status = WEXITSTATUS(st);
	}
}

int
h_exited(struct h_proc *p)
{
	int st;

	if (p->reaped)
		return 1;
	if (waitpid(p->pid, &st, WNOHANG) == p->pid) {
		h_set_status(p, st);
		return 1;
	}
	return 0;
}

int
h_wait_exit(struct h_proc *p, double timeout)
{
	double deadline = h_now() + timeout, grace;

	while (!h_exited(p)) {
		if (h_now() >= deadline) {
			kill(p->pid, SIGKILL);
			waitpid(p->pid, NULL, 0);
			p->reaped = 1;
			p->status = -1;
			return -1;
		}
		/* Short polls: the exit itself makes no output event. */
		h_pump(p, deadline - h_now() < 0.02 ? 0 : 0.02);
	}
	/* Its output is in the pipes already; a child that leaked them must
	 * not make the test hang. */
	grace = h_now() + 5;
	while ((p->out_fd != -1 || p->err_fd != -1) && h_now() < grace)
		h_pump(p, h_left(grace));
	return p->status;
}

int
h_send(struct h_proc *p, const char *s)
{
	size_t len = strlen(s);
	double deadline = h_now() + H_TIMEOUT;

	if (p->in_fd == -1)
		return -1;
	while (len > 0) {
		ssize_t n = write(p->in_fd, s, len);

		if (n > 0) {
			s += n;
			len -= (size_t)n;
			continue;
		}
		if (n == -1 && errno != EAGAIN && errno != EINTR)
			return -1;
		if (h_now() >= deadline)
			return -1;
		/* ptyplex may be busy writing: keep its stdout moving. */
		h_pump(p, 0.01);
	}
	return 0;
}

void
h_close_stdin(struct h_proc *p)
{
	if (p->in_fd != -1)
		close(p->in_fd);
	p->in_fd = -1;
}

void
h_close_stdout(struct h_proc *p)
{
	if (p->out_fd != -1)
		close(p->out_fd);
	p->out_fd = -1;
	p->out.eof = 1;
}

void
h_slow_reader(struct h_proc *p, size_t chunk, unsigned delay_ms)
{
	p->slow_chunk = chunk;
	p->slow_delay_ms = delay_ms;
}

long
h_proc_kb(pid_t pid, const char *field)
{
	char path[64], line[256];
	size_t flen = strlen(field);
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
	f = fopen(path, "re");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, field, flen) == 0 && line[flen] == ':') {
			kb = strtol(line + flen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return kb;
}

char *
h_proc_read(pid_t pid, const char *file, char *buf, size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/%ld/%s", (long)pid, file);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

/* The fields of /proc/PID/stat from the state on: the command name before
 * them may hold spaces and parentheses, so they count from its last ')'. */
static const char *
h_proc_stat_fields(pid_t pid, char *buf, size_t size)
{
	const char *paren;

	if (h_proc_read(pid, "stat", buf, size) == NULL ||
	    (paren = strrchr(buf, ')')) == NULL || paren[1] == '\0')
		return NULL;
	return paren + 2;
}

char
h_proc_state(pid_t pid)
{
	char buf[512];
	const char *f = h_proc_stat_fields(pid, buf, sizeof buf);

	return f != NULL ? f[0] : 0;
}

long
h_cpu_ticks(pid_t pid)
{
	char buf[1024];
	const char *f = h_proc_stat_fields(pid, buf, sizeof buf);
	unsigned long ut, st;

	if (f == NULL || sscanf(f, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u "
	    "%*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (long)(ut + st);
}

/* 1 when pid no longer runs: no /proc entry, or a zombie. */
static int
h_pid_dead(pid_t pid)
{
	char state = h_proc_state(pid);

	return state == 0 || state == 'Z' || state == 'X';
}

pid_t
h_start_storm(pid_t pid, int sig1, int sig2, long interval_us)
{
	struct timespec ts = { interval_us / 1000000,
	    interval_us % 1000000 * 1000 };
	pid_t storm = fork();
	time_t start;

	cr_assert_neq(storm, -1);
	if (storm != 0)
		return storm;
	start = time(NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	while (time(NULL) - start < 300 && !h_pid_dead(pid) &&
	    kill(pid, sig1) == 0 && kill(pid, sig2) == 0)
		nanosleep(&ts, NULL);
	_exit(0);
}

void
h_stop_storm(pid_t storm)
{
	kill(storm, SIGKILL);
	waitpid(storm, NULL, 0);
}

int
h_pid_gone(pid_t pid, double timeout)
{
	double deadline = h_now() + timeout;

	while (!h_pid_dead(pid)) {
		if (h_now() >= deadline)
			return 0;
		h_sleep_ms(10);
	}
	return 1;
}

pid_t
h_read_pidfile(const char *path, double timeout)
{
	double deadline = h_now() + timeout;

	for (;;) {
		size_t len;
		char *s = h_read_file(path, &len);

		if (s != NULL && len > 0 && s[len - 1] == '\n')
			return (pid_t)strtol(s, NULL, 10);
		if (h_now() >= deadline)
			return -1;
		h_sleep_ms(10);
	}
}

const char *
h_with_pidfile(const char *name, const char *cmd)
{
	return h_fmt("%s=echo $$ > %s/%s.pid; exec %s", name, h_dir(), name,
	    cmd);
}

pid_t
h_pid_of(const char *name)
{
	pid_t pid = h_read_pidfile(h_path(h_fmt("%s.pid", name)), H_TIMEOUT);

	cr_assert_gt(pid, 1, "no pid file for %s", name);
	return pid;
}

void
h_assert_gone(pid_t pid, const char *what)
{
	cr_assert(h_pid_gone(pid, 10), "%s (pid %ld) is still running", what,
	    (long)pid);
}

int
h_wait_file_contains(const char *path, const char *needle, double timeout)
{
	double deadline = h_now() + timeout;

	for (;;) {
		size_t len;
		char *s = h_read_file(path, &len);

		if (s != NULL && memmem(s, len, needle, strlen(needle)) != NULL)
			return 1;
		if (h_now() >= deadline)
			return 0;
		h_sleep_ms(10);
	}
}

char *
h_read_file(const char *path, size_t *len)
{
	struct h_buf b = { 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*len = 0;
	if (fd == -1)
		return NULL;
	for (;;) {
		ssize_t n;

		h_buf_reserve(&b, H_READ_CHUNK);
		n = read(fd, b.data + b.len, H_READ_CHUNK);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		b.len += (size_t)n;
	}
	close(fd);
	b.data[b.len] = '\0';
	*len = b.len;
	return h_keep(b.data);
}

void
h_write_file(const char *path, const char *content)
{
	FILE *f = fopen(path, "we");

	cr_assert_not_null(f, "cannot create %s: %s", path, strerror(errno));
	fputs(content, f);
	cr_assert_eq(fclose(f), 0, "cannot write %s", path);
}

const char *
h_script(const char *text)
{
	const char *path = h_path("steps.script");

	h_write_file(path, text);
	return path;
}

struct h_lines
h_split(const char *data, size_t len)
{
	struct h_lines l = { 0 };
	char *copy = h_keep(h_alloc(len + 1));
	size_t i, start = 0, cap = 1;

	memcpy(copy, data, len);
	for (i = 0; i < len; i++)
		cap += copy[i] == '\n';
	l.v = h_keep(h_alloc(cap * sizeof *l.v));
	l.len = h_keep(h_alloc(cap * sizeof *l.len));
	for (i = 0; i <= len; i++) {
		if (i < len && copy[i] != '\n')
			continue;
		if (i == len && start == len)
			break;
		copy[i] = '\0';
		l.v[l.n] = copy + start;
		l.len[l.n++] = i - start;
		start = i + 1;
	}
	return l;
}

const char *
h_show(const char *data, size_t len, size_t max)
{
	size_t start = len > max ? len - max : 0, i, n = 0;
	char *out = h_keep(h_alloc((len - start) * 6 + 64));

	if (start > 0)
		n += (size_t)sprintf(out, "[...%zu bytes...]", start);
	for (i = start; i < len; i++) {
		unsigned char c = (unsigned char)data[i];

		if (c == '\n')
			n += (size_t)sprintf(out + n, "\\n\n");
		else if (c == '\r')
			n += (size_t)sprintf(out + n, "\\r");
		else if (c == '\t')
			n += (size_t)sprintf(out + n, "\\t");
		else if (c == '\\')
			n += (size_t)sprintf(out + n, "\\\\");
		else if (c < 0x20 || c >= 0x7f)
			n += (size_t)sprintf(out + n, "\\x%02x", c);
		else
			out[n++] = (char)c;
	}
	out[n] = '\0';
	return out;
}

const char *
h_context(const struct h_proc *p)
{
	return h_fmt("--- stdout (%zu bytes) ---\n%s\n--- stderr ---\n%s",
	    p->out.len, h_show(p->out.data, p->out.len, 1500),
	    h_show(p->err.data, p->err.len, 1500));
}

const char *
h_report(const struct h_proc *p, const char *name, const char *key)
{
	struct h_lines l = h_split(p->out.data, p->out.len);
	const char *start = h_fmt("%s: %s=", name, key);
	size_t i, n = strlen(start);

	for (i = 0; i < l.n; i++) {
		if (strncmp(l.v[i], start, n) == 0)
			return l.v[i] + n;
	}
	return NULL;
}

char *
h_onlcr(const char *data, size_t len, size_t *outlen)
{
	char *out = h_keep(h_alloc(len * 2 + 1));
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (data[i] == '\n')
			out[n++] = '\r';
		out[n++] = data[i];
	}
	*outlen = n;
	return out;
}

char *
h_blast_bytes(size_t n)
{
	char *out = h_keep(h_alloc(n + 1));

	blast_pattern_fill(out, 0, n);
	return out;
}

void
h_blast_fill(char *dst, size_t start, size_t n)
{
	blast_pattern_fill(dst, start, n);
}

/* The JSON reader. */

struct h_jctx {
	const char *s;
	const char *end;
	const char *why;
};

static void
h_jws(struct h_jctx *c)
{
	while (c->s < c->end && (*c->s == ' ' || *c->s == '\t' ||
	    *c->s == '\n' || *c->s == '\r'))
		c->s++;
}

static int
h_jfail(struct h_jctx *c, const char *why)
{
	if (c->why == NULL)
		c->why = why;
	return -1;
}

static int
h_jhex4(struct h_jctx *c, unsigned *out)
{
	unsigned v = 0;
	int i;

	if (c->end - c->s < 4)
		return h_jfail(c, "short \\u escape");
	for (i = 0; i < 4; i++) {
		char ch = c->s[i];

		v <<= 4;
		if (ch >= '0' && ch <= '9')
			v |= (unsigned)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			v |= (unsigned)(ch - 'a' + 10);
		else if (ch >= 'A' && ch <= 'F')
			v |= (unsigned)(ch - 'A' + 10);
		else
			return h_jfail(c, "bad hex digit in \\u escape");
	}
	c->s += 4;
	*out = v;
	return 0;
}

static size_t
h_utf8_put(char *dst, unsigned cp)
{
	if (cp < 0x80) {
		dst[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		dst[0] = (char)(0xc0 | (cp >> 6));
		dst[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		dst[0] = (char)(0xe0 | (cp >> 12));
		dst[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		dst[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	dst[0] = (char)(0xf0 | (cp >> 18));
	dst[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	dst[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	dst[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Length of the valid UTF-8 sequence at s (strict), or 0. */
static size_t
h_utf8_len(const unsigned char *s, const unsigned char *end)
{
	unsigned cp;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if ((size_t)(end - s) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* Parses a string at c->s (at its opening quote); out may be NULL. */
static int
h_jstring(struct h_jctx *c, char **out, size_t *outlen)
{
	const char *start;
	char *dst;
	size_t n = 0;

	if (c->s >= c->end || *c->s != '"')
		return h_jfail(c, "expected a string");
	start = ++c->s;
	dst = h_alloc((size_t)(c->end - start) + 1);
	while (c->s < c->end && *c->s != '"') {
		unsigned char ch = (unsigned char)*c->s;

		if (ch < 0x20) {
			free(dst);
			return h_jfail(c, "raw control byte in a string");
		}
		if (ch != '\\') {
			size_t len = h_utf8_len((const unsigned char *)c->s,
			    (const unsigned char *)c->end);

			if (len == 0) {
				free(dst);
				return h_jfail(c, "invalid UTF-8 in a string");
			}
			memcpy(dst + n, c->s, len);
			n += len;
			c->s += len;
			continue;
		}
		c->s++;
		if (c->s >= c->end)
			break;
		switch (*c->s++) {
		case '"': dst[n++] = '"'; break;
		case '\\': dst[n++] = '\\'; break;
		case '/': dst[n++] = '/'; break;
		case 'b': dst[n++] = '\b'; break;
		case 'f': dst[n++] = '\f'; break;
		case 'n': dst[n++] = '\n'; break;
		case 'r': dst[n++] = '\r'; break;
		case 't': dst[n++] = '\t'; break;
		case 'u': {
			unsigned cp, lo;

			if (h_jhex4(c, &cp) == -1) {
				free(dst);
				return -1;
			}
			if (cp >= 0xdc80 && cp <= 0xdcff) {
				/* surrogateescape: one raw byte */
				dst[n++] = (char)(cp & 0xff);
			} else if (cp >= 0xd800 && cp <= 0xdbff) {
				if (c->end - c->s < 6 || c->s[0] != '\\' ||
				    c->s[1] != 'u') {
					free(dst);
					return h_jfail(c, "lone high surrogate");
				}
				c->s += 2;
				if (h_jhex4(c, &lo) == -1 || lo < 0xdc00 ||
				    lo > 0xdfff) {
					free(dst);
					return h_jfail(c, "bad surrogate pair");
				}
				n += h_utf8_put(dst + n, 0x10000 +
				    ((cp - 0xd800) << 10) + (lo - 0xdc00));
			} else if (cp >= 0xdc00 && cp <= 0xdfff) {
				free(dst);
				return h_jfail(c, "lone low surrogate");
			} else {
				n += h_utf8_put(dst + n, cp);
			}
			break;
		}
		default:
			free(dst);
			return h_jfail(c, "bad escape in a string");
		}
	}
	if (c->s >= c->end) {
		free(dst);
		return h_jfail(c, "unterminated string");
	}
	c->s++;
	dst[n] = '\0';
	if (out != NULL) {
		*out = h_keep(dst);
		*outlen = n;
	} else {
		free(dst);
	}
	return 0;
}

static int
h_jnumber(struct h_jctx *c)
{
	const char *s = c->s;

	if (s < c->end && *s == '-')
		s++;
	if (s < c->end && *s == '0') {
		s++;
	} else if (s < c->end && *s >= '1' && *s <= '9') {
		while (s < c->end && *s >= '0' && *s <= '9')
			s++;
	} else {
		return h_jfail(c, "bad number");
	}
	if (s < c->end && *s == '.') {
		s++;
		if (s >= c->end || *s < '0' || *s > '9')
			return h_jfail(c, "bad fraction");
		while (s < c->end && *s >= '0' && *s <= '9')
			s++;
	}
	if (s < c->end && (*s == 'e' || *s == 'E')) {
		s++;
		if (s < c->end && (*s == '+' || *s == '-'))
			s++;
		if (s >= c->end || *s < '0' || *s > '9')
			return h_jfail(c, "bad exponent");
		while (s < c->end && *s >= '0' && *s <= '9')
			s++;
	}
	c->s = s;
	return 0;
}

static int h_jvalue(struct h_jctx *c, int depth, struct h_json_member *m);

/* An object or array body after its opening bracket. */
static int
h_jcontainer(struct h_jctx *c, int depth, char close, struct h_json *top)
{
	h_jws(c);
	if (c->s < c->end && *c->s == close) {
		c->s++;
		return 0;
	}
	for (;;) {
		struct h_json_member scratch, *m = &scratch;

		memset(&scratch, 0, sizeof scratch);
		h_jws(c);
		if (close == '}') {
			char *key;
			size_t klen;

			if (h_jstring(c, &key, &klen) == -1)
				return -1;
			if (top != NULL && top->n < 32)
				m = &top->m[top->n++];
			m->key = key;
			h_jws(c);
			if (c->s >= c->end || *c->s++ != ':')
				return h_jfail(c, "expected ':'");
			h_jws(c);
		}
		if (h_jvalue(c, depth + 1, m) == -1)
			return -1;
		h_jws(c);
		if (c->s < c->end && *c->s == ',') {
			c->s++;
			continue;
		}
		if (c->s < c->end && *c->s == close) {
			c->s++;
			return 0;
		}
		return h_jfail(c, "expected ',' or a closing bracket");
	}
}

static int
h_jvalue(struct h_jctx *c, int depth, struct h_json_member *m)
{
	const char *start = c->s;

	if (depth > 64)
		return h_jfail(c, "nested too deep");
	if (c->s >= c->end)
		return h_jfail(c, "expected a value");
	switch (*c->s) {
	case '"':
		m->type = H_JSON_STRING;
		return h_jstring(c, &m->str, &m->len);
	case '{':
		c->s++;
		m->type = H_JSON_OTHER;
		return h_jcontainer(c, depth, '}', NULL);
	case '[':
		c->s++;
		m->type = H_JSON_OTHER;
		return h_jcontainer(c, depth, ']', NULL);
	case 't':
	case 'f':
	case 'n': {
		static const char *const words[] = { "true", "false", "null" };
		size_t i;

		m->type = H_JSON_OTHER;
		for (i = 0; i < 3; i++) {
			size_t wl = strlen(words[i]);

			if ((size_t)(c->end - c->s) >= wl &&
			    memcmp(c->s, words[i], wl) == 0) {
				c->s += wl;
				return 0;
			}
		}
		return h_jfail(c, "bad literal");
	}
	default:
		if (h_jnumber(c) == -1)
			return -1;
		m->type = H_JSON_NUMBER;
		m->len = (size_t)(c->s - start);
		m->str = h_keep(h_alloc(m->len + 1));
		memcpy(m->str, start, m->len);
		m->num = strtod(m->str, NULL);
		return 0;
	}
}

int
h_json_parse(const char *line, size_t len, struct h_json *out,
    const char **why)
{
	struct h_jctx c = { line, line + len, NULL };

	memset(out, 0, sizeof *out);
	h_jws(&c);
	if (c.s >= c.end || *c.s != '{') {
		*why = "not an object";
		return -1;
	}
	c.s++;
	if (h_jcontainer(&c, 0, '}', out) == -1) {
		*why = c.why;
		return -1;
	}
	h_jws(&c);
	if (c.s != c.end) {
		*why = "bytes after the object";
		return -1;
	}
	return 0;
}

const struct h_json_member *
h_json_get(const struct h_json *j, const char *key)
{
	size_t i;

	for (i = 0; i < j->n; i++) {
		if (strcmp(j->m[i].key, key) == 0)
			return &j->m[i];
	}
	return NULL;
}
