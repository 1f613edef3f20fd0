/*
 * latency: round trip of one input line through each of ptyplex's input
 * routes, against the same round trip on a bare pty.
 *
 *     latency [-n COUNT] [PTYPLEX]
 *
 * PTYPLEX defaults to $PTYPLEX, else build/ptyplex. The child is `cat` on a
 * pty in canonical mode with ECHO off, as ptyplex sets it up: it gets a
 * line when its newline arrives and writes it straight back. Each row
 * sends COUNT (default 1000) lines "line N", one at a time, and times each
 * from just before it is sent until the line is back:
 *
 *   pty     the program holds cat's pty master: write the line, read it
 *           back (as "line N\r\n"). The floor: one pty hop each way.
 *   stdin   ptyplex 'A=cat' with stdin and stdout on pipes: write the line
 *           to stdin, wait for "A: line N" on stdout
 *   fifo    ptyplex --fifo A=PATH: each line is one writer (open, write,
 *           close, as `echo line > PATH`)
 *   socket  one control connection, kept open: a SEND per line (the wire
 *           protocol spoken here directly), OK awaited after the line
 *   send    `ptyplex send A line N` per line: what a user sees, process
 *           start-up, connect and HELLO included
 *
 * Prints, per row, the median, p90, p99 and max in microseconds. Every run
 * uses its own XDG_RUNTIME_DIR under $TMPDIR, so no real session is
 * touched. Build: cc -O2 -Wall -Wextra -Werror -std=gnu11 latency.c -lutil
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <utmp.h>

#define DEADLINE_MS 10000
#define BUF_SIZE 65536

static const char *ptyplex;
static char rundir[256];

/* What a row's reader has read and not matched yet. */
struct reader {
	int fd;
	char buf[BUF_SIZE];
	size_t len;
};

static void
die(const char *what)
{
	fprintf(stderr, "latency: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void
fail(const char *what)
{
	fprintf(stderr, "latency: %s\n", what);
	exit(2);
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			die("write");
		p += n;
		len -= (size_t)n;
	}
}

/* Reads until needle has arrived; drops everything up to its end. */
static void
wait_for(struct reader *r, const char *needle)
{
	struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
	size_t nlen = strlen(needle);
	double deadline = now_us() + DEADLINE_MS * 1000.0;
	char *hit;
	ssize_t n;

	for (;;) {
		hit = memmem(r->buf, r->len, needle, nlen);
		if (hit != NULL) {
			r->len -= (size_t)(hit + nlen - r->buf);
			memmove(r->buf, hit + nlen, r->len);
			return;
		}
		if (r->len > BUF_SIZE / 2) {
			/* Keep the tail, where a needle may have begun. */
			memmove(r->buf, r->buf + r->len - nlen, nlen);
			r->len = nlen;
		}
		if (now_us() > deadline)
			fail("timed out waiting for a line to come back");
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = read(r->fd, r->buf + r->len, BUF_SIZE - r->len);
		if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR))
			fail("the echo went away");
		if (n > 0)
			r->len += (size_t)n;
	}
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
report(const char *label, double *us, int count)
{
	qsort(us, (size_t)count, sizeof *us, cmp_double);
	printf("| %-7s | %9.0f | %9.0f | %9.0f | %9.0f |\n", label,
	    us[count / 2], us[count * 9 / 10], us[count * 99 / 100],
	    us[count - 1]);
	fflush(stdout);
}

typedef void send_fn(void *arg, const char *line, size_t len);

/* Times count lines: send each, wait for expect(i) on r. */
static void
measure(const char *label, int count, send_fn *send_line, void *arg,
    struct reader *r, const char *prefix, const char *eol)
{
	double *us = calloc((size_t)count, sizeof *us), t0;
	char line[64], expect[96];
	int i;

	if (us == NULL)
		die("calloc");
	/* Warm up: the first round trip pays for page faults. */
	for (i = -10; i < count; i++) {
		snprintf(line, sizeof line, "line %d\n", i);
		snprintf(expect, sizeof expect, "%sline %d%s", prefix, i, eol);
		t0 = now_us();
		send_line(arg, line, strlen(line));
		wait_for(r, expect);
		if (i >= 0)
			us[i] = now_us() - t0;
	}
	report(label, us, count);
	free(us);
}

static void
send_fd(void *arg, const char *line, size_t len)
{
	write_all(*(int *)arg, line, len);
}

