/*
 * lines: the child program of the benchmark.
 *
 *     lines [SIZE]              write SIZE bytes (default 200M) of numbered lines, exit
 *     lines --first [SECONDS]   write one line, then sleep SECONDS (default 60)
 *     lines --echo              copy stdin to stdout line by line until EOF
 *
 * It behaves like the programs ptyplex is for: plain stdio, never fflush().
 * On a terminal glibc line-buffers stdout, so every line is one write(); on a
 * pipe or a file it block-buffers (4 KiB writes), and --first prints nothing
 * until exit. That difference is what the benchmark measures.
 *
 * SIZE is a byte count with an optional decimal suffix: K (1e3), M (1e6),
 * G (1e9). Every line is 100 bytes, "%012lu " + 86 letters and digits + "\n",
 * numbered from 1; SIZE is rounded down to whole lines. Checkers rely on this
 * format: no byte of it needs escaping in JSON or a shell.
 *
 * The --first line is "first <ns>\n" with <ns> the CLOCK_MONOTONIC time in
 * nanoseconds when it was written; the clock is system-wide, so a reader can
 * subtract it from its own clock to get the first-line latency.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LINE_LEN 100
#define NUM_LEN 12
#define DEFAULT_SIZE 200000000ULL

static const char filler[] =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    "abcdefghijklmnopqrstuvwxyz";

static void
usage(void)
{
	fputs("usage: lines [SIZE]\n"
	    "       lines --first [SECONDS]\n"
	    "       lines --echo\n", stderr);
	exit(2);
}

/* Parse "200M" and friends; returns 0 on a malformed or zero size. */
static unsigned long long
parse_size(const char *s)
{
	char *end;
	unsigned long long n, mult = 1;

	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno != 0 || end == s || s[0] == '-')
		return 0;
	switch (*end) {
	case '\0':
		break;
	case 'k': case 'K':
		mult = 1000ULL;
		break;
	case 'm': case 'M':
		mult = 1000ULL * 1000;
		break;
	case 'g': case 'G':
		mult = 1000ULL * 1000 * 1000;
		break;
	default:
		return 0;
	}
	if (*end != '\0' && end[1] != '\0')
		return 0;
	if (n > ~0ULL / mult)
		return 0;
	return n * mult;
}

/* Exit status 1 if stdout failed (the reader went away, a full disk). */
static int
finish(void)
{
	if (ferror(stdin)) {
		fprintf(stderr, "lines: stdin: %s\n", strerror(errno));
		return 1;
	}
	if (ferror(stdout) || fclose(stdout) != 0) {
		fprintf(stderr, "lines: stdout: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

/*
 * Write n lines. The number is kept as ASCII digits and incremented in
 * place, so the cost per line is one fputs(): the child should be cheap next
 * to what it measures.
 */
static int
write_lines(unsigned long long n)
{
	char line[LINE_LEN + 1];
	unsigned long long i;
	int d;

	memset(line, '0', NUM_LEN);
	line[NUM_LEN] = ' ';
	memcpy(line + NUM_LEN + 1, filler, LINE_LEN - NUM_LEN - 2);
	line[LINE_LEN - 1] = '\n';
	line[LINE_LEN] = '\0';

	for (i = 0; i < n; i++) {
		for (d = NUM_LEN - 1; d >= 0 && line[d] == '9'; d--)
			line[d] = '0';
		if (d >= 0)
			line[d]++;
		if (fputs(line, stdout) == EOF)
			break;
	}
	return finish();
}

/* One line with a monotonic time stamp, then sleep: first-line latency. */
static int
first_line(const char *arg)
{
	struct timespec ts, nap;
	double secs = 60;
	char *end;

	if (arg != NULL) {
		secs = strtod(arg, &end);
		if (end == arg || *end != '\0' || secs < 0)
			usage();
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	printf("first %lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
	nap.tv_sec = (time_t)secs;
	nap.tv_nsec = (long)((secs - (double)nap.tv_sec) * 1e9);
	while (nanosleep(&nap, &nap) == -1 && errno == EINTR)
		;
	return finish();
}

/* Copy stdin to stdout line by line: round-trip latency. */
static int
echo_lines(void)
{
	char *buf = NULL;
	size_t cap = 0;

	while (getline(&buf, &cap, stdin) != -1) {
		if (fputs(buf, stdout) == EOF)
			break;
	}
	free(buf);
	return finish();
}

int
main(int argc, char **argv)
{
	unsigned long long size = DEFAULT_SIZE;

	if (argc > 1 && strcmp(argv[1], "--first") == 0) {
		if (argc > 3)
			usage();
		return first_line(argv[2]);
	}
	if (argc > 1 && strcmp(argv[1], "--echo") == 0) {
		if (argc > 2)
			usage();
		return echo_lines();
	}
	if (argc > 2 || (argc == 2 && argv[1][0] == '-'))
		usage();
	if (argc == 2 && (size = parse_size(argv[1])) < LINE_LEN) {
		fprintf(stderr, "lines: bad size: %s (at least 100 bytes)\n",
		    argv[1]);
		return 2;
	}
	return write_lines(size / LINE_LEN);
}
