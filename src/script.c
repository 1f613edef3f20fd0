#include "ptyplex/script.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptyplex/pattern.h"
#include "ptyplex/readfile.h"
#include "ptyplex/signame.h"
#include "ptyplex/spec.h"
#include "ptyplex/xalloc.h"

/* A script is a page or two; anything this big is the wrong file. */
#define SCRIPT_FILE_MAX (1024 * 1024)
/* How much of a bad word an error message quotes. */
#define SCRIPT_QUOTE_MAX 64
#define SCRIPT_SECONDS_MAX 86400

/* The rest of a line being parsed, word by word. */
struct script_cursor {
	const char *p;
	const char *end;
};

typedef int script_parse_fn(struct script_step *st, struct script_cursor *cur,
    char **why);

static script_parse_fn script_parse_send, script_parse_expect,
    script_parse_sleep, script_parse_signal, script_parse_start,
    script_parse_wait, script_parse_exit;

static const struct {
	const char *word;
	enum script_op op;
	script_parse_fn *parse;
} script_ops[] = {
	{ "send", SCRIPT_SEND, script_parse_send },
	{ "expect", SCRIPT_EXPECT, script_parse_expect },
	{ "sleep", SCRIPT_SLEEP, script_parse_sleep },
	{ "signal", SCRIPT_SIGNAL, script_parse_signal },
	{ "start", SCRIPT_START, script_parse_start },
	{ "wait", SCRIPT_WAIT, script_parse_wait },
	{ "exit", SCRIPT_EXIT, script_parse_exit },
};
#define SCRIPT_NOPS (sizeof script_ops / sizeof script_ops[0])

void
script_init(struct script *sc)
{
	memset(sc, 0, sizeof *sc);
}

static void
script_step_release(struct script_step *st)
{
	if (st->op == SCRIPT_EXPECT && st->data != NULL)
		regfree(&st->re);
	free(st->text);
	free(st->name);
	free(st->data);
}

void
script_release(struct script *sc)
{
	size_t i;

	for (i = 0; i < sc->count; i++)
		script_step_release(&sc->steps[i]);
	free(sc->steps);
	free(sc->filename);
	script_init(sc);
}

static int
script_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static void
script_skip_blanks(struct script_cursor *cur)
{
	while (cur->p < cur->end && script_is_blank(*cur->p))
		cur->p++;
}

/* The next blank-separated word; 0 if the line has no more. */
static int
script_word(struct script_cursor *cur, const char **word, size_t *len)
{
	script_skip_blanks(cur);
	*word = cur->p;
	while (cur->p < cur->end && !script_is_blank(*cur->p))
		cur->p++;
	*len = cur->p - *word;
	return *len > 0;
}

static char *
script_unexpected(const char *word, size_t len)
{
	return xasprintf("unexpected '%.*s'", (int)(len > SCRIPT_QUOTE_MAX ?
	    SCRIPT_QUOTE_MAX : len), word);
}

/* Anything left on the line is an error. */
static int
script_expect_end(struct script_cursor *cur, char **why)
{
	const char *word;
	size_t len;

	if (!script_word(cur, &word, &len))
		return 0;
	*why = script_unexpected(word, len);
	return -1;
}

/* The NAME word, checked and copied into st->name. */
static int
script_take_name(struct script_step *st, struct script_cursor *cur,
    const char *op, char **why)
{
	const char *word;
	size_t len;
	char *name;

	if (!script_word(cur, &word, &len)) {
		*why = xasprintf("%s: missing NAME", op);
		return -1;
	}
	name = xstrndup(word, len);
	if (!spec_name_is_valid(name)) {
		*why = xasprintf("%s: '%.*s' is not a valid NAME", op,
		    (int)(len > SCRIPT_QUOTE_MAX ? SCRIPT_QUOTE_MAX : len),
		    word);
		free(name);
		return -1;
	}
	st->name = name;
	return 0;
}

/*
 * Seconds as [0-9]+(.[0-9]*)? or .[0-9]+, at most SCRIPT_SECONDS_MAX, into
 * milliseconds (digits past the third decimal are dropped). Stricter than
 * strtod(), which would take "inf", "1e3" and "0x10".
 */
static int
script_seconds(const char *s, size_t len, unsigned *ms)
{
	unsigned long whole = 0, frac = 0, scale = 100;
	size_t i = 0, digits = 0;

	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
		whole = whole * 10 + (s[i] - '0');
		if (whole > SCRIPT_SECONDS_MAX)
			return -1;
	}
	if (i < len && s[i] == '.') {
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
			digits++;
			frac += (s[i] - '0') * scale;
			scale /= 10;
		}
	}
	if (i != len || digits == 0)
		return -1;
	if (whole == SCRIPT_SECONDS_MAX && frac > 0)
		return -1;
	*ms = whole * 1000 + frac;
	return 0;
}

