/*
 * chat_client PORTFILE: the client side of echo_server. It reads the port
 * from PORTFILE (so it fails, exit 1, if started before the server is
 * listening), connects, asks "login: " (a prompt without newline), sends
 * "LOGIN NAME" and prints the answer as "server: ANSWER"; then it asks
 * "> " for each line, sends it and prints the answer the same way. EOF on
 * stdin or on the connection ends it. Plain stdio, never flushed: a prompt
 * shows only because reading a terminal flushes a terminal's stdout.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int
connect_to(const char *portfile)
{
	struct sockaddr_in sin;
	FILE *fp;
	int fd, port;

	if ((fp = fopen(portfile, "r")) == NULL) {
		printf("cannot read %s: is the server up?\n", portfile);
		return -1;
	}
	if (fscanf(fp, "%d", &port) != 1)
		port = -1;
	fclose(fp);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sin, sizeof sin) == -1) {
		printf("cannot connect to port %d\n", port);
		return -1;
	}
	return fd;
}

/* Sends one request and prints the one-line answer; -1 at EOF. */
static int
ask(FILE *server, int fd, const char *request)
{
	char answer[4096];

	dprintf(fd, "%s\n", request);
	if (fgets(answer, sizeof answer, server) == NULL)
		return -1;
	answer[strcspn(answer, "\r\n")] = '\0';
	printf("server: %s\n", answer);
	return 0;
}

int
main(int argc, char **argv)
{
	char line[4096], request[4200];
	FILE *server;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: chat_client PORTFILE\n");
		return 2;
	}
	alarm(300);	/* never outlive a broken test run */
	if ((fd = connect_to(argv[1])) == -1 ||
	    (server = fdopen(fd, "r")) == NULL)
		return 1;
	fputs("login: ", stdout);
	if (fgets(line, sizeof line, stdin) == NULL)
		return 0;
	line[strcspn(line, "\r\n")] = '\0';
	snprintf(request, sizeof request, "LOGIN %s", line);
	if (ask(server, fd, request) == -1)
		return 1;
	for (;;) {
		fputs("> ", stdout);
		if (fgets(line, sizeof line, stdin) == NULL)
			break;
		line[strcspn(line, "\r\n")] = '\0';
		if (ask(server, fd, line) == -1)
			return 1;
	}
	return 0;
}
