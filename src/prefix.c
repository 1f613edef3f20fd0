#include "ptyplex/prefix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptyplex/xalloc.h"

enum prefix_part_kind {
	PART_TEXT,
	PART_NAME,
	PART_PID,
	PART_TIME,
};

struct prefix_part {
	enum prefix_part_kind kind;
	char *text;
	size_t len;
};

struct prefix {
	struct prefix_part *parts;
	size_t count;
	int uses_time;
};

static void
prefix_add(struct prefix *p, enum prefix_part_kind kind, const char *text,
    size_t len)
{
	struct prefix_part *part;

	p->parts = xreallocarray(p->parts, p->count + 1, sizeof *p->parts);
	part = &p->parts[p->count++];
	part->kind = kind;
	part->text = text != NULL ? xstrndup(text, len) : NULL;
	part->len = len;
	if (kind == PART_TIME)
		p->uses_time = 1;
}

/* Turns one "%x" at format[i] into a part; returns -1 if x is unknown. */
static int
prefix_add_conversion(struct prefix *p, char conv)
{
	switch (conv) {
	case 'n':
		prefix_add(p, PART_NAME, NULL, 0);
		return 0;
	case 'p':
		prefix_add(p, PART_PID, NULL, 0);
		return 0;
	case 't':
		prefix_add(p, PART_TIME, NULL, 0);
		return 0;
	case '%':
		prefix_add(p, PART_TEXT, "%", 1);
		return 0;
	default:
		return -1;
	}
}

struct prefix *
prefix_compile(const char *format, char **cause)
{
	struct prefix *p = xcalloc(1, sizeof *p);
	const char *s = format, *pct;

	if (strlen(format) > PREFIX_MAX / 2) {
		*cause = xasprintf("--prefix is longer than %d bytes",
		    PREFIX_MAX / 2);
		goto fail;
	}
	while ((pct = strchr(s, '%')) != NULL) {
		if (pct > s)
			prefix_add(p, PART_TEXT, s, pct - s);
		if (prefix_add_conversion(p, pct[1]) == -1) {
			*cause = xasprintf("--prefix '%s': unknown conversion "
			    "'%%%.1s' (use %%n, %%p, %%t or %%%%)", format,
			    pct[1] != '\0' ? pct + 1 : "");
			goto fail;
		}
		s = pct + 2;
	}
	if (*s != '\0')
		prefix_add(p, PART_TEXT, s, strlen(s));
	return p;
fail:
	prefix_free(p);
	return NULL;
}

void
prefix_free(struct prefix *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->count; i++)
		free(p->parts[i].text);
	free(p->parts);
	free(p);
}

int
prefix_uses_time(const struct prefix *p)
{
	return p->uses_time;
}

void
prefix_format_time(char *out, const struct timespec *now)
{
	struct tm tm;

	localtime_r(&now->tv_sec, &tm);
	snprintf(out, 13, "%02u:%02u:%02u.%03u", (unsigned)tm.tm_hour % 100,
	    (unsigned)tm.tm_min % 100, (unsigned)tm.tm_sec % 100,
	    (unsigned)(now->tv_nsec / 1000000) % 1000);
}

/* Appends at most what still fits in PREFIX_MAX. */
static size_t
prefix_put(char *out, size_t used, const char *text, size_t len)
{
	if (len > PREFIX_MAX - used)
		len = PREFIX_MAX - used;
	memcpy(out + used, text, len);
	return used + len;
}

size_t
prefix_render(const struct prefix *p, char *out, const char *name,
    pid_t pid, const struct timespec *now)
{
	char tmp[32];
	size_t used = 0, i;

	for (i = 0; i < p->count; i++) {
		const struct prefix_part *part = &p->parts[i];

		switch (part->kind) {
		case PART_TEXT:
			used = prefix_put(out, used, part->text, part->len);
			break;
		case PART_NAME:
			used = prefix_put(out, used, name, strlen(name));
			break;
		case PART_PID:
			if (pid > 0)
				snprintf(tmp, sizeof tmp, "%ld", (long)pid);
			else
				strcpy(tmp, "-");
			used = prefix_put(out, used, tmp, strlen(tmp));
			break;
		case PART_TIME:
			prefix_format_time(tmp, now);
			used = prefix_put(out, used, tmp, strlen(tmp));
			break;
		}
	}
	return used;
}