/* cat on a bare pty, modes as ptyplex sets them: canonical, no ECHO. */
static void
row_pty(int count)
{
	struct winsize ws = { 24, 80, 0, 0 };
	struct termios t;
	struct reader *r = calloc(1, sizeof *r);
	int master, slave, status;
	pid_t pid;

	if (r == NULL || openpty(&master, &slave, NULL, NULL, &ws) == -1)
		die("openpty");
	tcgetattr(slave, &t);
	t.c_lflag &= ~(ECHO | ECHONL);
	tcsetattr(slave, TCSANOW, &t);
	if ((pid = fork()) == -1)
		die("fork");
	if (pid == 0) {
		close(master);
		login_tty(slave);
		execlp("cat", "cat", (char *)NULL);
		_exit(127);
	}
	close(slave);
	r->fd = master;
	measure("pty", count, send_fd, &master, r, "", "\r\n");
	close(master);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	free(r);
}

/* Starts ptyplex with argv; its stdout on *out, stdin on *in (if in). */
static pid_t
start_ptyplex(char *const *argv, int *in, int *out)
{
	int ip[2], op[2], null;
	pid_t pid;

	if (pipe(op) == -1 || (in != NULL && pipe(ip) == -1))
		die("pipe");
	if ((pid = fork()) == -1)
		die("fork");
	if (pid == 0) {
		if (in != NULL) {
			dup2(ip[0], 0);
			close(ip[0]);
			close(ip[1]);
		} else if ((null = open("/dev/null", O_RDONLY)) != -1) {
			dup2(null, 0);
			close(null);
		}
		dup2(op[1], 1);
		close(op[0]);
		close(op[1]);
		setenv("XDG_RUNTIME_DIR", rundir, 1);
		execv(ptyplex, argv);
		_exit(127);
	}
	close(op[1]);
	*out = op[0];
	if (in != NULL) {
		close(ip[0]);
		*in = ip[1];
	}
	return pid;
}

static void
stop_ptyplex(pid_t pid, int *fds, int nfds)
{
	int i, status;

	for (i = 0; i < nfds; i++)
		close(fds[i]);
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
}

static void
row_stdin(int count)
{
	char *argv[] = { (char *)ptyplex, "-q", "--no-socket", "A=exec cat",
	    NULL };
	struct reader *r = calloc(1, sizeof *r);
	int in, fds[2];
	pid_t pid;

	if (r == NULL)
		die("calloc");
	pid = start_ptyplex(argv, &in, &r->fd);
	measure("stdin", count, send_fd, &in, r, "A: ", "\n");
	fds[0] = in;
	fds[1] = r->fd;
	stop_ptyplex(pid, fds, 2);
	free(r);
}

/* One writer per line, as `echo line > fifo`. */
static void
send_fifo(void *arg, const char *line, size_t len)
{
	int fd = open(arg, O_WRONLY | O_CLOEXEC);

	if (fd == -1)
		die("open the fifo");
	write_all(fd, line, len);
	close(fd);
}

static void
row_fifo(int count)
{
	char path[300], arg[320];
	char *argv[] = { (char *)ptyplex, "-q", "--no-stdin", "--no-socket",
	    "--fifo", arg, "A=exec cat", NULL };
	struct reader *r = calloc(1, sizeof *r);
	struct stat st;
	pid_t pid;
	int i;

	if (r == NULL)
		die("calloc");
	snprintf(path, sizeof path, "%s/a.in", rundir);
	snprintf(arg, sizeof arg, "A=%s", path);
	pid = start_ptyplex(argv, NULL, &r->fd);
	for (i = 0; i < 1000 && stat(path, &st) == -1; i++)
		usleep(10000);
	measure("fifo", count, send_fifo, path, r, "A: ", "\n");
	stop_ptyplex(pid, &r->fd, 1);
	free(r);
}

static void
put_msg(int fd, unsigned type, const void *body, size_t len)
{
	unsigned char hdr[8] = { (unsigned char)(type >> 8),
	    (unsigned char)type, 0, 0, (unsigned char)(len >> 24),
	    (unsigned char)(len >> 16), (unsigned char)(len >> 8),
	    (unsigned char)len };
	unsigned char msg[sizeof hdr + 128];

	/* One write, as `ptyplex send` does: a split one wakes it twice. */
	if (len > sizeof msg - sizeof hdr)
		fail("message too long");
	memcpy(msg, hdr, sizeof hdr);
	memcpy(msg + sizeof hdr, body, len);
	write_all(fd, msg, sizeof hdr + len);
}

static int
connect_to(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd, i;

	snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
	for (i = 0; i < 1000; i++) {
		if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
			die("socket");
		if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0)
			return fd;
		close(fd);
		usleep(10000);
	}
	die("connect to the session");
	return -1;
}

static void
read_exact(int fd, void *buf, size_t len)
{
	char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = read(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			fail("the session closed the connection");
		p += n;
		len -= (size_t)n;
	}
}