/* An optional SEC word: *ms keeps its default when there is none. */
static int
script_take_seconds(struct script_cursor *cur, const char *op, int required,
    unsigned *ms, char **why)
{
	const char *word;
	size_t len;

	if (!script_word(cur, &word, &len)) {
		if (!required)
			return 0;
		*why = xasprintf("%s: missing SECONDS", op);
		return -1;
	}
	if (script_seconds(word, len, ms) == -1) {
		*why = xasprintf("%s: bad SECONDS '%.*s' (expected 0 to %d, "
		    "e.g. 5 or 0.5)", op, (int)(len > SCRIPT_QUOTE_MAX ?
		    SCRIPT_QUOTE_MAX : len), word, SCRIPT_SECONDS_MAX);
		return -1;
	}
	return 0;
}

static int
script_parse_send(struct script_step *st, struct script_cursor *cur,
    char **why)
{
	const char *word, *save = cur->p;
	size_t len;
	int newline = 1;
	long n;

	if (script_word(cur, &word, &len) && len == 2 &&
	    memcmp(word, "-n", 2) == 0)
		newline = 0;
	else
		cur->p = save;
	if (script_take_name(st, cur, "send", why) == -1)
		return -1;
	script_skip_blanks(cur);
	len = cur->end - cur->p;
	st->data = xmalloc(len + 1);
	if ((n = script_unescape(cur->p, len, st->data, why)) == -1)
		return -1;
	if (newline)
		st->data[n++] = '\n';
	if (n == 0) {
		*why = xasprintf("send -n %s: nothing to send", st->name);
		return -1;
	}
	st->len = n;
	return 0;
}

static int
script_parse_expect(struct script_step *st, struct script_cursor *cur,
    char **why)
{
	const char *slash;
	size_t len;
	char *cause;

	if (script_take_name(st, cur, "expect", why) == -1)
		return -1;
	script_skip_blanks(cur);
	len = cur->end - cur->p;
	/* The pattern runs to the last '/', so '/' inside needs no escape. */
	slash = len > 0 ? memrchr(cur->p, '/', len) : NULL;
	if (len == 0 || *cur->p != '/' || slash == cur->p) {
		*why = xasprintf("expect %s: missing /REGEX/", st->name);
		return -1;
	}
	if (pattern_compile(cur->p, slash + 1 - cur->p, &st->re, &st->data,
	    &cause) == -1) {
		*why = xasprintf("expect %s: %s", st->name, cause);
		free(cause);
		return -1;
	}
	cur->p = slash + 1;
	if (cur->p < cur->end && !script_is_blank(*cur->p)) {
		*why = xasprintf("expect %s: %s after the pattern", st->name,
		    "missing blank");
		return -1;
	}
	st->ms = SCRIPT_TIMEOUT_MS;
	if (script_take_seconds(cur, "expect", 0, &st->ms, why) == -1)
		return -1;
	return script_expect_end(cur, why);
}

static int
script_parse_sleep(struct script_step *st, struct script_cursor *cur,
    char **why)
{
	if (script_take_seconds(cur, "sleep", 1, &st->ms, why) == -1)
		return -1;
	return script_expect_end(cur, why);
}

static int
script_parse_signal(struct script_step *st, struct script_cursor *cur,
    char **why)
{
	const char *word;
	size_t len;
	char *sig;

	if (script_take_name(st, cur, "signal", why) == -1)
		return -1;
	if (!script_word(cur, &word, &len)) {
		*why = xasprintf("signal %s: missing SIGNAL", st->name);
		return -1;
	}
	sig = xstrndup(word, len);
	st->value = signame_parse(sig);
	free(sig);
	if (st->value == -1) {
		*why = xasprintf("signal %s: unknown signal '%.*s'", st->name,
		    (int)(len > SCRIPT_QUOTE_MAX ? SCRIPT_QUOTE_MAX : len),
		    word);
		return -1;
	}
	return script_expect_end(cur, why);
}

static int
script_parse_start(struct script_step *st, struct script_cursor *cur,
    char **why)
{
	if (script_take_name(st, cur, "start", why) == -1)
		return -1;
	return script_expect_end(cur, why);
}

static int
script_parse_wait(struct script_step *st, struct script_cursor *cur,
    char **why)
{
	if (script_take_name(st, cur, "wait", why) == -1)
		return -1;
	st->ms = SCRIPT_TIMEOUT_MS;
	if (script_take_seconds(cur, "wait", 0, &st->ms, why) == -1)
		return -1;
	return script_expect_end(cur, why);
}

static int
script_parse_exit(struct script_step *st, struct script_cursor *cur,
    char **why)
{
	const char *word;
	size_t len, i;

	st->value = 0;
	if (!script_word(cur, &word, &len))
		return 0;
	for (i = 0; i < len && i < 4 && word[i] >= '0' && word[i] <= '9'; i++)
		st->value = st->value * 10 + (word[i] - '0');
	if (i != len || st->value > 255) {
		*why = xasprintf("exit: bad STATUS '%.*s' (expected 0 to 255)",
		    (int)(len > SCRIPT_QUOTE_MAX ? SCRIPT_QUOTE_MAX : len),
		    word);
		return -1;
	}
	return script_expect_end(cur, why);
}

