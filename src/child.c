#include "ptyplex/child.h"

#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <utmp.h>

#include <event2/event.h>

#include "ptyplex/attach_server.h"
#include "ptyplex/framer.h"
#include "ptyplex/input.h"
#include "ptyplex/log.h"
#include "ptyplex/matchbuf.h"
#include "ptyplex/options.h"
#include "ptyplex/scrollback.h"
#include "ptyplex/session.h"
#include "ptyplex/term.h"
#include "ptyplex/transcript.h"
#include "ptyplex/xalloc.h"

#define CHILD_READ_SIZE 65536
/*
 * A pty master reads at most this much at once (Linux's line discipline
 * buffer less one byte): a read this long emptied a full buffer, and the
 * kernel most likely holds more of the same output.
 */
#define CHILD_PTY_FULL 4095

extern char **environ;

static void child_read_cb(evutil_socket_t fd, short what, void *arg);
static void child_drain_cb(evutil_socket_t fd, short what, void *arg);
static void child_flush_cb(evutil_socket_t fd, short what, void *arg);
static void child_emit(void *arg, const char *line, size_t len,
    enum framer_kind kind);

struct child *
child_new(struct session *s, unsigned index, const char *name,
    const char *command)
{
	struct child *c = xcalloc(1, sizeof *c);

	c->session = s;
	c->index = index;
	c->name = xstrdup(name);
	c->command = xstrdup(command);
	c->state = CHILD_HELD;
	c->master = -1;
	c->framer = framer_new(s->opts->max_line, child_emit, c);
	/* Without a socket nobody can attach: keep no scrollback to replay. */
	c->scrollback = scrollback_new(s->opts->no_socket ? 0 :
	    s->opts->scrollback);
	c->input = input_queue_new(s->base, session_input_room, s);
	c->drain_ev = evtimer_new(s->base, child_drain_cb, c);
	c->flush_ev = evtimer_new(s->base, child_flush_cb, c);
	if (c->drain_ev == NULL || c->flush_ev == NULL)
		fatalx("child: cannot allocate events");
	output_source_init(&c->src, c->name, index);
	return c;
}

void
child_free(struct child *c)
{
	if (c == NULL)
		return;
	if (c->read_ev != NULL)
		event_free(c->read_ev);
	event_free(c->drain_ev);
	event_free(c->flush_ev);
	if (c->master != -1)
		close(c->master);
	input_queue_free(c->input);
	framer_free(c->framer);
	transcript_free(c->transcript);
	scrollback_free(c->scrollback);
	matchbuf_free(c->match);
	free(c->name);
	free(c->command);
	free(c);
}

/* The child's environment: ours, plus its name and session, less sizes. */
static char **
child_build_env(const struct child *c)
{
	const char *term = getenv("TERM");
	size_t n = 0, i, used = 0;
	char **env;

	while (environ[n] != NULL)
		n++;
	env = xcalloc(n + 4, sizeof *env);
	for (i = 0; i < n; i++) {
		const char *e = environ[i];
		if (strncmp(e, "PTYPLEX_NAME=", 13) == 0 ||
		    strncmp(e, "PTYPLEX_SESSION=", 16) == 0 ||
		    strncmp(e, "COLUMNS=", 8) == 0 ||
		    strncmp(e, "LINES=", 6) == 0 ||
		    strcmp(e, "TERM=") == 0)
			continue;
		env[used++] = xstrdup(e);
	}
	env[used++] = xasprintf("PTYPLEX_NAME=%s", c->name);
	env[used++] = xasprintf("PTYPLEX_SESSION=%s", c->session->name);
	if (term == NULL || *term == '\0')
		env[used++] = xstrdup("TERM=xterm-256color");
	env[used] = NULL;
	return env;
}

static void
child_free_env(char **env)
{
	size_t i;

	for (i = 0; env[i] != NULL; i++)
		free(env[i]);
	free(env);
}

/*
 * --raw: the modes of our terminal as the user had them, else the kernel's
 * defaults; echo on either way, since a user types into it.
 */
static void
child_raw_modes(int slave)
{
	struct termios t;

	if (term_get_modes(STDIN_FILENO, &t) == -1 &&
	    tcgetattr(slave, &t) == -1)
		return;
	t.c_lflag |= ECHO;
	tcsetattr(slave, TCSANOW, &t);
}

/* Modes and size go on the pty before the child runs: no early echo. */
static int
child_open_pty(struct child *c, int *master, int *slave, char **cause)
{
	struct winsize ws = c->session->winsize;
	struct termios t;

	if (openpty(master, slave, NULL, NULL, &ws) == -1) {
		*cause = xasprintf("%s: cannot open a pty: %s", c->name,
		    strerror(errno));
		return -1;
	}
	fcntl(*master, F_SETFD, FD_CLOEXEC);
	fcntl(*slave, F_SETFD, FD_CLOEXEC);
	fcntl(*master, F_SETFL, fcntl(*master, F_GETFL) | O_NONBLOCK);
	if (c->session->opts->raw) {
		child_raw_modes(*slave);
	} else if (tcgetattr(*slave, &t) == 0) {
		if (!c->session->opts->echo)
			t.c_lflag &= ~(ECHO | ECHONL);
		tcsetattr(*slave, TCSANOW, &t);
	}
	return 0;
}