/* SEND: name "A" (length 1), then the line. */
static void
send_socket(void *arg, const char *line, size_t len)
{
	char body[80];

	body[0] = 1;
	body[1] = 'A';
	memcpy(body + 2, line, len);
	put_msg(*(int *)arg, 2, body, len + 2);
}

static void
row_socket(int count, const char *sock)
{
	static const char hello[4] = { 0, 0, 0, 1 };
	static const char hello_reply[12] = { 0, 1, 0, 0, 0, 0, 0, 4,
	    0, 0, 0, 1 };
	static const char ok[8] = { 0, 12, 0, 0, 0, 0, 0, 0 };
	double *us = calloc((size_t)count, sizeof *us), t0;
	char *argv[] = { (char *)ptyplex, "-q", "--no-stdin", "-S",
	    (char *)sock, "A=exec cat", NULL };
	struct reader *r = calloc(1, sizeof *r);
	char line[64], expect[96], reply[12];
	pid_t pid;
	int i, fd;

	if (us == NULL || r == NULL)
		die("calloc");
	pid = start_ptyplex(argv, NULL, &r->fd);
	fd = connect_to(sock);
	put_msg(fd, 1, hello, sizeof hello);
	read_exact(fd, reply, sizeof hello_reply);
	if (memcmp(reply, hello_reply, sizeof hello_reply) != 0)
		fail("no HELLO from the session");
	for (i = -10; i < count; i++) {
		snprintf(line, sizeof line, "line %d\n", i);
		snprintf(expect, sizeof expect, "A: line %d\n", i);
		t0 = now_us();
		send_socket(&fd, line, strlen(line));
		wait_for(r, expect);
		if (i >= 0)
			us[i] = now_us() - t0;
		/* The OK, outside the timing: it comes before the echo. */
		read_exact(fd, reply, sizeof ok);
		if (memcmp(reply, ok, sizeof ok) != 0)
			fail("the session refused a SEND");
	}
	report("socket", us, count);
	close(fd);
	stop_ptyplex(pid, &r->fd, 1);
	free(us);
	free(r);
}

/* `ptyplex send -S SOCK A line N`, the client reaped after the echo. */
static void
send_command(void *arg, const char *line, size_t len)
{
	char text[64];
	char *argv[] = { (char *)ptyplex, "send", "-S", arg, "A", text, NULL };
	pid_t pid;

	/* TEXT gets its newline from send itself. */
	snprintf(text, sizeof text, "%.*s", (int)len - 1, line);
	if ((pid = fork()) == -1)
		die("fork");
	if (pid == 0) {
		setenv("XDG_RUNTIME_DIR", rundir, 1);
		execv(ptyplex, argv);
		_exit(127);
	}
}

static void
row_send(int count, const char *sock)
{
	char *argv[] = { (char *)ptyplex, "-q", "--no-stdin", "-S",
	    (char *)sock, "A=exec cat", NULL };
	struct reader *r = calloc(1, sizeof *r);
	int status;
	pid_t pid;

	if (r == NULL)
		die("calloc");
	pid = start_ptyplex(argv, NULL, &r->fd);
	close(connect_to(sock));
	measure("send", count, send_command, (void *)sock, r, "A: ", "\n");
	while (waitpid(-1, &status, WNOHANG) > 0)
		;
	stop_ptyplex(pid, &r->fd, 1);
	free(r);
}

int
main(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR");
	char sock[300];
	int count = 1000, opt;

	while ((opt = getopt(argc, argv, "n:")) != -1) {
		if (opt != 'n' || (count = atoi(optarg)) < 10)
			fail("usage: latency [-n COUNT (10 or more)] [PTYPLEX]");
	}
	ptyplex = optind < argc ? argv[optind] : getenv("PTYPLEX");
	if (ptyplex == NULL)
		ptyplex = "build/ptyplex";
	if (access(ptyplex, X_OK) == -1)
		die(ptyplex);
	snprintf(rundir, sizeof rundir, "%s/ptyplex-latency-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(rundir) == NULL)
		die("mkdtemp");
	snprintf(sock, sizeof sock, "%s/bench.sock", rundir);
	signal(SIGPIPE, SIG_IGN);

	printf("%d lines per row, microseconds\n\n", count);
	printf("| route   |    median |       p90 |       p99 |       max |\n");
	printf("|---------|-----------|-----------|-----------|-----------|\n");
	row_pty(count);
	row_stdin(count);
	row_fifo(count);
	row_socket(count, sock);
	row_send(count, sock);
	rmdir(rundir);
	return 0;
}
