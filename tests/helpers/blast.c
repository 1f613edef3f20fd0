/*
 * blast BYTES: writes the first BYTES bytes of the pattern in blast_pattern.h
 * with plain stdio and exits at once, leaving the last bytes to exit's flush.
 */
#include "blast_pattern.h"

#include <stdio.h>
#include <stdlib.h>

int
main(int argc, char **argv)
{
	static char chunk[BLAST_LINE * 655];
	unsigned long long total, done = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: blast BYTES\n");
		return 2;
	}
	total = strtoull(argv[1], NULL, 10);
	while (done < total) {
		size_t n = sizeof chunk;

		if (n > total - done)
			n = (size_t)(total - done);
		blast_pattern_fill(chunk, (size_t)done, n);
		if (fwrite(chunk, 1, n, stdout) != n)
			return 1;
		done += n;
	}
	return 0;
}
