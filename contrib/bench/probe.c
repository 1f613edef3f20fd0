/*
 * probe: one measured run of a supervisor, for the sections of `run` that
 * are not about throughput (scale, first-line latency, idle CPU, flood).
 *
 *     probe [-n LINES] [-i SECONDS] [-s SECONDS] [-o FILE] [-k]
 *           [-T SECONDS] [--] COMMAND [ARG...]
 *
 * Starts COMMAND (execvp, no shell) in a process group of its own, stdin on
 * /dev/null, stdout on a pipe that the probe reads, stderr inherited, and:
 *
 *   -n LINES    waits until LINES lines holding "first <ns>" have arrived
 *               (written by `lines --first`, <ns> its CLOCK_MONOTONIC time
 *               of writing): each line's latency is the probe's clock on
 *               arrival less <ns>. Default 0: no waiting.
 *   -i SECONDS  then measures COMMAND's CPU time over SECONDS of idling
 *               (after a settling second): utime+stime from /proc/PID/stat
 *               (clock ticks), the scheduler's run time of every thread
 *               from /proc/PID/task/TID/schedstat (ns), and the context
 *               switches of every thread (each one a wake-up)
 *   -s SECONDS  reads slowly for the first SECONDS (4 KiB, then 1 ms of
 *               sleep), then at full speed: the flood with a slow reader
 *   -o FILE     copies everything read to FILE
 *   -k          once the lines (and the idle time) are in, sends SIGTERM to
 *               the group (SIGKILL 10 s later) instead of reading until EOF
 *   -T SECONDS  gives up after SECONDS (default 120): SIGKILL, exit 1
 *
 * COMMAND's peak RSS is its VmHWM in /proc/PID/status, sampled every 5 ms
 * and at every milestone while it runs (a zombie has none), and also
 * wait4()'s ru_maxrss, the larger of COMMAND's and its reaped children's.
 *
 * Prints one line of KEY=VALUE fields on stdout: status (COMMAND's wait
 * status as a shell shows it), lines, all_ms (start to the last awaited
 * line), first_us and max_us (latencies of the first and the slowest awaited
 * line), hwm_kb, maxrss_kb, bytes (read in all), pty_nr (the kernel's ptys
 * in use when the last awaited line came), cpu_ms (COMMAND's own CPU time
 * until then, from schedstat) and, with -i, idle_ticks,
 * idle_ns, idle_switches and idle_bytes (output during the idle time).
 * Exit 0 if every awaited line came, 1 if not (EOF or timeout first), 2 on
 * bad usage. Build: cc -O2 -Wall -Wextra -Werror -std=gnu11 probe.c
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE 65536
#define SLOW_CHUNK 4096
#define SLOW_PAUSE_NS 1000000L
#define HWM_EVERY_NS 5000000LL
#define LINE_MAX_HELD 4096
#define MATCH "first "

struct cpu {
	long long ticks;    /* utime + stime, clock ticks */
	long long ns;       /* run time of every thread */
	long long switches; /* voluntary + involuntary, every thread */
};

static pid_t child = -1;
static long hwm_kb = -1;
static long long last_hwm_ns;

static void
usage(void)
{
	fputs("usage: probe [-n LINES] [-i SECONDS] [-s SECONDS] [-o FILE] "
	    "[-k] [-T SECONDS] [--] COMMAND [ARG...]\n", stderr);
	exit(2);
}

static void
die(const char *what)
{
	fprintf(stderr, "probe: %s: %s\n", what, strerror(errno));
	if (child > 0)
		kill(-child, SIGKILL);
	exit(2);
}

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static double
parse_secs(const char *s)
{
	char *end;
	double d = strtod(s, &end);

	if (end == s || *end != '\0' || d < 0)
		usage();
	return d;
}

