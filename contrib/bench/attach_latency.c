/*
 * attach_latency: keystroke-to-echo latency through `ptyplex attach`,
 * against the same echo on a bare pty and through `ptyplex --raw`.
 *
 *     attach_latency [-n COUNT] [PTYPLEX]
 *
 * PTYPLEX defaults to $PTYPLEX, else build/ptyplex. Each row types COUNT
 * (default 1000) single keys, one at a time, into a terminal the program
 * holds (a pty master), and times each key until the same byte comes back
 * on that terminal. The echo comes from `cat` on a pty in raw mode, so no
 * line discipline waits for a newline and nothing is echoed twice:
 *
 *   direct  the terminal is cat's own pty: the floor, one pty hop each way
 *   raw     ptyplex --raw 'A=stty raw -echo; exec cat': two pty hops
 *   attach  a session runs the same A; `ptyplex attach A` runs on the
 *           terminal: two pty hops and the control socket both ways
 *
 * Prints, per row, the median, p90, p99 and max in microseconds. Every run
 * uses its own XDG_RUNTIME_DIR under $TMPDIR, so no real session is
 * touched. Build: cc -O2 -Wall -Wextra -Werror -std=gnu11 attach_latency.c
 * -lutil
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define ECHO_CHILD "stty raw -echo; exec cat"
#define DEADLINE_MS 10000

static const char *ptyplex;
static char rundir[256];

static void
die(const char *what)
{
	fprintf(stderr, "attach_latency: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void
fail(const char *what)
{
	fprintf(stderr, "attach_latency: %s\n", what);
	exit(2);
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Starts argv on a new terminal (its controlling one); returns the master. */
static int
start_on_pty(char *const *argv, pid_t *pid)
{
	struct winsize ws = { 24, 80, 0, 0 };
	int master;

	*pid = forkpty(&master, NULL, NULL, &ws);
	if (*pid == -1)
		die("forkpty");
	if (*pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
	return master;
}

/* Reads and forgets whatever the terminal shows within ms. */
static void
drain(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[4096];

	while (poll(&pfd, 1, ms) == 1 && read(fd, buf, sizeof buf) > 0)
		;
}

/* Waits until byte c shows on the terminal; -1 after ms. */
static int
wait_byte(int fd, char c, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	double deadline = now_us() + ms * 1e3;
	char buf[4096];
	ssize_t n;

	for (;;) {
		int left = (int)((deadline - now_us()) / 1e3);

		if (left <= 0 || poll(&pfd, 1, left) != 1)
			return -1;
		n = read(fd, buf, sizeof buf);
		if (n == -1 && errno == EAGAIN)
			continue;
		if (n <= 0)
			return -1;
		if (memchr(buf, c, (size_t)n) != NULL)
			return 0;
	}
}

/* Echo works once cat's pty is raw: type a probe until it comes back. */
static void
wait_echo(int fd)
{
	double deadline = now_us() + DEADLINE_MS * 1e3;

	while (now_us() < deadline) {
		if (write(fd, "#", 1) != 1)
			die("write");
		if (wait_byte(fd, '#', 100) == 0) {
			drain(fd, 200);
			return;
		}
	}
	fail("the echo never came");
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
measure(const char *label, int fd, int count)
{
	double *t = calloc((size_t)count, sizeof *t);
	int i;

	if (t == NULL)
		die("calloc");
	for (i = 0; i < count; i++) {
		char c = (char)('a' + i % 26);
		double t0 = now_us();

		if (write(fd, &c, 1) != 1)
			die("write");
		if (wait_byte(fd, c, DEADLINE_MS) == -1)
			fail("a key was not echoed");
		t[i] = now_us() - t0;
	}
	qsort(t, (size_t)count, sizeof *t, cmp_double);
	printf("| %-7s | %6d | %9.1f | %8.1f | %8.1f | %8.1f |\n", label,
	    count, t[count / 2], t[count * 90 / 100], t[count * 99 / 100],
	    t[count - 1]);
	fflush(stdout);
	free(t);
}

static void
finish(pid_t pid)
{
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

static void
row_direct(int count)
{
	char *argv[] = { "sh", "-c", ECHO_CHILD, NULL };
	pid_t pid;
	int fd = start_on_pty(argv, &pid);

	wait_echo(fd);
	measure("direct", fd, count);
	finish(pid);
	close(fd);
}

static void
row_raw(int count)
{
	char *argv[] = { (char *)ptyplex, "-q", "--raw", "--no-socket",
	    "A=" ECHO_CHILD, NULL };
	pid_t pid;
	int fd = start_on_pty(argv, &pid);

	wait_echo(fd);
	measure("raw", fd, count);
	finish(pid);
	close(fd);
}

/* A background session on /dev/null; attach on our terminal. */
static void
row_attach(int count)
{
	char *session[] = { (char *)ptyplex, "-q", "--no-stdin", "-s",
	    "latency", "A=" ECHO_CHILD, NULL };
	char *attach[] = { (char *)ptyplex, "attach", "-s", "latency", "A",
	    NULL };
	char sock[512];
	double deadline = now_us() + DEADLINE_MS * 1e3;
	struct termios t;
	pid_t spid, apid;
	int null, fd;

	snprintf(sock, sizeof sock, "%s/ptyplex/latency.sock", rundir);
	if ((spid = fork()) == -1)
		die("fork");
	if (spid == 0) {
		null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		setsid();
		execv(ptyplex, session);
		_exit(127);
	}
	while (access(sock, F_OK) == -1 && now_us() < deadline)
		usleep(1000);
	fd = start_on_pty(attach, &apid);
	/* Attached once the client has put its terminal in raw mode. */
	while (tcgetattr(fd, &t) == 0 && (t.c_lflag & ICANON) &&
	    now_us() < deadline)
		usleep(1000);
	wait_echo(fd);
	measure("attach", fd, count);
	if (write(fd, "\034", 1) != 1)
		die("write");
	waitpid(apid, NULL, 0);
	close(fd);
	finish(spid);
}

int
main(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR");
	char sock[512];
	int count = 1000, c;

	while ((c = getopt(argc, argv, "n:")) != -1) {
		if (c != 'n' || (count = atoi(optarg)) < 1) {
			fprintf(stderr, "usage: attach_latency [-n COUNT] "
			    "[PTYPLEX]\n");
			return 2;
		}
	}
	ptyplex = optind < argc ? argv[optind] : getenv("PTYPLEX");
	if (ptyplex == NULL)
		ptyplex = "build/ptyplex";
	if (access(ptyplex, X_OK) == -1)
		die(ptyplex);
	snprintf(rundir, sizeof rundir, "%s/attach-latency.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(rundir) == NULL)
		die("mkdtemp");
	setenv("XDG_RUNTIME_DIR", rundir, 1);
	setenv("XDG_STATE_HOME", rundir, 1);
	signal(SIGPIPE, SIG_IGN);
	printf("| row     |   keys | median µs |   p90 µs |   p99 µs |   max µs |\n"
	    "|---------|-------:|----------:|---------:|---------:|---------:|\n");
	row_direct(count);
	row_raw(count);
	row_attach(count);
	snprintf(sock, sizeof sock, "%s/ptyplex", rundir);
	rmdir(sock);
	rmdir(rundir);
	return 0;
}