static struct script_step *
script_add_step(struct script *sc)
{
	struct script_step *st;

	if (sc->count == sc->alloc) {
		sc->alloc = sc->alloc == 0 ? 16 : sc->alloc * 2;
		sc->steps = xreallocarray(sc->steps, sc->alloc,
		    sizeof *sc->steps);
	}
	st = &sc->steps[sc->count];
	memset(st, 0, sizeof *st);
	return st;
}

/* One line without its '\n'. Sets *why (without file and line) on error. */
static int
script_line(struct script *sc, const char *line, size_t len, unsigned lineno,
    char **why)
{
	struct script_cursor cur = { line, line + len };
	struct script_step *st;
	const char *word;
	size_t wlen, i;

	script_skip_blanks(&cur);
	while (cur.end > cur.p && script_is_blank(cur.end[-1]))
		cur.end--;
	if (cur.p == cur.end || *cur.p == '#')
		return 0;
	/* Names and patterns are C strings: a NUL would cut one silently. */
	if (memchr(cur.p, '\0', cur.end - cur.p) != NULL) {
		*why = xstrdup("NUL byte in the line");
		return -1;
	}
	line = cur.p;
	script_word(&cur, &word, &wlen);
	for (i = 0; i < SCRIPT_NOPS; i++) {
		if (strlen(script_ops[i].word) == wlen &&
		    memcmp(script_ops[i].word, word, wlen) == 0)
			break;
	}
	if (i == SCRIPT_NOPS) {
		*why = xasprintf("unknown step '%.*s' (expected send, expect, "
		    "sleep, signal, start, wait or exit)", (int)(wlen >
		    SCRIPT_QUOTE_MAX ? SCRIPT_QUOTE_MAX : wlen), word);
		return -1;
	}
	st = script_add_step(sc);
	st->op = script_ops[i].op;
	st->line = lineno;
	if (script_ops[i].parse(st, &cur, why) == -1) {
		script_step_release(st);
		return -1;
	}
	st->text = xstrndup(line, cur.end - line);
	sc->count++;
	return 0;
}

int
script_parse(struct script *sc, const char *text, size_t len,
    const char *filename, char **cause)
{
	const char *p = text, *end = text + len, *eol;
	unsigned lineno = 0;
	char *why;

	script_release(sc);
	sc->filename = xstrdup(filename);
	/* Some editors start a UTF-8 file with a byte order mark. */
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end) {
		lineno++;
		if ((eol = memchr(p, '\n', end - p)) == NULL)
			eol = end;
		if (script_line(sc, p, eol - p, lineno, &why) == -1) {
			*cause = xasprintf("%s:%u: %s", filename, lineno, why);
			free(why);
			script_release(sc);
			return -1;
		}
		p = eol + 1;
	}
	return 0;
}

int
script_load(struct script *sc, const char *path, char **cause)
{
	char *text;
	size_t len;
	int rc;

	script_release(sc);
	if ((text = readfile("script", path, SCRIPT_FILE_MAX, &len,
	    cause)) == NULL)
		return -1;
	rc = script_parse(sc, text, len, path, cause);
	free(text);
	return rc;
}

static int
script_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long
script_unescape(const char *src, size_t len, char *dst, char **why)
{
	size_t i, n = 0;
	int hi, lo;

	for (i = 0; i < len; i++) {
		if (src[i] != '\\') {
			dst[n++] = src[i];
			continue;
		}
		if (++i == len) {
			*why = xstrdup("'\\' at the end of the text");
			return -1;
		}
		switch (src[i]) {
		case 'n':
			dst[n++] = '\n';
			break;
		case 't':
			dst[n++] = '\t';
			break;
		case 'r':
			dst[n++] = '\r';
			break;
		case '\\':
			dst[n++] = '\\';
			break;
		case 'x':
			hi = i + 1 < len ? script_hex(src[i + 1]) : -1;
			lo = i + 2 < len ? script_hex(src[i + 2]) : -1;
			if (hi == -1 || lo == -1) {
				*why = xstrdup("'\\x' needs two hex digits");
				return -1;
			}
			dst[n++] = (char)(hi << 4 | lo);
			i += 2;
			break;
		default:
			if ((unsigned char)src[i] > ' ' &&
			    (unsigned char)src[i] < 0x7f)
				*why = xasprintf("unknown escape '\\%c' "
				    "(expected \\n \\t \\r \\\\ or \\xHH)",
				    src[i]);
			else
				*why = xasprintf("unknown escape: '\\' before "
				    "byte 0x%02x", (unsigned char)src[i]);
			return -1;
		}
	}
	return (long)n;
}

void
script_format_seconds(char *buf, size_t size, unsigned ms)
{
	size_t n;

	n = (size_t)snprintf(buf, size, "%u.%03u", ms / 1000, ms % 1000);
	if (n >= size)
		n = size - 1;
	/* Drop the zeros at the end of the fraction, and a bare '.'. */
	while (n > 0 && buf[n - 1] == '0')
		n--;
	if (n > 0 && buf[n - 1] == '.')
		n--;
	buf[n] = '\0';
}
