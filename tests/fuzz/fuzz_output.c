/*
 * libFuzzer target for the output writer (output.c), the code that turns
 * children's lines and lifecycle events into ptyplex's stdout.
 *
 * The input is a program of calls: whole and partial lines, starts, exits
 * and free-form events of three children, pid changes and flushes; its
 * first byte picks --json or the prefixed form, where a --prefix format
 * follows. The calls write to a memory file; once the output is freed:
 *  - --json: every output line is one strict JSON object, checked with the
 *    small validator below (which shares nothing with json.c): "time" in
 *    the documented form, the child's "name", then either "line" (decoding
 *    to the bytes given, surrogateescape undone) with "partial":true for a
 *    partial, or "event" with the fields that event carries, and nothing
 *    else;
 *  - prefixed: every output line is the prefix, as a model of the format
 *    expands it (truncated at PREFIX_MAX), followed by the bytes given;
 *    lifecycle notices go to stderr, never to stdout;
 *  - in both forms, one output line per call that makes one, in order, and
 *    nothing after the last newline.
 * Any failure aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "ptyplex/log.h"
#include "ptyplex/options.h"
#include "ptyplex/output.h"
#include "ptyplex/prefix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NCHILD 3
#define MAX_CALLS 256

enum call_kind { CALL_LINE, CALL_START, CALL_EXIT, CALL_EVENT, CALL_PID };

struct call {
	enum call_kind kind;
	int child;
	int partial;
	pid_t pid;
	enum output_exit_kind exit_kind;
	int value;
	const char *event;
	char *bytes; /* line or detail */
	size_t len;
};

static const char *const names[NCHILD] = {
	"A", "web-1.x_y",
	"ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ",
};
static const char *const events[] = { "restart", "ready", "note" };

static void
fail(const char *what)
{
	fprintf(stderr, "fuzz_output: %s\n", what);
	abort();
}

static void
pressure_cb(void *arg, int blocked)
{
	(void)arg;
	(void)blocked;
}

static void
error_cb(void *arg)
{
	(void)arg;
	fail("a memory file reported as closed");
}

/* Reads the input as a stream of bytes; zeros once it runs out. */
struct reader {
	const uint8_t *p;
	size_t left;
};

static unsigned
take(struct reader *r)
{
	if (r->left == 0)
		return 0;
	r->left--;
	return *r->p++;
}

static size_t
take_bytes(struct reader *r, size_t want, const uint8_t **out)
{
	if (want > r->left)
		want = r->left;
	*out = r->p;
	r->p += want;
	r->left -= want;
	return want;
}

/* The JSON validator: strict RFC 8259, strings decoded to bytes. */

struct json {
	const char *s, *end;
};

static void
json_ws(struct json *j)
{
	while (j->s < j->end && (*j->s == ' ' || *j->s == '\t' ||
	    *j->s == '\n' || *j->s == '\r'))
		j->s++;
}

static unsigned
json_hex4(struct json *j)
{
	unsigned v = 0;
	int i;

	if (j->end - j->s < 4)
		fail("short \\u escape");
	for (i = 0; i < 4; i++, j->s++) {
		char c = *j->s;

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			fail("bad hex digit");
	}
	return v;
}

