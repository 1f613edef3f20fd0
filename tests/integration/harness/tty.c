/*
 * Programs on a terminal of their own: see tty.h for the contract.
 */
#include "tty.h"

#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define TTY_MAX_PROCS 16

static struct tty_proc *tty_procs[TTY_MAX_PROCS];
static size_t tty_nprocs;

static void
tty_buf_add(struct h_buf *b, const char *data, size_t len)
{
	size_t cap = b->cap ? b->cap : 4096;
	char *d;

	while (cap < b->len + len + 1)
		cap *= 2;
	if (cap != b->cap) {
		if ((d = realloc(b->data, cap)) == NULL)
			cr_assert_fail("tty: out of memory");
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

/* The harness's rules for the environment, plus the test's changes. */
static char **
tty_env(const struct tty_opts *o)
{
	const char *changes[H_ENV_MAX + 4];
	size_t nchanges = 0, count = 0, n = 0, i, j;
	char **env;

	changes[nchanges++] = h_fmt("XDG_RUNTIME_DIR=%s", h_dir());
	changes[nchanges++] = h_fmt("XDG_STATE_HOME=%s/state", h_dir());
	changes[nchanges++] = "COLUMNS";
	changes[nchanges++] = "LINES";
	for (i = 0; o != NULL && i < H_ENV_MAX && o->env[i] != NULL; i++)
		changes[nchanges++] = o->env[i];
	while (environ[count] != NULL)
		count++;
	env = calloc(count + nchanges + 1, sizeof *env);
	cr_assert(env != NULL);
	for (i = 0; i < count; i++) {
		size_t klen = strcspn(environ[i], "=");
		int drop = 0;

		for (j = 0; j < nchanges; j++)
			if (strcspn(changes[j], "=") == klen &&
			    strncmp(changes[j], environ[i], klen) == 0)
				drop = 1;
		if (!drop)
			env[n++] = environ[i];
	}
	for (j = 0; j < nchanges; j++)
		if (strchr(changes[j], '=') != NULL)
			env[n++] = (char *)changes[j];
	env[n] = NULL;
	return env;
}

static void __attribute__((noreturn))
tty_exec(int slave, int err_fd, char *const *argv, char **env)
{
	sigset_t none;
	int sig;

	setsid();
	ioctl(slave, TIOCSCTTY, 0);
	dup2(slave, 0);
	dup2(slave, 1);
	dup2(err_fd != -1 ? err_fd : slave, 2);
	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	close_range(3, ~0U, 0);
	execve(argv[0], argv, env);
	_exit(127);
}

struct tty_proc *
tty_start(const struct tty_opts *o, const char *const *argv)
{
	struct winsize ws = { 24, 80, 0, 0 };
	struct tty_proc *t;
	int errp[2] = { -1, -1 };
	char **env;

	cr_assert(tty_nprocs < TTY_MAX_PROCS, "too many terminals");
	t = calloc(1, sizeof *t);
	cr_assert(t != NULL);
	t->err_fd = -1;
	tty_buf_add(&t->out, "", 0);
	tty_buf_add(&t->err, "", 0);
	if (o != NULL && o->cols != 0)
		ws.ws_col = o->cols;
	if (o != NULL && o->rows != 0)
		ws.ws_row = o->rows;
	if (openpty(&t->master, &t->slave, NULL, o != NULL ? o->modes : NULL,
	    &ws) == -1)
		cr_assert_fail("openpty: %s", strerror(errno));
	fcntl(t->master, F_SETFD, FD_CLOEXEC);
	fcntl(t->slave, F_SETFD, FD_CLOEXEC);
	if (tcgetattr(t->slave, &t->initial) == -1)
		cr_assert_fail("tcgetattr: %s", strerror(errno));
	if (o != NULL && o->stderr_pipe &&
	    pipe2(errp, O_CLOEXEC) == -1)
		cr_assert_fail("pipe: %s", strerror(errno));
	env = tty_env(o);
	t->pid = fork();
	if (t->pid == -1)
		cr_assert_fail("fork: %s", strerror(errno));
	if (t->pid == 0)
		tty_exec(t->slave, errp[1], (char *const *)argv, env);
	free(env);
	if (errp[1] != -1)
		close(errp[1]);
	t->err_fd = errp[0];
	fcntl(t->master, F_SETFL, fcntl(t->master, F_GETFL) | O_NONBLOCK);
	if (t->err_fd != -1)
		fcntl(t->err_fd, F_SETFL, fcntl(t->err_fd, F_GETFL) |
		    O_NONBLOCK);
	tty_procs[tty_nprocs++] = t;
	return t;
}

/* Reads fd until it has nothing more for now. */
static void
tty_read(int fd, struct h_buf *b)
{
	char chunk[65536];
	ssize_t n;

	while ((n = read(fd, chunk, sizeof chunk)) > 0)
		tty_buf_add(b, chunk, (size_t)n);
}

void
tty_pump(struct tty_proc *t, double timeout)
{
	struct pollfd pfd[2];
	int n = 0;

	pfd[n].fd = t->master;
	pfd[n++].events = POLLIN;
	if (t->err_fd != -1) {
		pfd[n].fd = t->err_fd;
		pfd[n++].events = POLLIN;
	}
	if (poll(pfd, (nfds_t)n, (int)(timeout * 1000)) <= 0)
		return;
	tty_read(t->master, &t->out);
	if (t->err_fd != -1 && (pfd[1].revents & (POLLIN | POLLHUP))) {
		char chunk[4096];
		ssize_t r = read(t->err_fd, chunk, sizeof chunk);

		if (r > 0)
			tty_buf_add(&t->err, chunk, (size_t)r);
		else if (r == 0) {
			close(t->err_fd);
			t->err_fd = -1;
			t->err.eof = 1;
		}
	}
}

int
tty_wait_from(struct tty_proc *t, size_t from, const char *needle,
    double timeout)
{
	double deadline = h_now() + timeout;

	for (;;) {
		if (t->out.len >= from &&
		    memmem(t->out.data + from, t->out.len - from, needle,
		    strlen(needle)) != NULL)
			return 1;
		if (h_now() >= deadline)
			return 0;
		tty_pump(t, 0.05);
	}
}

int
tty_wait_err(struct tty_proc *t, const char *needle, double timeout)
{
	double deadline = h_now() + timeout;

	for (;;) {
		if (strstr(t->err.data, needle) != NULL)
			return 1;
		if (h_now() >= deadline)
			return 0;
		tty_pump(t, 0.05);
	}
}

void
tty_type(struct tty_proc *t, const void *buf, size_t len)
{
	const char *p = buf;
	double deadline = h_now() + H_TIMEOUT;
	ssize_t n;

	while (len > 0 && h_now() < deadline) {
		n = write(t->master, p, len);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
		} else if (n == -1 && errno != EAGAIN && errno != EINTR)
			cr_assert_fail("typing: %s", strerror(errno));
		else
			tty_pump(t, 0.01);
	}
	cr_assert(len == 0, "the terminal took no more keys\n%s",
	    tty_context(t));
}

static int
tty_reap(struct tty_proc *t, int options)
{
	int st;
	pid_t r;

	if (t->reaped)
		return 1;
	r = waitpid(t->pid, &st, options);
	if (r != t->pid)
		return 0;
	t->reaped = 1;
	t->signaled = WIFSIGNALED(st);
	t->status = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
	return 1;
}

int
tty_wait_exit(struct tty_proc *t, double timeout)
{
	double deadline = h_now() + timeout;

	while (!tty_reap(t, WNOHANG)) {
		if (h_now() >= deadline)
			return -1;
		tty_pump(t, 0.02);
	}
	/*
	 * What it wrote last is on its way through the pty: read until the
	 * terminal has been quiet for a moment (and stderr, if a pipe, ends).
	 */
	for (;;) {
		size_t before = t->out.len + t->err.len;

		tty_pump(t, 0.1);
		if (t->out.len + t->err.len == before && t->err_fd == -1)
			break;
		if (h_now() >= deadline)
			break;
	}
	return t->status;
}

void
tty_resize(struct tty_proc *t, unsigned short cols, unsigned short rows)
{
	struct winsize ws = { rows, cols, 0, 0 };

	if (ioctl(t->master, TIOCSWINSZ, &ws) == -1)
		cr_assert_fail("TIOCSWINSZ: %s", strerror(errno));
}

int
tty_wait_raw(struct tty_proc *t, double timeout)
{
	double deadline = h_now() + timeout;
	struct termios m;

	for (;;) {
		tty_modes(t, &m);
		if (!(m.c_lflag & ICANON))
			return 1;
		if (h_now() >= deadline || tty_reap(t, WNOHANG))
			return 0;
		tty_pump(t, 0.02);
	}
}

void
tty_modes(const struct tty_proc *t, struct termios *modes)
{
	if (tcgetattr(t->slave, modes) == -1)
		cr_assert_fail("tcgetattr: %s", strerror(errno));
}

int
tty_same_modes(const struct termios *a, const struct termios *b)
{
	return a->c_iflag == b->c_iflag && a->c_oflag == b->c_oflag &&
	    a->c_cflag == b->c_cflag && a->c_lflag == b->c_lflag &&
	    memcmp(a->c_cc, b->c_cc, sizeof a->c_cc) == 0 &&
	    cfgetispeed(a) == cfgetispeed(b) &&
	    cfgetospeed(a) == cfgetospeed(b);
}

const char *
tty_context(const struct tty_proc *t)
{
	return h_fmt("--- terminal (%zu bytes) ---\n%s\n--- stderr ---\n%s",
	    t->out.len, h_show(t->out.data, t->out.len, 2000),
	    h_show(t->err.data, t->err.len, 1000));
}

void
tty_teardown(void)
{
	size_t i;

	for (i = 0; i < tty_nprocs; i++) {
		struct tty_proc *t = tty_procs[i];
		double deadline = h_now() + 10;

		if (!t->reaped) {
			kill(t->pid, SIGTERM);
			while (!tty_reap(t, WNOHANG) && h_now() < deadline)
				tty_pump(t, 0.02);
			if (!t->reaped) {
				kill(t->pid, SIGKILL);
				waitpid(t->pid, NULL, 0);
			}
		}
		close(t->master);
		close(t->slave);
		if (t->err_fd != -1)
			close(t->err_fd);
		free(t->out.data);
		free(t->err.data);
		free(t);
	}
	tty_nprocs = 0;
}
