#include "ptyplex/pattern.h"

#include <stdlib.h>
#include <string.h>

#include "ptyplex/xalloc.h"

/* Parentheses nested deeper than this are refused outright. */
#define PATTERN_DEPTH_MAX 64

enum pattern_verdict {
	PATTERN_OK,
	PATTERN_TOO_COSTLY,
	PATTERN_BACKREF,
	PATTERN_STACKED,
};

/*
 * About how many nodes regcomp() makes of a pattern: per open group, the
 * nodes so far and those of its last piece (the one a repetition applies
 * to). Malformed input is costed loosely; regcomp() judges it afterwards.
 */
struct pattern_cost {
	size_t total[PATTERN_DEPTH_MAX + 1];
	size_t last[PATTERN_DEPTH_MAX + 1];
	size_t depth;
};

/* a * b, saturating just above the limit. */
static size_t
pattern_mul(size_t a, size_t b)
{
	if (b != 0 && a > (PATTERN_COST_MAX + 1) / b)
		return PATTERN_COST_MAX + 1;
	return a * b;
}

/* The number in "{m}", "{m,}" or "{m,n}" at p that counts, plus one, or 0
 * if p does not start such an interval; *end is its '}'. */
static size_t
pattern_interval(const char *p, const char **end)
{
	size_t m = 0, n = 0, digits = 0;

	for (p++; *p >= '0' && *p <= '9'; p++, digits++)
		if ((m = m * 10 + (*p - '0')) > 99999)
			m = 99999;
	if (digits == 0)
		return 0;
	if (*p == ',')
		for (p++; *p >= '0' && *p <= '9'; p++)
			if ((n = n * 10 + (*p - '0')) > 99999)
				n = 99999;
	if (*p != '}')
		return 0;
	*end = p;
	return (m > n ? m : n) + 1;
}

/*
 * Skips a bracket expression starting at p; returns its last byte. Inside,
 * "[:", "[=" and "[." open a class, an equivalence class or a collating
 * symbol that only ":]", "=]" or ".]" ends, as in regcomp().
 */
static const char *
pattern_bracket(const char *p)
{
	const char *q = p + 1, *close;
	char end[3] = { 0, ']', '\0' };

	if (*q == '^')
		q++;
	if (*q == ']')
		q++;
	for (; *q != '\0' && *q != ']'; q++) {
		if (*q != '[' || (q[1] != ':' && q[1] != '=' && q[1] != '.'))
			continue;
		end[0] = q[1];
		if ((close = strstr(q + 2, end)) != NULL)
			q = close + 1;
	}
	return *q == '\0' ? q - 1 : q;
}

/* A new piece of size nodes in the current group. */
static void
pattern_piece(struct pattern_cost *pc, size_t size)
{
	pc->last[pc->depth] = size;
	pc->total[pc->depth] += size;
}

/* The last piece repeated: glibc copies it factor times. */
static void
pattern_repeat(struct pattern_cost *pc, size_t factor)
{
	size_t d = pc->depth;

	pc->total[d] -= pc->last[d];
	pc->last[d] = pattern_mul(pc->last[d], factor);
	pc->total[d] += pc->last[d];
}

/* Costs the byte at p (and what it starts); returns the last byte used. */
static const char *
pattern_step(struct pattern_cost *pc, const char *p,
    enum pattern_verdict *verdict)
{
	const char *end;
	size_t factor;

	switch (*p) {
	case '\\':
		if (p[1] >= '1' && p[1] <= '9')
			*verdict = PATTERN_BACKREF;
		pattern_piece(pc, 1);
		return p[1] != '\0' ? p + 1 : p;
	case '[':
		pattern_piece(pc, 1);
		return pattern_bracket(p);
	case '(':
		if (pc->depth == PATTERN_DEPTH_MAX) {
			*verdict = PATTERN_TOO_COSTLY;
			return p;
		}
		pc->depth++;
		pc->total[pc->depth] = pc->last[pc->depth] = 0;
		return p;
	case ')':
		if (pc->depth == 0)
			break;
		pc->depth--;
		pattern_piece(pc, pc->total[pc->depth + 1] + 1);
		return p;
	case '*':
	case '?':
		/* A loop or a choice around the last piece: one node more. */
		pc->last[pc->depth]++;
		pc->total[pc->depth]++;
		return p;
	case '+':
		pattern_repeat(pc, 2);
		return p;
	case '{':
		if ((factor = pattern_interval(p, &end)) == 0)
			break;
		pattern_repeat(pc, factor);
		return end;
	}
	pattern_piece(pc, 1);
	return p;
}