static size_t
utf8_put(char *dst, unsigned cp)
{
	if (cp < 0x80) {
		dst[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		dst[0] = (char)(0xc0 | cp >> 6);
		dst[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		dst[0] = (char)(0xe0 | cp >> 12);
		dst[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		dst[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	dst[0] = (char)(0xf0 | cp >> 18);
	dst[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	dst[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	dst[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Length of the well-formed UTF-8 character at s, or 0. */
static size_t
utf8_len(const unsigned char *s, const unsigned char *end)
{
	unsigned cp;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if ((size_t)(end - s) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* A string at j->s; its bytes in a new buffer (caller frees). */
static char *
json_string(struct json *j, size_t *len)
{
	char *out;
	size_t n = 0;

	if (j->s >= j->end || *j->s != '"')
		fail("expected a string");
	j->s++;
	if ((out = malloc((size_t)(j->end - j->s) + 1)) == NULL)
		fail("out of memory");
	while (j->s < j->end && *j->s != '"') {
		unsigned char c = (unsigned char)*j->s;
		unsigned cp, lo;
		size_t k;

		if (c < 0x20)
			fail("raw control character in a string");
		if (c != '\\') {
			k = utf8_len((const unsigned char *)j->s,
			    (const unsigned char *)j->end);
			if (k == 0)
				fail("invalid UTF-8 in a string");
			memcpy(out + n, j->s, k);
			n += k;
			j->s += k;
			continue;
		}
		if (++j->s >= j->end)
			fail("backslash at the end");
		switch (*j->s++) {
		case '"': out[n++] = '"'; continue;
		case '\\': out[n++] = '\\'; continue;
		case '/': out[n++] = '/'; continue;
		case 'b': out[n++] = '\b'; continue;
		case 'f': out[n++] = '\f'; continue;
		case 'n': out[n++] = '\n'; continue;
		case 'r': out[n++] = '\r'; continue;
		case 't': out[n++] = '\t'; continue;
		case 'u': break;
		default: fail("bad escape");
		}
		cp = json_hex4(j);
		if (cp >= 0xdc80 && cp <= 0xdcff) {
			out[n++] = (char)(cp & 0xff); /* surrogateescape */
		} else if (cp >= 0xd800 && cp <= 0xdbff) {
			if (j->end - j->s < 2 || j->s[0] != '\\' ||
			    j->s[1] != 'u')
				fail("lone high surrogate");
			j->s += 2;
			lo = json_hex4(j);
			if (lo < 0xdc00 || lo > 0xdfff)
				fail("bad surrogate pair");
			n += utf8_put(out + n,
			    0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00));
		} else if (cp >= 0xdc00 && cp <= 0xdfff) {
			fail("lone low surrogate");
		} else {
			n += utf8_put(out + n, cp);
		}
	}
	if (j->s >= j->end)
		fail("unterminated string");
	j->s++;
	out[n] = '\0';
	*len = n;
	return out;
}

/* A number at j->s, strictly; its value. */
static double
json_number(struct json *j)
{
	const char *start = j->s;
	char buf[64];

	if (j->s < j->end && *j->s == '-')
		j->s++;
	if (j->s < j->end && *j->s == '0')
		j->s++;
	else if (j->s < j->end && *j->s >= '1' && *j->s <= '9')
		while (j->s < j->end && *j->s >= '0' && *j->s <= '9')
			j->s++;
	else
		fail("bad number");
	if (j->s < j->end && (*j->s == '.' || *j->s == 'e' || *j->s == 'E'))
		fail("fraction or exponent where an integer was expected");
	if ((size_t)(j->s - start) >= sizeof buf)
		fail("number too long");
	memcpy(buf, start, (size_t)(j->s - start));
	buf[j->s - start] = '\0';
	return strtod(buf, NULL);
}

/* The members ptyplex writes: strings, integers and true, one level. */
struct member {
	char *key;
	size_t keylen;
	int type; /* 's' string, 'n' number, 't' true */
	char *str;
	size_t len;
	double num;
};

struct object {
	struct member m[8];
	size_t n;
};

static void
object_free(struct object *o)
{
	size_t i;

	for (i = 0; i < o->n; i++) {
		free(o->m[i].key);
		free(o->m[i].str);
	}
}

static void
json_object(const char *line, size_t len, struct object *o)
{
	struct json j = { line, line + len };
	size_t i;

	memset(o, 0, sizeof *o);
	json_ws(&j);
	if (j.s >= j.end || *j.s++ != '{')
		fail("not an object");
	json_ws(&j);
	if (j.s < j.end && *j.s == '}')
		fail("empty object");
	for (;;) {
		struct member *m;

		if (o->n == 8)
			fail("too many members");
		m = &o->m[o->n++];
		json_ws(&j);
		m->key = json_string(&j, &m->keylen);
		for (i = 0; i + 1 < o->n; i++)
			if (strcmp(o->m[i].key, m->key) == 0)
				fail("duplicate key");
		json_ws(&j);
		if (j.s >= j.end || *j.s++ != ':')
			fail("expected ':'");
		json_ws(&j);
		if (j.s < j.end && *j.s == '"') {
			m->type = 's';
			m->str = json_string(&j, &m->len);
		} else if (j.end - j.s >= 4 && memcmp(j.s, "true", 4) == 0) {
			m->type = 't';
			j.s += 4;
		} else {
			m->type = 'n';
			m->num = json_number(&j);
		}
		json_ws(&j);
		if (j.s < j.end && *j.s == ',') {
			j.s++;
			continue;
		}
		if (j.s < j.end && *j.s == '}') {
			j.s++;
			break;
		}
		fail("expected ',' or '}'");
	}
	json_ws(&j);
	if (j.s != j.end)
		fail("bytes after the object");
}

static const struct member *
member(const struct object *o, const char *key, int type)
{
	size_t i;

	for (i = 0; i < o->n; i++) {
		if (strcmp(o->m[i].key, key) == 0) {
			if (o->m[i].type != type)
				fail("member of the wrong type");
			return &o->m[i];
		}
	}
	fail("member missing");
	return NULL;
}

/* "2026-11-25T12:39:35.123Z" */
static void
check_time(const struct member *m)
{
	static const char form[] = "dddd-dd-ddTdd:dd:dd.dddZ";
	size_t i;

	if (m->len != sizeof form - 1)
		fail("time of the wrong length");
	for (i = 0; i < m->len; i++) {
		if (form[i] == 'd' ? m->str[i] < '0' || m->str[i] > '9' :
		    m->str[i] != form[i])
			fail("time not in the documented form");
	}
}

static void
check_json_line(const char *line, size_t len, const struct call *c)
{
	struct object o;
	const struct member *m;
	size_t want = 3;

	json_object(line, len, &o);
	check_time(member(&o, "time", 's'));
	m = member(&o, "name", 's');
	if (strcmp(m->str, names[c->child]) != 0)
		fail("wrong name");
	switch (c->kind) {
	case CALL_LINE:
		m = member(&o, "line", 's');
		if (m->len != c->len || memcmp(m->str, c->bytes, c->len) != 0)
			fail("line does not decode to the bytes given");
		if (c->partial) {
			member(&o, "partial", 't');
			want++;
		}
		break;
	case CALL_START:
		if (strcmp(member(&o, "event", 's')->str, "start") != 0 ||
		    member(&o, "pid", 'n')->num != (double)c->pid)
			fail("bad start event");
		want++;
		break;
	case CALL_EXIT:
		if (strcmp(member(&o, "event", 's')->str, "exit") != 0 ||
		    member(&o, c->exit_kind == OUTPUT_EXIT_STATUS ? "status" :
		    "signal", 'n')->num != (double)c->value)
			fail("bad exit event");
		want++;
		break;
	case CALL_EVENT:
		if (strcmp(member(&o, "event", 's')->str, c->event) != 0)
			fail("bad event name");
		m = member(&o, "detail", 's');
		if (m->len != c->len || memcmp(m->str, c->bytes, c->len) != 0)
			fail("detail does not decode to the text given");
		want++;
		break;
	case CALL_PID:
		fail("a pid change made a line");
	}
	if (o.n != want)
		fail("unexpected members");
	object_free(&o);
}

/* The prefix as the --prefix contract says, %t aside (not generated). */
static size_t
model_prefix(const char *fmt, const char *name, pid_t pid, char *out)
{
	char tmp[32];
	size_t n = 0, k;
	const char *add;

	while (*fmt != '\0') {
		if (*fmt == '%') {
			if (fmt[1] == 'n')
				add = name;
			else if (fmt[1] == 'p') {
				if (pid > 0)
					snprintf(tmp, sizeof tmp, "%ld",
					    (long)pid);
				else
					strcpy(tmp, "-");
				add = tmp;
			} else
				add = "%";
			fmt += 2;
		} else {
			tmp[0] = *fmt++;
			tmp[1] = '\0';
			add = tmp;
		}
		k = strlen(add);
		if (k > PREFIX_MAX - n)
			k = PREFIX_MAX - n;
		memcpy(out + n, add, k);
		n += k;
	}
	return n;
}

static void
check_prefixed_line(const char *line, size_t len, const struct call *c,
    const char *fmt)
{
	char want[PREFIX_MAX];
	size_t n = model_prefix(fmt, names[c->child], c->pid, want);

	if (len != n + c->len || memcmp(line, want, n) != 0 ||
	    memcmp(line + n, c->bytes, c->len) != 0)
		fail("prefixed line is not prefix + bytes");
}

/* A --prefix format from the input: text, %n, %p and %%, no %t. */
static size_t
make_format(struct reader *r, char *fmt)
{
	static const char conv[] = "np%";
	size_t n = 0, want = take(r) % 24;

	while (n < want) {
		unsigned b = take(r);

		if (b % 4 == 0) {
			fmt[n++] = '%';
			fmt[n++] = conv[(b / 4) % 3];
		} else {
			/* A '\n' in the prefix would split our lines. */
			fmt[n++] = (char)(b == '%' || b == 0 || b == '\n' ?
			    'x' : b);
		}
	}
	fmt[n] = '\0';
	return n;
}

static int
read_calls(struct reader *r, struct call *calls, int json)
{
	const uint8_t *bytes;
	size_t n = 0;

	while (r->left > 0 && n < MAX_CALLS) {
		struct call *c = &calls[n];
		unsigned op = take(r);
		size_t i;

		memset(c, 0, sizeof *c);
		c->child = (int)(take(r) % NCHILD);
		switch (op % 8) {
		case 0:
		case 1:
		case 2:
			c->kind = CALL_LINE;
			c->partial = op % 8 == 1;
			i = take(r) << 4;
			i |= take(r) >> 4;
			c->len = take_bytes(r, i, &bytes);
			if ((c->bytes = malloc(c->len + 1)) == NULL)
				fail("out of memory");
			memcpy(c->bytes, bytes, c->len);
			/* The framer never hands over a '\n'. */
			for (i = 0; !json && i < c->len; i++)
				if (c->bytes[i] == '\n')
					c->bytes[i] = 'n';
			break;
		case 3:
			c->kind = CALL_START;
			break;
		case 4:
			c->kind = CALL_EXIT;
			c->exit_kind = OUTPUT_EXIT_STATUS;
			c->value = (int)take(r);
			break;
		case 5:
			c->kind = CALL_EXIT;
			c->exit_kind = OUTPUT_EXIT_SIGNAL;
			c->value = 1 + (int)(take(r) % 64);
			break;
		case 6:
			c->kind = CALL_EVENT;
			c->event = events[op / 8 % 3];
			c->len = take_bytes(r, take(r), &bytes);
			if ((c->bytes = malloc(c->len + 1)) == NULL)
				fail("out of memory");
			memcpy(c->bytes, bytes, c->len);
			c->bytes[c->len] = '\0';
			c->len = strlen(c->bytes); /* a C string */
			break;
		case 7:
			/* A pid change (restart): (int8) so 0 and -N come. */
			c->kind = CALL_PID;
			c->pid = (pid_t)(int8_t)take(r) * 1000;
			c->pid += (pid_t)take(r);
			break;
		}
		n++;
	}
	return (int)n;
}

static void
run(struct call *calls, int ncalls, int json, const char *fmt)
{
	struct options opts;
	struct output_source src[NCHILD];
	struct event_base *base;
	struct output *out;
	pid_t pid[NCHILD] = { 0, 0, 0 };
	struct stat st;
	char *text, *line, *nl;
	int fd, i, k;

	memset(&opts, 0, sizeof opts);
	opts.json = json;
	opts.color = COLOR_NEVER;
	opts.prefix = (char *)fmt;
	if ((fd = memfd_create("fuzz-output", MFD_CLOEXEC)) == -1)
		fail("memfd_create");
	if ((base = event_base_new()) == NULL)
		fail("event_base_new");
	out = output_new(base, fd, &opts, pressure_cb, error_cb, NULL);
	for (i = 0; i < NCHILD; i++)
		output_source_init(&src[i], names[i], (unsigned)i);
	for (i = 0; i < ncalls; i++) {
		struct call *c = &calls[i];
		struct output_source *s = &src[c->child];

		switch (c->kind) {
		case CALL_LINE:
			c->pid = pid[c->child];
			output_line(out, s, c->bytes, c->len, c->partial);
			break;
		case CALL_PID:
			pid[c->child] = c->pid;
			output_source_set_pid(s, c->pid);
			output_flush(out);
			break;
		case CALL_START:
			c->pid = pid[c->child];
			output_started(out, s);
			break;
		case CALL_EXIT:
			output_exited(out, s, c->exit_kind, c->value);
			break;
		case CALL_EVENT:
			output_event(out, s, c->event, c->bytes);
			break;
		}
	}
	output_free(out);
	event_base_free(base);

	if (fstat(fd, &st) == -1)
		fail("fstat");
	if ((text = malloc((size_t)st.st_size + 1)) == NULL)
		fail("out of memory");
	if (pread(fd, text, (size_t)st.st_size, 0) != st.st_size)
		fail("pread");
	close(fd);
	text[st.st_size] = '\0';
	line = text;
	for (i = 0; i < ncalls; i++) {
		struct call *c = &calls[i];

		if (c->kind == CALL_PID)
			continue;
		if (!json && c->kind != CALL_LINE)
			continue;
		nl = memchr(line, '\n', (size_t)(text + st.st_size - line));
		if (nl == NULL)
			fail("fewer lines than calls");
		if (json)
			check_json_line(line, (size_t)(nl - line), c);
		else
			check_prefixed_line(line, (size_t)(nl - line), c, fmt);
		line = nl + 1;
	}
	if (line != text + st.st_size)
		fail("more output than calls");
	free(text);
	for (k = 0; k < ncalls; k++)
		free(calls[k].bytes);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct call calls[MAX_CALLS];
	struct reader r = { data, size };
	char fmt[64];
	char *cause = NULL;
	struct prefix *check;
	int json, ncalls;

	log_set_quiet(1);
	json = take(&r) % 2;
	if (json)
		strcpy(fmt, "%n: ");
	else
		make_format(&r, fmt);
	/* A format output_new() would refuse is not this target's business. */
	if ((check = prefix_compile(fmt, &cause)) == NULL) {
		free(cause);
		return 0;
	}
	prefix_free(check);
	ncalls = read_calls(&r, calls, json);
	run(calls, ncalls, json, fmt);
	return 0;
}
