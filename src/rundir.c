#include "ptyplex/rundir.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ptyplex/spec.h"
#include "ptyplex/xalloc.h"

#define RUNDIR_SUFFIX ".sock"

char *
rundir_path(void)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	/* The XDG spec says to ignore a relative path. */
	if (xdg != NULL && xdg[0] == '/')
		return xasprintf("%s/ptyplex", xdg);
	return xasprintf("/tmp/ptyplex-%lu", (unsigned long)getuid());
}

int
rundir_check(const char *dir, char **cause)
{
	struct stat st;

	/* lstat: a symbolic link planted in /tmp is not our directory. */
	if (lstat(dir, &st) == -1) {
		int e = errno;

		*cause = xasprintf("socket directory %s: %s", dir,
		    strerror(e));
		errno = e;
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		*cause = xasprintf("socket directory %s: not a directory", dir);
		errno = ENOTDIR;
		return -1;
	}
	if (st.st_uid != getuid()) {
		*cause = xasprintf("socket directory %s: owned by uid %lu, "
		    "not by us (uid %lu); set XDG_RUNTIME_DIR or use -S",
		    dir, (unsigned long)st.st_uid, (unsigned long)getuid());
		errno = EPERM;
		return -1;
	}
	if ((st.st_mode & 077) != 0) {
		*cause = xasprintf("socket directory %s: mode %03o gives "
		    "others access, expected 0700 (chmod 700 %s)", dir,
		    (unsigned)(st.st_mode & 0777), dir);
		errno = EPERM;
		return -1;
	}
	return 0;
}

int
rundir_make(const char *dir, char **cause)
{
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		*cause = xasprintf("socket directory %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	return rundir_check(dir, cause);
}

char *
rundir_socket_path(const char *dir, const char *session)
{
	return xasprintf("%s/%s" RUNDIR_SUFFIX, dir, session);
}

int
rundir_fill_addr(struct sockaddr_un *addr, const char *path)
{
	size_t len = strlen(path);

	memset(addr, 0, sizeof *addr);
	addr->sun_family = AF_UNIX;
	if (len >= sizeof addr->sun_path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(addr->sun_path, path, len + 1);
	return 0;
}

int
rundir_probe(const char *path)
{
	struct sockaddr_un addr;
	int fd, rc, e;

	if (rundir_fill_addr(&addr, path) == -1)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1)
		return -1;
	/* Nonblocking: a live session whose backlog is full says EAGAIN. */
	rc = connect(fd, (struct sockaddr *)&addr, sizeof addr);
	e = errno;
	close(fd);
	if (rc == 0 || e == EAGAIN || e == EINPROGRESS)
		return 1;
	if (e == ECONNREFUSED || e == ENOENT)
		return 0;
	errno = e;
	return -1;
}

static int
rundir_compare(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The session name of a directory entry "NAME.sock", or NULL. */
static char *
rundir_entry_name(const char *entry)
{
	size_t len = strlen(entry), slen = strlen(RUNDIR_SUFFIX);
	char *name;

	if (len <= slen || strcmp(entry + len - slen, RUNDIR_SUFFIX) != 0)
		return NULL;
	name = xstrndup(entry, len - slen);
	if (!spec_name_is_valid(name)) {
		free(name);
		return NULL;
	}
	return name;
}

size_t
rundir_sessions(const char *dir, char ***names)
{
	struct dirent *de;
	size_t n = 0, alloc = 0;
	char *name, *path;
	DIR *d;

	*names = NULL;
	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if ((name = rundir_entry_name(de->d_name)) == NULL)
			continue;
		path = rundir_socket_path(dir, name);
		if (rundir_probe(path) != 1) {
			free(path);
			free(name);
			continue;
		}
		free(path);
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 8;
			*names = xreallocarray(*names, alloc, sizeof **names);
		}
		(*names)[n++] = name;
	}
	closedir(d);
	if (n > 1)
		qsort(*names, n, sizeof **names, rundir_compare);
	return n;
}
