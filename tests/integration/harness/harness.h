/*
 * Integration test harness: runs the built ptyplex as a user's shell would,
 * captures its stdout and stderr, and waits for conditions with deadlines.
 *
 * Rules the tests rely on:
 *  - Every wait has a deadline (H_TIMEOUT seconds unless told) and returns
 *    as soon as its condition holds; nothing sleeps for a fixed time to
 *    wait for something to happen.
 *  - ptyplex starts in its own process group with default signal
 *    dispositions, an empty signal mask and no descriptor above 2, so any
 *    descriptor or ignored signal a child reports came from ptyplex.
 *  - Each test has its own temporary directory (h_dir()), which is also
 *    ptyplex's XDG_RUNTIME_DIR; h_teardown() ends every process the test
 *    started and removes the directory.
 *  - Output buffers grow without limit, are always NUL-terminated and never
 *    move data out: offsets into them stay valid.
 *  - Strings from h_fmt(), h_path(), h_show() live until h_teardown().
 */
#ifndef PTYPLEX_TEST_HARNESS_H
#define PTYPLEX_TEST_HARNESS_H

#include <stddef.h>
#include <sys/types.h>

#ifndef PTYPLEX_BIN
#define PTYPLEX_BIN "ptyplex"
#endif
#ifndef HELPERS_DIR
#define HELPERS_DIR "helpers"
#endif

/* Path of a helper program from tests/helpers/. */
#define HELPER(name) HELPERS_DIR "/" name

/* Deadline for anything that should happen "at once": a busy 2-core
 * machine running AddressSanitizer builds needs room. */
#define H_TIMEOUT 30.0

struct h_buf {
	char *data;   /* NUL-terminated */
	size_t len;
	size_t cap;
	size_t lines; /* '\n' bytes in data */
	int eof;
};

enum h_stdin {
	H_STDIN_NULL,   /* /dev/null, as in CI (the default) */
	H_STDIN_PIPE,   /* a pipe the test writes to with h_send() */
	H_STDIN_PTY,    /* a pty slave; the test holds the master */
	H_STDIN_CLOSED, /* descriptor 0 closed */
};

enum h_stream { H_OUT, H_ERR };

#define H_ENV_MAX 16

struct h_opts {
	enum h_stdin in;
	/* stdin and stdout on one pty (a raw one, so no \r\n translation),
	 * the pty being ptyplex's controlling terminal, as in an interactive
	 * shell; stderr stays a pipe. Overrides in. */
	int terminal;
	unsigned short cols, rows; /* that pty's size; default 80x24 */
	/* Environment changes: "NAME=VALUE" sets, "NAME" unsets. */
	const char *env[H_ENV_MAX];
	/* Limits set on ptyplex (soft and hard) just before exec; 0 leaves
	 * the test's own. nofile: RLIMIT_NOFILE; fsize: RLIMIT_FSIZE bytes. */
	long nofile;
	long fsize;
};

struct h_proc {
	pid_t pid;
	int in_fd;  /* what the test writes to: pipe or pty master, or -1 */
	int out_fd; /* -1 once at EOF or closed */
	int err_fd;
	struct h_buf out;
	struct h_buf err;
	int reaped;
	int status;    /* exit status, or 128 + N when killed by signal N */
	int signaled;  /* killed by a signal rather than exiting */
	int raw_status;
	int is_pty_out;
	size_t slow_chunk;      /* 0: read stdout as fast as it comes */
	unsigned slow_delay_ms; /* pause after each slow read */
	double started;         /* h_now() at start */
};

/* Criterion fixtures: .init = h_setup, .fini = h_teardown. */
void h_setup(void);
void h_teardown(void);

/* Seconds on the monotonic clock. */
double h_now(void);

/* The test's temporary directory, and paths and strings made in it. */
const char *h_dir(void);
char *h_path(const char *name);
char *h_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Starts ptyplex with args (NULL-terminated, without argv[0]); opts may be
 * NULL. Aborts the test if it cannot even fork. */
struct h_proc *h_start(const struct h_opts *opts, const char *const *args);
#define H_START(opts, ...) \
	h_start((opts), (const char *const[]){ __VA_ARGS__, NULL })

/* Reads what is ready, waiting at most timeout seconds for something. */
void h_pump(struct h_proc *p, double timeout);

/* Each returns 1 as soon as the condition holds, 0 at the deadline or when
 * the stream ended without it. */
int h_wait_for(struct h_proc *p, enum h_stream s, const char *needle,
    double timeout);
/* POSIX extended regex, REG_NEWLINE: ^ and $ match at line ends. */
int h_wait_re(struct h_proc *p, enum h_stream s, const char *regex,
    double timeout);
/* At least n non-overlapping occurrences of needle. */
int h_wait_count(struct h_proc *p, enum h_stream s, const char *needle,
    size_t n, double timeout);
/* At least n complete lines on stdout. */
int h_wait_lines(struct h_proc *p, size_t n, double timeout);
/* At least n bytes on stdout. */
int h_wait_bytes(struct h_proc *p, size_t n, double timeout);
#define h_wait_out(p, needle) h_wait_for((p), H_OUT, (needle), H_TIMEOUT)
#define h_wait_err(p, needle) h_wait_for((p), H_ERR, (needle), H_TIMEOUT)

/* Waits for ptyplex to exit and for its stdout and stderr to end; returns
 * its exit status (128 + N when killed by signal N). At the deadline it
 * kills ptyplex and returns -1. */
int h_wait_exit(struct h_proc *p, double timeout);
/* 1 if ptyplex has exited (reaping it if so), without waiting. */
int h_exited(struct h_proc *p);

