/*
 * Helpers shared by the input-injection tests (test_fifo.c, test_control.c)
 * and test_faults.c: writing FIFOs with deadlines, talking the control
 * protocol by hand, and measuring a process's CPU time. Built on the
 * harness; every wait has a deadline.
 *
 * Messages are encoded here by hand, independently of src/proto.c, so that
 * the tests check the wire format of contrib/PROTOCOL.md rather than the
 * codec against itself.
 */
#ifndef PTYPLEX_TEST_INJECT_H
#define PTYPLEX_TEST_INJECT_H

#include "harness.h"

#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* Message types of contrib/PROTOCOL.md. */
enum {
	M_HELLO = 1, M_SEND, M_LIST, M_SIGNAL, M_STOP, M_START, M_RESTART,
	M_ATTACH, M_INPUT, M_RESIZE, M_DETACH, M_OK, M_ERROR, M_CHILD,
	M_OUTPUT, M_EXITED,
};

/* Lets seconds pass while reading p's output: for measuring, not waiting. */
static inline void
inj_idle(struct h_proc *p, double seconds)
{
	double end = h_now() + seconds;

	while (h_now() < end)
		h_pump(p, end - h_now());
}

/* CPU ticks p used over seconds of idleness: a busy loop shows at once. */
static inline long
inj_idle_ticks(struct h_proc *p, double seconds)
{
	long before = h_cpu_ticks(p->pid);

	inj_idle(p, seconds);
	return h_cpu_ticks(p->pid) - before;
}

/*
 * Writes all of data to fd (nonblocking) within timeout seconds. Returns
 * the bytes written: less than len when the reader stopped taking them.
 */
static inline size_t
inj_write_fd(int fd, const void *data, size_t len, double timeout)
{
	const char *d = data;
	double deadline = h_now() + timeout;
	size_t done = 0;
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	ssize_t n;

	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	while (done < len) {
		n = write(fd, d + done, len - done);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n == -1 && errno != EAGAIN && errno != EINTR)
			break;
		if (h_now() >= deadline)
			break;
		poll(&pfd, 1, (int)((deadline - h_now()) * 1000) + 1);
	}
	return done;
}

/* One writer: opens the FIFO, writes data, closes, as `echo > fifo`. */
static inline void
inj_write_fifo(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	size_t n;

	cr_assert_neq(fd, -1, "open %s: %s (nobody reading?)", path,
	    strerror(errno));
	n = inj_write_fd(fd, data, len, H_TIMEOUT);
	close(fd);
	cr_assert_eq(n, len, "wrote %zu of %zu bytes to %s", n, len, path);
}

static inline void
inj_write_fifo_str(const char *path, const char *s)
{
	inj_write_fifo(path, s, strlen(s));
}

/* 1 once path holds at least size bytes, 0 at the deadline. */
static inline int
inj_wait_size(const char *path, size_t size, double timeout)
{
	double deadline = h_now() + timeout;
	struct stat st;

	for (;;) {
		if (stat(path, &st) == 0 && (size_t)st.st_size >= size)
			return 1;
		if (h_now() >= deadline)
			return 0;
		usleep(10000);
	}
}

/* The default socket of session in the test's XDG_RUNTIME_DIR. */
static inline const char *
inj_sock(const char *session)
{
	return h_fmt("%s/ptyplex/%s.sock", h_dir(), session);
}

/* A connected socket, or -1 with errno set. */
static inline int
inj_connect(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd, e;

	snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == -1) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* 1 once something accepts connections at path, 0 at the deadline. */
static inline int
inj_wait_live(const char *path, double timeout)
{
	double deadline = h_now() + timeout;
	int fd;

	for (;;) {
		if ((fd = inj_connect(path)) != -1) {
			close(fd);
			return 1;
		}
		if (h_now() >= deadline)
			return 0;
		usleep(10000);
	}
}

/* A header (u16 type, u16 0, u32 length, big-endian) and a body. */
static inline size_t
inj_encode(unsigned char *out, unsigned type, const void *body, size_t len)
{
	out[0] = (unsigned char)(type >> 8);
	out[1] = (unsigned char)type;
	out[2] = out[3] = 0;
	out[4] = (unsigned char)(len >> 24);
	out[5] = (unsigned char)(len >> 16);
	out[6] = (unsigned char)(len >> 8);
	out[7] = (unsigned char)len;
	if (len > 0)
		memcpy(out + 8, body, len);
	return 8 + len;
}

static inline void
inj_put(int fd, unsigned type, const void *body, size_t len)
{
	unsigned char *buf = malloc(8 + len);
	size_t n;

	cr_assert_not_null(buf);
	n = inj_encode(buf, type, body, len);
	cr_assert_eq(inj_write_fd(fd, buf, n, H_TIMEOUT), n,
	    "cannot send a message of type %u", type);
	free(buf);
}

/* Reads exactly len bytes within the deadline; 0, or -1 at EOF/timeout. */
static inline int
inj_read_exact(int fd, void *buf, size_t len, double deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		if (h_now() >= deadline)
			return -1;
		if (poll(&pfd, 1, (int)((deadline - h_now()) * 1000) + 1) <= 0)
			continue;
		n = recv(fd, (char *)buf + done, len - done, MSG_DONTWAIT);
		if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR))
			return -1;
		if (n > 0)
			done += (size_t)n;
	}
	return 0;
}

/*
 * The next message: its body (NUL-terminated, at most max - 1 bytes kept)
 * in body and its type in *type. Returns the body length, or -1 at EOF or
 * the deadline.
 */
static inline long
inj_get(int fd, unsigned *type, char *body, size_t max, double timeout)
{
	double deadline = h_now() + timeout;
	unsigned char hdr[8];
	uint32_t len;
	char *all;

	if (inj_read_exact(fd, hdr, sizeof hdr, deadline) == -1)
		return -1;
	*type = (unsigned)hdr[0] << 8 | hdr[1];
	len = (uint32_t)hdr[4] << 24 | (uint32_t)hdr[5] << 16 |
	    (uint32_t)hdr[6] << 8 | hdr[7];
	cr_assert_leq(len, 65536, "the session sent a body of %u bytes",
	    (unsigned)len);
	all = malloc(len + 1);
	cr_assert_not_null(all);
	if (inj_read_exact(fd, all, len, deadline) == -1) {
		free(all);
		return -1;
	}
	memcpy(body, all, len < max ? len : max - 1);
	body[len < max ? len : max - 1] = '\0';
	free(all);
	return (long)len;
}

/* 1 if the peer closed fd (EOF or reset) within timeout. */
static inline int
inj_wait_eof(int fd, double timeout)
{
	double deadline = h_now() + timeout;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[4096];
	ssize_t n;

	while (h_now() < deadline) {
		if (poll(&pfd, 1, (int)((deadline - h_now()) * 1000) + 1) <= 0)
			continue;
		n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
		if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR))
			return 1;
	}
	return 0;
}

/* Connects and says HELLO (version 1); returns the socket. */
static inline int
inj_hello(const char *path)
{
	unsigned char v[4] = { 0, 0, 0, 1 };
	char body[256];
	unsigned type;
	int fd = inj_connect(path);

	cr_assert_neq(fd, -1, "connect %s: %s", path, strerror(errno));
	inj_put(fd, M_HELLO, v, sizeof v);
	cr_assert_eq(inj_get(fd, &type, body, sizeof body, H_TIMEOUT), 4,
	    "no HELLO reply");
	cr_assert_eq(type, M_HELLO);
	return fd;
}

#endif