static void
sleep_ns(long long ns)
{
	struct timespec ts = { ns / 1000000000LL, ns % 1000000000LL };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* A field of /proc/PID/status in kB, or -1 (gone, or a zombie). */
static long
status_kb(pid_t pid, const char *field)
{
	char path[64], line[256];
	size_t flen = strlen(field);
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
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

static void
sample_hwm(void)
{
	long kb = status_kb(child, "VmHWM");

	if (kb > hwm_kb)
		hwm_kb = kb;
	last_hwm_ns = now_ns();
}

static long
read_long_file(const char *path)
{
	long v = -1;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* utime + stime: fields 14 and 15, counted after the ")" of the name. */
static long long
stat_ticks(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long utime, stime;
	FILE *f;
	size_t n;
	int i;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	p++;
	/* p is at field 3 (state); skip to field 14. */
	for (i = 3; i < 14; i++) {
		p = strchr(p + 1, ' ');
		if (p == NULL)
			return -1;
	}
	if (sscanf(p, "%llu %llu", &utime, &stime) != 2)
		return -1;
	return (long long)(utime + stime);
}

/* Voluntary and involuntary context switches of one thread. */
static long long
task_switches(const char *status_path)
{
	char line[256];
	long long v, sum = 0;
	FILE *f;

	if ((f = fopen(status_path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "voluntary_ctxt_switches: %lld", &v) == 1 ||
		    sscanf(line, "nonvoluntary_ctxt_switches: %lld", &v) == 1)
			sum += v;
	}
	fclose(f);
	return sum;
}

static void
sample_cpu(pid_t pid, struct cpu *cpu)
{
	char path[300];
	struct dirent *d;
	long long ns;
	DIR *dir;
	FILE *f;

	memset(cpu, 0, sizeof *cpu);
	cpu->ticks = stat_ticks(pid);
	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	if ((dir = opendir(path)) == NULL)
		return;
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/proc/%d/task/%s/schedstat",
		    (int)pid, d->d_name);
		if ((f = fopen(path, "r")) != NULL) {
			if (fscanf(f, "%lld", &ns) == 1)
				cpu->ns += ns;
			fclose(f);
		}
		snprintf(path, sizeof path, "/proc/%d/task/%s/status",
		    (int)pid, d->d_name);
		cpu->switches += task_switches(path);
	}
	closedir(dir);
}

/* Bytes waiting in the pipe: the idle time is spent without reading. */
static long long
pending(int fd)
{
	int n = 0;

	if (ioctl(fd, FIONREAD, &n) == -1)
		return 0;
	return n;
}

/*
 * Start argv in its own process group; returns the read end of its stdout
 * once the exec has happened (a pipe marked close-on-exec reports EOF), so
 * that no sample of the peak RSS is taken from the probe's own image.
 */
static int
start(char **argv)
{
	int fds[2], ex[2], null, err = 0;
	ssize_t n;

	if (pipe2(fds, O_CLOEXEC) == -1 || pipe2(ex, O_CLOEXEC) == -1)
		die("pipe");
	if ((child = fork()) == -1)
		die("fork");
	if (child == 0) {
		setpgid(0, 0);
		if ((null = open("/dev/null", O_RDONLY)) != -1) {
			dup2(null, STDIN_FILENO);
			close(null);
		}
		dup2(fds[1], STDOUT_FILENO);
		execvp(argv[0], argv);
		err = errno;
		(void)!write(ex[1], &err, sizeof err);
		_exit(127);
	}
	/* Both sides, so a kill right after the fork finds the group. */
	setpgid(child, child);
	close(fds[1]);
	close(ex[1]);
	while ((n = read(ex[0], &err, sizeof err)) == -1 && errno == EINTR)
		;
	close(ex[0]);
	if (n > 0) {
		errno = err;
		die(argv[0]);
	}
	return fds[0];
}

struct scan {
	char held[LINE_MAX_HELD];
	size_t len;
	int want, got;
	long long first_ns, max_ns, all_ns;
};

/* One whole line: an awaited one if it holds "first <digits>". */
static void
scan_line(struct scan *sc, const char *line, size_t len, long long t)
{
	const char *m = memmem(line, len, MATCH, strlen(MATCH));
	long long stamp = 0, lat;
	const char *p;

	if (m == NULL || sc->got >= sc->want)
		return;
	p = m + strlen(MATCH);
	if (p >= line + len || *p < '0' || *p > '9')
		return;
	while (p < line + len && *p >= '0' && *p <= '9')
		stamp = stamp * 10 + (*p++ - '0');
	lat = t - stamp;
	if (sc->got == 0)
		sc->first_ns = lat;
	if (lat > sc->max_ns)
		sc->max_ns = lat;
	sc->got++;
}

static void
scan(struct scan *sc, const char *buf, size_t len, long long t)
{
	const char *end = buf + len, *nl;
	size_t k;

	while (buf < end && sc->got < sc->want) {
		nl = memchr(buf, '\n', end - buf);
		k = (nl != NULL ? nl : end) - buf;
		if (sc->len + k > sizeof sc->held)
			k = sizeof sc->held - sc->len;
		memcpy(sc->held + sc->len, buf, k);
		sc->len += k;
		if (nl == NULL)
			return;
		scan_line(sc, sc->held, sc->len, t);
		sc->len = 0;
		buf = nl + 1;
	}
}

static void
write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			die("write");
		buf += n;
		len -= (size_t)n;
	}
}