/* Writes all of s to ptyplex's stdin; returns 0, or -1 (EPIPE ...). */
int h_send(struct h_proc *p, const char *s);
void h_close_stdin(struct h_proc *p);
/* Closes the test's end of ptyplex's stdout, as `| head -1` does. */
void h_close_stdout(struct h_proc *p);
/* From now on read stdout chunk bytes at a time, pausing delay_ms after
 * each read; chunk 0 returns to full speed. */
void h_slow_reader(struct h_proc *p, size_t chunk, unsigned delay_ms);

/* A field of /proc/PID/status in kB (VmRSS, VmHWM ...), or -1. */
long h_proc_kb(pid_t pid, const char *field);
/* /proc/PID/FILE, NUL-terminated in buf (size bytes at most), or NULL. */
char *h_proc_read(pid_t pid, const char *file, char *buf, size_t size);
/* The state letter of /proc/PID/stat ('R', 'S', 'T', 'Z' ...), or 0. */
char h_proc_state(pid_t pid);
/* utime + stime of pid in clock ticks, or -1. */
long h_cpu_ticks(pid_t pid);
/* A process that sends sig1 and sig2 to pid every interval_us until pid
 * is gone (or a zombie), the test process dies, or 300 s have passed. */
pid_t h_start_storm(pid_t pid, int sig1, int sig2, long interval_us);
/* Ends a storm and reaps it. */
void h_stop_storm(pid_t storm);
/* 1 once pid is gone (or a zombie), 0 if it still runs at the deadline. */
int h_pid_gone(pid_t pid, double timeout);
/* Waits until path holds a pid followed by a newline; returns it or -1. */
pid_t h_read_pidfile(const char *path, double timeout);
/* "NAME=CMD" whose shell writes its pid to NAME.pid in the test's
 * directory, then execs CMD, so the pid is CMD's. */
const char *h_with_pidfile(const char *name, const char *cmd);
/* The pid in NAME.pid, waited for; fails the test if none comes. */
pid_t h_pid_of(const char *name);
/* Fails the test if pid still runs 10 s from now. */
void h_assert_gone(pid_t pid, const char *what);
/* 1 as soon as path exists and holds needle, 0 at the deadline. */
int h_wait_file_contains(const char *path, const char *needle,
    double timeout);

/* Whole file, NUL-terminated (not freed until teardown), or NULL. */
char *h_read_file(const char *path, size_t *len);
void h_write_file(const char *path, const char *content);
/* Writes a --script file into the test's directory; returns its path. */
const char *h_script(const char *text);

/* Lines of a buffer, without their '\n'; a last line without one counts.
 * The strings point into a copy that lives until teardown. */
struct h_lines {
	char **v;
	size_t *len;
	size_t n;
};
struct h_lines h_split(const char *data, size_t len);

/* A printable form of len bytes (C escapes), at most max bytes from the
 * end, for assertion messages. */
const char *h_show(const char *data, size_t len, size_t max);
/* Tails of both streams, for assertion messages. */
const char *h_context(const struct h_proc *p);

/* The VALUE of the stdout line "NAME: KEY=VALUE" (isatty_report's
 * lines under the default prefix), or NULL. */
const char *h_report(const struct h_proc *p, const char *name,
    const char *key);

/* Copy of data with every '\n' turned into "\r\n", as a pty's ONLCR does. */
char *h_onlcr(const char *data, size_t len, size_t *outlen);
/* The first n bytes blast writes; bytes [start, start + n) of them. */
char *h_blast_bytes(size_t n);
void h_blast_fill(char *dst, size_t start, size_t n);

/* Minimal strict JSON reader (RFC 8259) for --json lines: one object, its
 * top-level members kept; strings decoded to bytes, where "\udcXX" stands
 * for the raw byte XX (Python's surrogateescape). */
enum h_json_type { H_JSON_STRING, H_JSON_NUMBER, H_JSON_OTHER };
struct h_json_member {
	char *key;
	enum h_json_type type;
	char *str;  /* decoded string (NUL-terminated) or number text */
	size_t len;
	double num;
};
struct h_json {
	struct h_json_member m[32];
	size_t n;
};
/* 0 on success; -1 with a reason in *why when line is not one valid JSON
 * object (with nothing after it). */
int h_json_parse(const char *line, size_t len, struct h_json *out,
    const char **why);
const struct h_json_member *h_json_get(const struct h_json *j,
    const char *key);

/* Assertions with the process's output in the message. Need Criterion. */
#define H_ASSERT_OUT(p, needle) \
	cr_assert(h_wait_out((p), (needle)), \
	    "timed out waiting for stdout to contain %s\n%s", \
	    h_show((needle), strlen(needle), 200), h_context(p))
#define H_ASSERT_ERR(p, needle) \
	cr_assert(h_wait_err((p), (needle)), \
	    "timed out waiting for stderr to contain %s\n%s", \
	    h_show((needle), strlen(needle), 200), h_context(p))
#define H_ASSERT_OUT_RE(p, re) \
	cr_assert(h_wait_re((p), H_OUT, (re), H_TIMEOUT), \
	    "timed out waiting for stdout to match /%s/\n%s", (re), \
	    h_context(p))
#define H_ASSERT_EXIT(p, expected) \
	H_ASSERT_EXIT_WITHIN(p, expected, H_TIMEOUT)
#define H_ASSERT_EXIT_WITHIN(p, expected, timeout) do { \
	int h_st_ = h_wait_exit((p), (timeout)); \
	cr_assert_eq(h_st_, (expected), \
	    "ptyplex exit status %d (signaled %d), expected %d\n%s", \
	    h_st_, (p)->signaled, (int)(expected), h_context(p)); \
} while (0)

#endif
