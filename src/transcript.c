#include "ptyplex/transcript.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ptyplex/log.h"
#include "ptyplex/xalloc.h"

struct transcript {
	int fd;
	char *path;
};

/* mkdir -p: each missing component is created 0700. */
int
transcript_make_dir(const char *dir, char **cause)
{
	char *copy = xstrdup(dir), *p;
	struct stat st;

	for (p = copy + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(copy, 0700) == -1 && errno != EEXIST) {
			*cause = xasprintf("log dir %s: %s", copy,
			    strerror(errno));
			free(copy);
			return -1;
		}
		*p = saved;
		if (saved == '\0')
			break;
	}
	free(copy);
	if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
		*cause = xasprintf("log dir %s: not a directory", dir);
		return -1;
	}
	return 0;
}

struct transcript *
transcript_open(const char *dir, const char *name, char **cause)
{
	struct transcript *t = xcalloc(1, sizeof *t);

	t->path = xasprintf("%s/%s.log", dir, name);
	t->fd = open(t->path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND |
	    O_CLOEXEC | O_NOFOLLOW, 0600);
	if (t->fd == -1) {
		*cause = xasprintf("log file %s: %s", t->path,
		    strerror(errno));
		transcript_free(t);
		return NULL;
	}
	return t;
}

void
transcript_write(struct transcript *t, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (t != NULL && t->fd != -1 && len > 0) {
		n = write(t->fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_warn("log file %s: %s; transcript stopped",
			    t->path, n == 0 ? "short write" : strerror(errno));
			close(t->fd);
			t->fd = -1;
			return;
		}
		p += n;
		len -= n;
	}
}

void
transcript_free(struct transcript *t)
{
	if (t == NULL)
		return;
	if (t->fd != -1)
		close(t->fd);
	free(t->path);
	free(t);
}
