/*
 * emit ARG...: writes exact bytes, in exact chunks, for the framer's edge
 * cases. Each ARG is one write(2) of its bytes after decoding \n \r \t \e
 * \\ and \xHH, or a step:
 *   @sleep=MS       sleep MS milliseconds
 *   @read           wait for one line on stdin (read(2), byte by byte)
 *   @waitfile=PATH  wait until PATH exists (checked every 10 ms)
 *   @exit=N         exit N at once
 * At the end it exits 0. It uses write(2), not stdio, because its point is
 * where each chunk ends; the other helpers show the stdio behaviour.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes src into dst (at least as long); returns the length. */
static size_t
decode(char *dst, const char *src)
{
	size_t n = 0;

	while (*src != '\0') {
		if (*src != '\\' || src[1] == '\0') {
			dst[n++] = *src++;
			continue;
		}
		src++;
		switch (*src) {
		case 'n': dst[n++] = '\n'; break;
		case 'r': dst[n++] = '\r'; break;
		case 't': dst[n++] = '\t'; break;
		case 'e': dst[n++] = '\033'; break;
		case 'x':
			if (hex_digit(src[1]) >= 0 && hex_digit(src[2]) >= 0) {
				dst[n++] = (char)(hex_digit(src[1]) * 16 +
				    hex_digit(src[2]));
				src += 2;
				break;
			}
			dst[n++] = 'x';
			break;
		default: dst[n++] = *src; break;
		}
		src++;
	}
	return n;
}

static void
write_all(const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(1, buf, len);

		if (n <= 0)
			exit(1);
		buf += n;
		len -= (size_t)n;
	}
}

int
main(int argc, char **argv)
{
	int i;

	alarm(300);	/* never outlive a broken test run */
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (strncmp(arg, "@sleep=", 7) == 0) {
			sleep_ms(strtol(arg + 7, NULL, 10));
		} else if (strcmp(arg, "@read") == 0) {
			char c;

			while (read(0, &c, 1) == 1 && c != '\n')
				;
		} else if (strncmp(arg, "@waitfile=", 10) == 0) {
			while (access(arg + 10, F_OK) != 0)
				sleep_ms(10);
		} else if (strncmp(arg, "@exit=", 6) == 0) {
			exit(atoi(arg + 6));
		} else {
			char *buf = malloc(strlen(arg) + 1);

			if (buf == NULL)
				return 1;
			write_all(buf, decode(buf, arg));
			free(buf);
		}
	}
	return 0;
}
