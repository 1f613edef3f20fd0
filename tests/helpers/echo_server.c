/*
 * echo_server PORTFILE: a line server on 127.0.0.1 for the client/server
 * tests. It listens on a free port, writes the port to PORTFILE (whole,
 * by rename), prints "listening on PORT", then serves one client at a
 * time: "LOGIN NAME" is answered "welcome NAME", "QUIT" ends the
 * connection, any other line comes back as "echo: LINE". It logs each
 * request on stdout. Plain stdio, never flushed: on a pipe its log would
 * show only at exit.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int
listen_any_port(int *port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	int fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    listen(fd, 8) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1)
		return -1;
	*port = ntohs(sin.sin_port);
	return fd;
}

static int
write_port(const char *path, int port)
{
	char tmp[4096];
	FILE *fp;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if ((fp = fopen(tmp, "w")) == NULL)
		return -1;
	fprintf(fp, "%d\n", port);
	if (fclose(fp) != 0)
		return -1;
	return rename(tmp, path);
}

static void
serve(int fd)
{
	FILE *in = fdopen(fd, "r");
	char line[4096];

	if (in == NULL)
		return;
	printf("client connected\n");
	while (fgets(line, sizeof line, in) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		printf("got '%s'\n", line);
		if (strcmp(line, "QUIT") == 0)
			break;
		if (strncmp(line, "LOGIN ", 6) == 0)
			dprintf(fd, "welcome %s\n", line + 6);
		else
			dprintf(fd, "echo: %s\n", line);
	}
	printf("client gone\n");
	fclose(in);
}

int
main(int argc, char **argv)
{
	int lfd, fd, port;

	if (argc != 2) {
		fprintf(stderr, "usage: echo_server PORTFILE\n");
		return 2;
	}
	alarm(300);	/* never outlive a broken test run */
	if ((lfd = listen_any_port(&port)) == -1 ||
	    write_port(argv[1], port) == -1) {
		perror("echo_server");
		return 1;
	}
	printf("listening on %d\n", port);
	for (;;) {
		if ((fd = accept(lfd, NULL, NULL)) == -1)
			continue;
		serve(fd);
	}
}