/*
 * In the new process, which shares our memory until the exec (vfork):
 * system calls only, nothing written but its own stack. COMMAND runs under
 * /bin/sh, so a missing command is sh's status 127; only a missing shell
 * fails here, said on the child's own pty.
 */
static void __attribute__((noreturn))
child_exec(int slave, const char *command, char **env,
    const sigset_t *oldmask)
{
	static const char msg[] = "ptyplex: cannot execute /bin/sh\r\n";
	static char sh[] = "sh", dash_c[] = "-c";
	char *argv[] = { sh, dash_c, (char *)command, NULL };
	int sig;

	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigprocmask(SIG_SETMASK, oldmask, NULL);
	if (login_tty(slave) == -1)
		_exit(126);
	execve("/bin/sh", argv, env);
	if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0)
		_exit(127);
	_exit(127);
}

static void
child_started(struct child *c, pid_t pid, int master)
{
	c->pid = pid;
	c->master = master;
	c->reaped = c->closed = 0;
	c->paused = 0;
	c->state = CHILD_RUNNING;
	c->read_ev = event_new(c->session->base, master, EV_READ | EV_PERSIST,
	    child_read_cb, c);
	if (c->read_ev == NULL)
		fatalx("child: cannot allocate an event");
	event_add(c->read_ev, NULL);
	input_queue_set_fd(c->input, master);
	output_source_set_pid(&c->src, pid);
	output_started(c->session->out, &c->src);
}

/*
 * vfork, not fork: fork copies our page tables, a cost that grows with
 * every child we hold (with 1,000 children it was most of ptyplex's own
 * start-up time), and the copies are thrown away at the exec. The new
 * process borrows our memory until it execs, so it writes none of it:
 * child_exec makes system calls only, and every signal stays blocked
 * until it has reset their handlers. A function of its own, so that no
 * local of child_spawn lives across the vfork.
 */
static pid_t
child_vfork_exec(int slave, const char *command, char **env,
    const sigset_t *oldmask)
{
	pid_t pid = vfork();

	if (pid == 0)
		child_exec(slave, command, env, oldmask);
	return pid;
}

int
child_spawn(struct child *c, char **cause)
{
	sigset_t all, old;
	int master, slave;
	char **env;
	pid_t pid;

	if (child_open_pty(c, &master, &slave, cause) == -1)
		return -1;
	env = child_build_env(c);
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = child_vfork_exec(slave, c->command, env, &old);
	sigprocmask(SIG_SETMASK, &old, NULL);
	child_free_env(env);
	close(slave);
	if (pid == -1) {
		*cause = xasprintf("%s: cannot fork: %s", c->name,
		    strerror(errno));
		close(master);
		return -1;
	}
	child_started(c, pid, master);
	return 0;
}

static void
child_emit(void *arg, const char *line, size_t len, enum framer_kind kind)
{
	struct child *c = arg;

	output_line(c->session->out, &c->src, line, len,
	    kind == FRAMER_PARTIAL);
}

static void
child_arm_timer(struct event *ev, unsigned ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	event_add(ev, &tv);
}

static long long
child_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Shows the pending partial line at once: input went to the child. */
static void
child_show_partial(struct child *c)
{
	if (framer_pending(c->framer) == 0)
		return;
	event_del(c->flush_ev);
	c->flush_due = 0;
	framer_flush(c->framer);
	output_flush(c->session->out);
}

/* Feeds the framer, cutting the line where child_send() asked to. */
static void
child_feed_framer(struct child *c, const char *buf, size_t len)
{
	size_t k = len;

	if (c->cut_after > 0) {
		if (k > c->cut_after)
			k = c->cut_after;
		framer_feed(c->framer, buf, k);
		c->cut_after -= k;
		if (c->cut_after == 0)
			child_show_partial(c);
		buf += k;
		len -= k;
	}
	if (len > 0)
		framer_feed(c->framer, buf, len);
}

/* Reaped and drained: the child's story is complete. */
static void
child_finish(struct child *c)
{
	if (c->master != -1) {
		close(c->master);
		c->master = -1;
	}
	c->state = CHILD_EXITED;
	if (WIFSIGNALED(c->wait_status))
		output_exited(c->session->out, &c->src, OUTPUT_EXIT_SIGNAL,
		    WTERMSIG(c->wait_status));
	else
		output_exited(c->session->out, &c->src, OUTPUT_EXIT_STATUS,
		    WEXITSTATUS(c->wait_status));
	attach_server_child_exited(c->session->attach, c);
	session_child_finished(c->session, c);
}

/*
 * EOF on the master: show what is left and stop reading. The master itself
 * is closed once the child is reaped (child_finish): closing it now would
 * hang the pty up, and SIGHUP a child that only closed its stdout.
 */