int
main(int argc, char **argv)
{
	static char buf[BUF_SIZE];
	struct scan sc = { .want = 0 };
	struct cpu c0 = { 0 }, c1 = { 0 }, cm = { 0 };
	struct pollfd pfd;
	struct rusage ru;
	double idle = 0, slow = 0, limit = 120;
	long long t0, t, deadline, slow_end, kill_at = 0, bytes = 0;
	long long idle_bytes = 0;
	long pty_nr = -1;
	int opt, out = -1, kill_when_done = 0, killed = 0, timed_out = 0;
	int st = 0, idled = 0;
	ssize_t n;
	size_t want;

	while ((opt = getopt(argc, argv, "+n:i:s:o:kT:")) != -1) {
		switch (opt) {
		case 'n':
			sc.want = atoi(optarg);
			if (sc.want < 0)
				usage();
			break;
		case 'i':
			idle = parse_secs(optarg);
			break;
		case 's':
			slow = parse_secs(optarg);
			break;
		case 'o':
			out = open(optarg, O_WRONLY | O_CREAT | O_TRUNC |
			    O_CLOEXEC, 0644);
			if (out == -1)
				die(optarg);
			break;
		case 'k':
			kill_when_done = 1;
			break;
		case 'T':
			limit = parse_secs(optarg);
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	signal(SIGPIPE, SIG_IGN);

	t0 = now_ns();
	pfd.fd = start(argv + optind);
	pfd.events = POLLIN;
	deadline = t0 + (long long)(limit * 1e9);
	slow_end = t0 + (long long)(slow * 1e9);
	sample_hwm();

	for (;;) {
		t = now_ns();
		if (t - last_hwm_ns >= HWM_EVERY_NS)
			sample_hwm();
		if (t > deadline && !timed_out) {
			timed_out = 1;
			kill(-child, SIGKILL);
		}
		if (killed && t > kill_at)
			kill(-child, SIGKILL);
		/* Every awaited line is in: idle, then stop or read on. */
		if (sc.got == sc.want && !idled && !timed_out) {
			idled = 1;
			sc.all_ns = t - t0;
			sample_hwm();
			sample_cpu(child, &cm);
			pty_nr = read_long_file("/proc/sys/kernel/pty/nr");
			if (idle > 0) {
				sleep_ns(1000000000LL);
				sample_cpu(child, &c0);
				idle_bytes = -pending(pfd.fd);
				sleep_ns((long long)(idle * 1e9));
				sample_cpu(child, &c1);
				idle_bytes += pending(pfd.fd);
				sample_hwm();
			}
			if (kill_when_done) {
				killed = 1;
				kill_at = now_ns() + 10000000000LL;
				kill(-child, SIGTERM);
			}
		}
		if (poll(&pfd, 1, 5) == -1) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if (pfd.revents == 0)
			continue;
		want = sizeof buf;
		if (t < slow_end)
			want = SLOW_CHUNK;
		n = read(pfd.fd, buf, want);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			die("read");
		if (n == 0)
			break;
		t = now_ns();
		bytes += n;
		if (out != -1)
			write_all(out, buf, (size_t)n);
		if (sc.got < sc.want)
			scan(&sc, buf, (size_t)n, t);
		if (t < slow_end)
			sleep_ns(SLOW_PAUSE_NS);
	}
	if (wait4(child, &st, 0, &ru) == -1)
		die("wait4");
	if (out != -1 && close(out) == -1)
		die("close");

	printf("status=%d lines=%d all_ms=%.3f first_us=%.1f max_us=%.1f "
	    "hwm_kb=%ld maxrss_kb=%ld bytes=%lld pty_nr=%ld cpu_ms=%.3f",
	    WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), sc.got,
	    sc.got == sc.want ? sc.all_ns / 1e6 : -1.0, sc.first_ns / 1e3,
	    sc.max_ns / 1e3, hwm_kb, ru.ru_maxrss, bytes, pty_nr, cm.ns / 1e6);
	if (idle > 0)
		printf(" idle_ticks=%lld idle_ns=%lld idle_switches=%lld "
		    "idle_bytes=%lld", c1.ticks - c0.ticks, c1.ns - c0.ns,
		    c1.switches - c0.switches, idle_bytes);
	printf("\n");
	if (timed_out)
		fprintf(stderr, "probe: timed out after %g s\n", limit);
	return timed_out || sc.got < sc.want ? 1 : 0;
}
