/*
 * Programs on a terminal of their own, as a person runs them: ptyplex
 * --raw and `ptyplex attach` on a pty the test creates and holds.
 *
 * Rules the tests rely on:
 *  - The pty starts with the kernel's default modes (a cooked terminal,
 *    as a shell leaves it before running a command) unless told, and is
 *    the program's controlling terminal; it is stdin and stdout, and
 *    stderr too unless stderr_pipe is set.
 *  - The test keeps a slave descriptor open, so the terminal outlives the
 *    program and its modes can be compared before and after.
 *  - Environment as harness.h gives it: XDG_RUNTIME_DIR is h_dir(), and
 *    XDG_STATE_HOME is h_dir()/state; COLUMNS and LINES are unset.
 *  - Every wait has a deadline and returns as soon as its condition holds;
 *    tty_teardown() ends whatever is left (call it before h_teardown()).
 */
#ifndef PTYPLEX_TEST_TTY_H
#define PTYPLEX_TEST_TTY_H

#include <stddef.h>
#include <sys/types.h>
#include <termios.h>

#include "harness.h"

struct tty_opts {
	unsigned short cols, rows;    /* default 80x24 */
	int stderr_pipe;              /* stderr to a pipe read into err */
	const struct termios *modes;  /* the terminal's modes at start */
	const char *env[H_ENV_MAX];   /* "NAME=VALUE" sets, "NAME" unsets */
};

struct tty_proc {
	pid_t pid;
	int master;
	int slave;       /* kept open by the test */
	struct termios initial; /* the terminal's modes before the start */
	int err_fd;      /* -1 unless stderr_pipe */
	struct h_buf out; /* all the terminal showed */
	struct h_buf err;
	int reaped;
	int status;      /* exit status, or 128 + N when killed by signal N */
	int signaled;
};

/* Starts argv[0] (a path) with argv; aborts the test if it cannot. */
struct tty_proc *tty_start(const struct tty_opts *o, const char *const *argv);
#define TTY_START(o, ...) \
	tty_start((o), (const char *const[]){ __VA_ARGS__, NULL })

/* Reads what is ready, waiting at most timeout seconds for something. */
void tty_pump(struct tty_proc *t, double timeout);
/* 1 as soon as out (from byte from on) holds needle; 0 at the deadline. */
int tty_wait_from(struct tty_proc *t, size_t from, const char *needle,
    double timeout);
#define tty_wait(t, needle) tty_wait_from((t), 0, (needle), H_TIMEOUT)
int tty_wait_err(struct tty_proc *t, const char *needle, double timeout);
/* Types len bytes, as keys on the keyboard. */
void tty_type(struct tty_proc *t, const void *buf, size_t len);
#define tty_puts(t, s) tty_type((t), (s), strlen(s))
/* Reads on until the program exits; its status, or -1 at the deadline. */
int tty_wait_exit(struct tty_proc *t, double timeout);
/* Resizes the terminal (the kernel sends SIGWINCH to its foreground). */
void tty_resize(struct tty_proc *t, unsigned short cols, unsigned short rows);
/*
 * 1 as soon as the terminal is in raw mode (no ICANON): a program that
 * puts it so is ready for keys; 0 at the deadline or if it has exited.
 */
int tty_wait_raw(struct tty_proc *t, double timeout);
/* The terminal's current modes. */
void tty_modes(const struct tty_proc *t, struct termios *modes);
/* 1 if a and b are the same modes (flags, control characters, speeds). */
int tty_same_modes(const struct termios *a, const struct termios *b);
void tty_teardown(void);

/* Tails of what the terminal showed and of err, for assertion messages. */
const char *tty_context(const struct tty_proc *t);

#define TTY_ASSERT_OUT(t, needle) \
	cr_assert(tty_wait((t), (needle)), \
	    "timed out waiting for the terminal to show %s\n%s", \
	    h_show((needle), strlen(needle), 200), tty_context(t))
#define TTY_ASSERT_EXIT(t, expected) do { \
	int tty_st_ = tty_wait_exit((t), H_TIMEOUT); \
	cr_assert_eq(tty_st_, (expected), \
	    "exit status %d, expected %d\n%s", tty_st_, (int)(expected), \
	    tty_context(t)); \
} while (0)

#endif
