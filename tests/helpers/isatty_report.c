/*
 * isatty_report [-w]: describes the terminal and environment it was given,
 * one "key=value" line each, ending with "done"; with -w it then waits for a
 * line on stdin before exiting 0. Keys:
 *   stdin_tty stdout_tty stderr_tty  1 when isatty()
 *   TERM PTYPLEX_NAME PTYPLEX_SESSION COLUMNS LINES  value or <unset>
 *   winsize   COLSxROWS from TIOCGWINSZ on stdout
 *   echo icanon  the tty's ECHO and ICANON flags (0/1)
 *   pid       getpid()
 *   ctty      1 when /dev/tty can be opened (a controlling terminal)
 *   sid_leader  1 when the process leads its session
 *   foreground  1 when its process group is the tty's foreground group
 *   sigign sigblk  SigIgn and SigBlk masks from /proc/self/status
 *   fds       open descriptors above 2, comma separated, or "none"
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static void
print_env(const char *name)
{
	const char *value = getenv(name);

	printf("%s=%s\n", name, value != NULL ? value : "<unset>");
}

static void
print_status_field(const char *key, const char *field)
{
	char line[256];
	size_t flen = strlen(field);
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL) {
		printf("%s=?\n", key);
		return;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, field, flen) == 0 && line[flen] == ':') {
			char *v = line + flen + 1;

			v += strspn(v, " \t");
			v[strcspn(v, "\n")] = '\0';
			printf("%s=%s\n", key, v);
			fclose(f);
			return;
		}
	}
	fclose(f);
	printf("%s=?\n", key);
}

static void
print_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *de;
	int self, count = 0;

	if (dir == NULL) {
		printf("fds=?\n");
		return;
	}
	self = dirfd(dir);
	fputs("fds=", stdout);
	while ((de = readdir(dir)) != NULL) {
		int fd;

		if (de->d_name[0] == '.')
			continue;
		fd = atoi(de->d_name);
		if (fd <= 2 || fd == self)
			continue;
		printf("%s%d", count++ ? "," : "", fd);
	}
	closedir(dir);
	puts(count ? "" : "none");
}

int
main(int argc, char **argv)
{
	struct winsize ws;
	struct termios tio;
	char line[256];
	int fd;

	alarm(300);	/* never outlive a broken test run */
	/* Descriptors first, before stdio opens anything of its own. */
	print_fds();
	printf("stdin_tty=%d\n", isatty(0));
	printf("stdout_tty=%d\n", isatty(1));
	printf("stderr_tty=%d\n", isatty(2));
	print_env("TERM");
	print_env("PTYPLEX_NAME");
	print_env("PTYPLEX_SESSION");
	print_env("COLUMNS");
	print_env("LINES");
	if (ioctl(1, TIOCGWINSZ, &ws) == 0)
		printf("winsize=%ux%u\n", ws.ws_col, ws.ws_row);
	else
		printf("winsize=?\n");
	if (tcgetattr(0, &tio) == 0) {
		printf("echo=%d\n", (tio.c_lflag & ECHO) != 0);
		printf("icanon=%d\n", (tio.c_lflag & ICANON) != 0);
	} else {
		printf("echo=?\nicanon=?\n");
	}
	printf("pid=%ld\n", (long)getpid());
	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	printf("ctty=%d\n", fd != -1);
	if (fd != -1)
		close(fd);
	printf("sid_leader=%d\n", getsid(0) == getpid());
	printf("foreground=%d\n", tcgetpgrp(0) == getpgrp());
	print_status_field("sigign", "SigIgn");
	print_status_field("sigblk", "SigBlk");
	puts("done");
	if (argc > 1 && strcmp(argv[1], "-w") == 0)
		(void)fgets(line, sizeof line, stdin);
	return 0;
}
