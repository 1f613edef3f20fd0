/*
 * The byte stream blast writes, shared with the tests that check it.
 *
 * An endless run of 100-byte lines: line L (from 0) is its number on nine
 * digits, a space, 89 letters starting at 'A' + L % 26 and going round the
 * alphabet, and '\n'. blast N writes the first N bytes of it, so the last
 * line may lack its end.
 */
#ifndef BLAST_PATTERN_H
#define BLAST_PATTERN_H

#include <stddef.h>
#include <stdio.h>

#define BLAST_LINE 100

/* Writes bytes [start, start + n) of the stream into dst. */
static inline void
blast_pattern_fill(char *dst, size_t start, size_t n)
{
	char line[BLAST_LINE + 1];
	size_t done = 0;

	while (done < n) {
		size_t pos = start + done;
		size_t lineno = pos / BLAST_LINE;
		size_t off = pos % BLAST_LINE;
		size_t take = BLAST_LINE - off;
		size_t j;

		snprintf(line, sizeof line, "%09zu ", lineno % 1000000000);
		for (j = 10; j < BLAST_LINE - 1; j++)
			line[j] = (char)('A' + (lineno + j - 10) % 26);
		line[BLAST_LINE - 1] = '\n';
		if (take > n - done)
			take = n - done;
		for (j = 0; j < take; j++)
			dst[done + j] = line[off + j];
		done += take;
	}
}

#endif