static void
child_closed(struct child *c)
{
	if (c->closed)
		return;
	c->closed = 1;
	event_free(c->read_ev);
	c->read_ev = NULL;
	event_del(c->drain_ev);
	event_del(c->flush_ev);
	c->flush_due = 0;
	c->cut_after = 0;
	framer_finish(c->framer);
	output_flush(c->session->out);
	input_queue_close(c->input);
	if (c->reaped)
		child_finish(c);
}

static void
child_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct child *c = arg;
	char buf[CHILD_READ_SIZE];
	ssize_t n;

	(void)what;
	n = read(fd, buf, sizeof buf);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* Once the slave side is gone the master returns EIO. */
		child_closed(c);
		return;
	}
	c->read_full = n >= CHILD_PTY_FULL;
	transcript_write(c->transcript, buf, n);
	scrollback_add(c->scrollback, buf, n);
	attach_server_output(c->session->attach, c, buf, n);
	if (c->session->opts->raw)
		output_raw(c->session->out, buf, n);
	else
		child_feed_framer(c, buf, (size_t)n);
	if (framer_pending(c->framer) > 0)
		child_arm_timer(c->flush_ev, c->session->opts->flush_ms);
	/* A grandchild that goes on writing must not hold the drain open. */
	if (c->reaped && child_now_ms() < c->drain_deadline)
		child_arm_timer(c->drain_ev, CHILD_DRAIN_TIMEOUT_MS);
	/* Raw bytes, apart from the framer: a prompt is matchable at once. */
	if (c->match != NULL) {
		matchbuf_feed(c->match, buf, n);
		session_child_output(c->session, c);
	}
}

/* Nothing came for a while after the exit: a grandchild holds the pty. */
static void
child_drain_cb(evutil_socket_t fd, short what, void *arg)
{
	struct child *c = arg;

	(void)fd;
	(void)what;
	if (c->paused)
		child_arm_timer(c->drain_ev, CHILD_DRAIN_TIMEOUT_MS);
	else
		child_closed(c);
}

static void
child_flush_cb(evutil_socket_t fd, short what, void *arg)
{
	struct child *c = arg;

	(void)fd;
	(void)what;
	/* Never add to a stdout that is already backed up. */
	if (output_is_blocked(c->session->out)) {
		c->flush_due = 1;
		return;
	}
	framer_flush(c->framer);
	output_flush(c->session->out);
}


void
child_reaped(struct child *c, int wait_status)
{
	c->reaped = 1;
	c->wait_status = wait_status;
	c->drain_deadline = child_now_ms() + CHILD_DRAIN_MAX_MS;
	if (c->closed)
		child_finish(c);
	else
		child_arm_timer(c->drain_ev, CHILD_DRAIN_TIMEOUT_MS);
}

void
child_signal(struct child *c, int sig)
{
	if (c->state != CHILD_RUNNING || c->pid <= 0)
		return;
	/* The child leads its own session: its group holds its jobs too. */
	if (kill(-c->pid, sig) == -1 && !c->reaped)
		kill(c->pid, sig);
}

/*
 * While paused the child may well be writing the rest of a line we have not
 * read: the partial timer restarts from zero once reading resumes, so a
 * backed-up stdout never makes a whole line look like a prompt.
 */
void
child_set_paused(struct child *c, int paused)
{
	if (c->read_ev == NULL || c->paused == paused)
		return;
	c->paused = paused;
	if (paused) {
		event_del(c->read_ev);
		event_del(c->flush_ev);
		return;
	}
	event_add(c->read_ev, NULL);
	if (c->flush_due || framer_pending(c->framer) > 0) {
		c->flush_due = 0;
		child_arm_timer(c->flush_ev, c->session->opts->flush_ms);
	}
	/* What waited in the pty is read before the drain can end. */
	if (c->reaped)
		child_arm_timer(c->drain_ev, CHILD_DRAIN_TIMEOUT_MS);
}

/*
 * A prompt and the answer it asked for never share a line: the pending
 * partial line is shown before the answer can come. But a child whose
 * output the pty still holds was not waiting for input when it wrote that
 * output, and its pending bytes are most likely a read cut in the middle
 * of a line: the cut then comes after the bytes the pty holds, or, when
 * the kernel holds more than the pty shows (a full buffer), not at all,
 * and the partial timer shows a real prompt after its silence.
 */
void
child_send(struct child *c, const void *buf, size_t len)
{
	int queued = 0;

	if (!c->closed && c->master != -1 && !c->session->opts->raw &&
	    ioctl(c->master, FIONREAD, &queued) == 0 && queued > 0) {
		if (queued < CHILD_PTY_FULL)
			c->cut_after = (size_t)queued;
	} else if (!c->read_full)
		child_show_partial(c);
	/* For expect too, the answer to a prompt starts a line. */
	if (c->match != NULL && !c->session->opts->raw)
		matchbuf_end_line(c->match);
	input_queue_push(c->input, buf, len);
}

int
child_input_has_room(const struct child *c)
{
	return input_queue_has_room(c->input);
}

int
child_exit_code(const struct child *c)
{
	if (WIFSIGNALED(c->wait_status))
		return 128 + WTERMSIG(c->wait_status);
	return WEXITSTATUS(c->wait_status);
}

int
child_is_finished(const struct child *c)
{
	return c->state == CHILD_EXITED;
}
