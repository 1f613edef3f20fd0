#include "ptyplex/fifo.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "ptyplex/child.h"
#include "ptyplex/log.h"
#include "ptyplex/session.h"
#include "ptyplex/xalloc.h"

/* At most this much is read per wake-up: the queue's overshoot past full. */
#define FIFO_READ_SIZE 16384

struct fifo {
	struct session *session;
	struct child *child;
	char *path;
	int fd;
	int created;   /* ours to remove at the end */
	dev_t dev;
	ino_t ino;
	int started;
	int waiting;   /* the child's queue is full: not reading */
	struct event *read_ev;
};

static void fifo_read_cb(evutil_socket_t fd, short what, void *arg);

int
fifo_make_dir(const char *dir, int *made, char **cause)
{
	struct stat st;

	*made = mkdir(dir, 0700) == 0;
	if (!*made && errno != EEXIST) {
		*cause = xasprintf("fifo dir %s: %s", dir, strerror(errno));
		return -1;
	}
	if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
		*cause = xasprintf("fifo dir %s: not a directory", dir);
		return -1;
	}
	return 0;
}

/*
 * Makes the FIFO if path does not exist. mkfifo() never follows a symbolic
 * link (an existing one is EEXIST); the umask is set so that the FIFO is
 * born 0600, never wider, and not narrower than we need to open it.
 */
static int
fifo_create(struct fifo *f, char **cause)
{
	struct stat st;
	mode_t old;
	int rc;

	if (lstat(f->path, &st) == 0) {
		if (!S_ISFIFO(st.st_mode)) {
			*cause = xasprintf("fifo %s: exists and is not a FIFO",
			    f->path);
			return -1;
		}
		return 0;
	}
	if (errno != ENOENT) {
		*cause = xasprintf("fifo %s: %s", f->path, strerror(errno));
		return -1;
	}
	old = umask(077);
	rc = mkfifo(f->path, 0600);
	umask(old);
	if (rc == -1) {
		*cause = xasprintf("fifo %s: %s", f->path, strerror(errno));
		return -1;
	}
	f->created = 1;
	return 0;
}

/* Read-write (Linux defines it for FIFOs): see the header. */
static int
fifo_open(struct fifo *f, char **cause)
{
	struct stat st;

	f->fd = open(f->path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW |
	    O_NOCTTY);
	if (f->fd == -1) {
		*cause = xasprintf("fifo %s: %s", f->path, errno == ELOOP ?
		    "is a symbolic link" : strerror(errno));
		return -1;
	}
	/* The path may have changed since lstat: trust only the open file. */
	if (fstat(f->fd, &st) == -1 || !S_ISFIFO(st.st_mode)) {
		*cause = xasprintf("fifo %s: exists and is not a FIFO",
		    f->path);
		f->created = 0;
		return -1;
	}
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	return 0;
}

struct fifo *
fifo_new(struct session *s, struct child *c, const char *path, char **cause)
{
	struct fifo *f = xcalloc(1, sizeof *f);

	f->session = s;
	f->child = c;
	f->path = xstrdup(path);
	f->fd = -1;
	if (fifo_create(f, cause) == -1 || fifo_open(f, cause) == -1) {
		fifo_free(f);
		return NULL;
	}
	f->read_ev = event_new(s->base, f->fd, EV_READ | EV_PERSIST,
	    fifo_read_cb, f);
	if (f->read_ev == NULL)
		fatalx("fifo: cannot allocate an event");
	return f;
}

/* Removes the FIFO we made, unless someone replaced it meanwhile. */
static void
fifo_remove(struct fifo *f)
{
	struct stat st;

	if (!f->created || lstat(f->path, &st) == -1 || !S_ISFIFO(st.st_mode))
		return;
	/* dev and ino are known once the FIFO is open. */
	if (f->fd == -1 || (st.st_dev == f->dev && st.st_ino == f->ino))
		unlink(f->path);
}

void
fifo_free(struct fifo *f)
{
	if (f == NULL)
		return;
	if (f->read_ev != NULL)
		event_free(f->read_ev);
	fifo_remove(f);
	if (f->fd != -1)
		close(f->fd);
	free(f->path);
	free(f);
}

void
fifo_start(struct fifo *f)
{
	if (f->started)
		return;
	f->started = 1;
	event_add(f->read_ev, NULL);
}

void
fifo_resume(struct fifo *f)
{
	if (!f->waiting || !child_input_has_room(f->child))
		return;
	f->waiting = 0;
	event_add(f->read_ev, NULL);
}

/* Passes on what the writers wrote, while the child has room for it. */
static void
fifo_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fifo *f = arg;
	char buf[FIFO_READ_SIZE];
	ssize_t n;

	(void)what;
	if (!child_input_has_room(f->child)) {
		f->waiting = 1;
		event_del(f->read_ev);
		return;
	}
	n = read(fd, buf, sizeof buf);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* Cannot happen while we hold a write end; do not spin on it. */
		log_warn("fifo %s: %s", f->path, n == 0 ? "unexpected EOF" :
		    strerror(errno));
		event_del(f->read_ev);
		return;
	}
	child_send(f->child, buf, (size_t)n);
}