static int
pattern_is_repetition(const char *p)
{
	const char *end;

	return *p == '*' || *p == '?' || *p == '+' ||
	    (*p == '{' && pattern_interval(p, &end) > 0);
}

/* Whether regcomp() may be given src; see pattern.h. */
static enum pattern_verdict
pattern_check(const char *src)
{
	struct pattern_cost pc;
	enum pattern_verdict verdict = PATTERN_OK;
	int repeated = 0, repetition;
	const char *p;

	memset(&pc, 0, sizeof pc);
	for (p = src; *p != '\0' && verdict == PATTERN_OK; p++) {
		repetition = pattern_is_repetition(p);
		if (repeated && repetition)
			return PATTERN_STACKED;
		repeated = repetition;
		p = pattern_step(&pc, p, &verdict);
		if (pc.total[pc.depth] > PATTERN_COST_MAX)
			return PATTERN_TOO_COSTLY;
	}
	while (verdict == PATTERN_OK && pc.depth > 0) {
		pc.total[pc.depth - 1] += pc.total[pc.depth];
		if (pc.total[--pc.depth] > PATTERN_COST_MAX)
			return PATTERN_TOO_COSTLY;
	}
	return verdict;
}

/* The REGEX between the slashes, with "\/" turned into '/'. */
static char *
pattern_source(const char *text, size_t len, size_t *n)
{
	char *src = xmalloc(len);
	size_t i;

	*n = 0;
	for (i = 1; i < len - 1; i++) {
		if (text[i] == '\\' && i + 1 < len - 1) {
			if (text[i + 1] != '/')
				src[(*n)++] = text[i];
			src[(*n)++] = text[++i];
		} else
			src[(*n)++] = text[i];
	}
	src[*n] = '\0';
	return src;
}

/* Why src may not be compiled, or NULL. */
static char *
pattern_refuse(const char *src, size_t n)
{
	const char *cut = n > 64 ? "..." : "";

	if (n == 0)
		return xstrdup("empty pattern //");
	if (memchr(src, '\0', n) != NULL)
		return xstrdup("NUL byte in the pattern");
	if (n > PATTERN_MAX)
		return xasprintf("pattern /%.64s.../ is longer than %d bytes",
		    src, PATTERN_MAX);
	switch (pattern_check(src)) {
	case PATTERN_OK:
		return NULL;
	case PATTERN_BACKREF:
		return xasprintf("pattern /%.64s%s/: back-references are not "
		    "supported", src, cut);
	case PATTERN_STACKED:
		return xasprintf("pattern /%.64s%s/: a repetition of a "
		    "repetition ('**', '+?', ...) is undefined in POSIX EREs",
		    src, cut);
	case PATTERN_TOO_COSTLY:
		break;
	}
	return xasprintf("pattern /%.64s%s/ is too large or has too many "
	    "nested repetitions", src, cut);
}

int
pattern_compile(const char *text, size_t len, regex_t *re, char **source,
    char **why)
{
	char *src, err[256];
	size_t n;
	int rc;

	if (len < 2 || text[0] != '/' || text[len - 1] != '/') {
		*why = xstrdup("expected /REGEX/");
		return -1;
	}
	src = pattern_source(text, len, &n);
	if ((*why = pattern_refuse(src, n)) != NULL) {
		free(src);
		return -1;
	}
	if ((rc = regcomp(re, src, REG_EXTENDED | REG_NEWLINE)) != 0) {
		regerror(rc, re, err, sizeof err);
		*why = xasprintf("bad pattern /%s/: %s", src, err);
		free(src);
		return -1;
	}
	*source = src;
	return 0;
}
