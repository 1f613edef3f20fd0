#include "ptyplex/readfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ptyplex/xalloc.h"

/* Reads fd to EOF into *buf; 0, or -1 with errno (EFBIG: past max). */
static int
readfile_fd(int fd, size_t max, char **buf, size_t *len)
{
	size_t size = 0, alloc = 8192;
	ssize_t n;

	*buf = xmalloc(alloc);
	for (;;) {
		if (size == alloc) {
			if (alloc > max) {
				errno = EFBIG;
				return -1;
			}
			alloc *= 2;
			*buf = xreallocarray(*buf, alloc, 1);
		}
		n = read(fd, *buf + size, alloc - size);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			break;
		size += n;
	}
	if (size > max) {
		errno = EFBIG;
		return -1;
	}
	*len = size;
	return 0;
}

char *
readfile(const char *what, const char *path, size_t max, size_t *len,
    char **cause)
{
	char *buf = NULL;
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		*cause = xasprintf("%s %s: %s", what, path, strerror(errno));
		return NULL;
	}
	rc = readfile_fd(fd, max, &buf, len);
	close(fd);
	if (rc == 0)
		return buf;
	if (errno == EFBIG)
		*cause = xasprintf("%s %s: larger than %zu MiB", what, path,
		    max >> 20);
	else
		*cause = xasprintf("%s %s: %s", what, path, strerror(errno));
	free(buf);
	return NULL;
}
