/*
 * numbered_lines NAME COUNT [WIDTH]: prints COUNT lines "NAME SEQ PADDING",
 * SEQ from 1 to COUNT, PADDING being WIDTH (default 40) copies of the letter
 * 'a' + SEQ % 26. Plain stdio, never flushed: lines come out one by one only
 * when stdout is a terminal.
 */
#include <stdio.h>
#include <stdlib.h>

int
main(int argc, char **argv)
{
	long count, width = 40, seq, i;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: numbered_lines NAME COUNT [WIDTH]\n");
		return 2;
	}
	count = strtol(argv[2], NULL, 10);
	if (argc == 4)
		width = strtol(argv[3], NULL, 10);
	for (seq = 1; seq <= count; seq++) {
		printf("%s %ld ", argv[1], seq);
		for (i = 0; i < width; i++)
			putchar('a' + (int)(seq % 26));
		putchar('\n');
	}
	return 0;
}
