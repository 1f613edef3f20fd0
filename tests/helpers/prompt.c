/*
 * prompt: asks "name? " (no newline), reads a line, answers "hello LINE",
 * and asks again; exits at EOF or on the line "bye". The prompt reaches the
 * terminal only because reading a line-buffered stdin flushes a
 * line-buffered stdout: on a pipe it would never show.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
main(void)
{
	char line[8192];

	alarm(300);	/* never outlive a broken test run */
	for (;;) {
		fputs("name? ", stdout);
		if (fgets(line, sizeof line, stdin) == NULL)
			break;
		line[strcspn(line, "\r\n")] = '\0';
		if (strcmp(line, "bye") == 0)
			break;
		printf("hello %s\n", line);
	}
	return 0;
}
