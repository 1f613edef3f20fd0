#include "ptyplex/child.h"

#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <utmp.h>

#include <event2/event.h>

#include "ptyplex/framer.h"
#include "ptyplex/input.h"
#include "ptyplex/log.h"
#include "ptyplex/options.h"
#include "ptyplex/session.h"
#include "ptyplex/transcript.h"
#include "ptyplex/xalloc.h"

#define CHILD_READ_SIZE 65536

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
	if (tcgetattr(*slave, &t) == 0) {
		if (!c->session->opts->echo)
			t.c_lflag &= ~(ECHO | ECHONL);
		tcsetattr(*slave, TCSANOW, &t);
	}
	return 0;
}

/*
 * In the new process: only async-signal-safe calls. COMMAND runs under
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
	pid = fork();
	if (pid == 0)
		child_exec(slave, c->command, env, &old);
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

/* Reaped and drained: the child's story is complete. */
static void
child_finish(struct child *c)
{
	c->state = CHILD_EXITED;
	if (WIFSIGNALED(c->wait_status))
		output_exited(c->session->out, &c->src, OUTPUT_EXIT_SIGNAL,
		    WTERMSIG(c->wait_status));
	else
		output_exited(c->session->out, &c->src, OUTPUT_EXIT_STATUS,
		    WEXITSTATUS(c->wait_status));
	session_child_finished(c->session, c);
}

/* EOF on the master: show what is left and let go of the pty. */
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
	framer_finish(c->framer);
	output_flush(c->session->out);
	input_queue_close(c->input);
	close(c->master);
	c->master = -1;
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
	transcript_write(c->transcript, buf, n);
	framer_feed(c->framer, buf, n);
	output_flush(c->session->out);
	if (framer_pending(c->framer) > 0)
		child_arm_timer(c->flush_ev, c->session->opts->flush_ms);
	if (c->reaped)
		child_arm_timer(c->drain_ev, CHILD_DRAIN_TIMEOUT_MS);
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
}

void
child_send(struct child *c, const void *buf, size_t len)
{
	/* A prompt and the answer it asked for never share a line. */
	if (framer_pending(c->framer) > 0) {
		event_del(c->flush_ev);
		c->flush_due = 0;
		framer_flush(c->framer);
		output_flush(c->session->out);
	}
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
