/*
 * echoer WHO: the demo's proc_a.py in C. Prints "what should WHO say?",
 * reads a line and prints "Who says, "LINE"" (WHO capitalised), again and
 * again; exits at EOF or on the line "quit".
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	char line[8192];
	const char *who;

	if (argc != 2) {
		fprintf(stderr, "usage: echoer WHO\n");
		return 2;
	}
	who = argv[1];
	alarm(300);	/* never outlive a broken test run */
	for (;;) {
		printf("what should %s say?\n", who);
		if (fgets(line, sizeof line, stdin) == NULL)
			break;
		line[strcspn(line, "\r\n")] = '\0';
		if (strcmp(line, "quit") == 0)
			break;
		printf("%c%s says, \"%s\"\n", toupper((unsigned char)who[0]),
		    who + 1, line);
	}
	return 0;
}
