/*
 * script: the --script file, parsed into steps. Pure: no I/O but reading
 * the file, no timers, no libevent; scriptrun.c runs the steps.
 *
 * One step per line; blank lines and lines starting with '#' (after
 * optional blanks) are skipped; blanks are spaces and tabs, and CRLF line
 * endings are tolerated. The steps:
 *
 *   send [-n] NAME [TEXT]      TEXT, C escapes decoded, plus "\n" (not
 *                              with -n); TEXT is the rest of the line
 *                              after the blanks that follow NAME
 *   expect NAME /REGEX/ [SEC]  wait for NAME's output to match (10 s);
 *                              the pattern runs to the last '/' (pattern.h)
 *   sleep SEC
 *   signal NAME SIG            TERM, SIGTERM, term, 15 ...
 *   start NAME
 *   wait NAME [SEC]            wait for NAME to exit (10 s)
 *   exit [STATUS]              end the session with STATUS (0..255, 0)
 *
 * SEC is seconds with an optional fraction, 0 to 86400. Names must be
 * valid NAMEs (spec.h); whether such a child exists is the caller's check.
 *
 * Errors come back in *cause (the caller frees it) as "FILE:LINE: reason",
 * one line, e.g. "chat.script:3: unknown step 'sned'". On error the script
 * is left empty.
 */
#ifndef PTYPLEX_SCRIPT_H
#define PTYPLEX_SCRIPT_H

#include <regex.h>
#include <stddef.h>

/* Default limit of expect and wait steps, in milliseconds. */
#define SCRIPT_TIMEOUT_MS 10000

enum script_op {
	SCRIPT_SEND,
	SCRIPT_EXPECT,
	SCRIPT_SLEEP,
	SCRIPT_SIGNAL,
	SCRIPT_START,
	SCRIPT_WAIT,
	SCRIPT_EXIT,
};

struct script_step {
	enum script_op op;
	unsigned line;  /* 1-based line number in the file */
	char *text;     /* the line as written, blanks trimmed */
	char *name;     /* the child: every op but SLEEP and EXIT; else NULL */
	char *data;     /* SEND: the bytes to write, newline included;
	                   EXPECT: the regex source; else NULL */
	size_t len;     /* SEND: bytes in data (may hold NULs) */
	regex_t re;     /* EXPECT: compiled by pattern_compile() */
	unsigned ms;    /* EXPECT, WAIT: time limit; SLEEP: duration */
	int value;      /* SIGNAL: signal number; EXIT: status */
};

struct script {
	char *filename;
	struct script_step *steps;
	size_t count;
	size_t alloc;
};

void script_init(struct script *sc);
/* Frees the steps (and their regexes); the script is empty again. */
void script_release(struct script *sc);

/*
 * Parses text (len bytes, need not be NUL-terminated; a NUL byte in a line
 * is an error) into sc, which must be empty. filename names the script in
 * messages.
 */
int script_parse(struct script *sc, const char *text, size_t len,
    const char *filename, char **cause);
/*
 * Reads path (a pipe will do) and parses it. An unreadable file is an
 * error ("chat.script: No such file or directory"), and so is one larger
 * than 1 MiB.
 */
int script_load(struct script *sc, const char *path, char **cause);

/*
 * Decodes the escapes \n \t \r \\ and \xHH (two hex digits) in src (len
 * bytes) into dst, which must hold len bytes: decoding never grows the
 * text. Any other backslash sequence, and a backslash at the end, is an
 * error. Returns the decoded length, or -1 with *why set (the caller
 * frees it), e.g. "unknown escape '\q'".
 */
long script_unescape(const char *src, size_t len, char *dst, char **why);

/* Milliseconds as seconds for messages: "10", "0.5", "0.25" (NUL added). */
void script_format_seconds(char *buf, size_t size, unsigned ms);

#endif
