#include "ptyplex/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int log_quiet;
static int log_crlf;

void
log_set_quiet(int quiet)
{
	log_quiet = quiet;
}

int
log_is_quiet(void)
{
	return log_quiet;
}

void
log_set_crlf(int crlf)
{
	log_crlf = crlf;
}

/* One fprintf per message so concurrent writers never split a line. */
static void
log_vprint(const char *fmt, va_list ap, const char *suffix)
{
	char line[4096];

	vsnprintf(line, sizeof line, fmt, ap);
	fprintf(stderr, "ptyplex: %s%s%s", line, suffix,
	    log_crlf ? "\r\n" : "\n");
}

int
log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprint(fmt, ap, "");
	va_end(ap);
	return -1;
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprint(fmt, ap, "");
	va_end(ap);
}

void
log_notice(const char *fmt, ...)
{
	va_list ap;

	if (log_quiet)
		return;
	va_start(ap, fmt);
	log_vprint(fmt, ap, "");
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	char suffix[256];
	va_list ap;

	snprintf(suffix, sizeof suffix, ": %s", strerror(errno));
	va_start(ap, fmt);
	log_vprint(fmt, ap, suffix);
	va_end(ap);
	exit(PTYPLEX_EXIT_FAILURE);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprint(fmt, ap, "");
	va_end(ap);
	exit(PTYPLEX_EXIT_FAILURE);
}
