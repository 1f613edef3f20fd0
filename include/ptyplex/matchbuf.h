/*
 * matchbuf: a child's recent output, for expect steps and --ready. Pure.
 *
 * Bytes are fed as they are read from the pty, raw (not framed), with
 * "\r\n" turned into "\n", so a prompt without a newline can be matched as
 * soon as it arrives. A pattern is searched in the output that arrived
 * since the previous consuming match, like pexpect's buffer: output that
 * came before anybody asked for it is never missed.
 *
 * Invariants and rules:
 *  - Only the newest limit bytes of output (MATCHBUF_LIMIT for children)
 *    are searched and shown; older ones are dropped, matched or not, and
 *    memory stays below twice the limit whatever the child writes.
 *  - Patterns are POSIX regexes compiled with REG_NEWLINE. '^' matches at
 *    the start of a line only: after a '\n', or where the child's output
 *    began. '$' matches before a '\n' and at the end of the output so far,
 *    as in pexpect, so /> $/ matches a prompt (and /^ready$/ could match
 *    "ready" of a "ready-set" whose end has not been read yet).
 *  - A "\r\n" cut in two by separate feeds still becomes "\n".
 *  - Output may hold any byte, NUL included.
 */
#ifndef PTYPLEX_MATCHBUF_H
#define PTYPLEX_MATCHBUF_H

#include <regex.h>
#include <stddef.h>

#define MATCHBUF_LIMIT (64 * 1024)

struct matchbuf;

/* limit is the bytes kept: at least 16 (less is a bug: fatalx). */
struct matchbuf *matchbuf_new(size_t limit);
void matchbuf_free(struct matchbuf *mb);

void matchbuf_feed(struct matchbuf *mb, const char *buf, size_t len);
/*
 * Input was sent to the child: a partial line (a prompt) ends here, as it
 * does on ptyplex's output, so the child's next bytes start a line that
 * '^' matches. Does nothing after a '\n' or on an empty buffer.
 */
void matchbuf_end_line(struct matchbuf *mb);

/*
 * Searches the output since the last consuming match. Returns 1 if re
 * matches; then, if consume is set, that output up to the end of the match
 * is used up. Returns 0 if it does not match (yet).
 */
int matchbuf_match(struct matchbuf *mb, const regex_t *re, int consume);
/* Bytes of output not yet used up by a match. */
size_t matchbuf_pending(const struct matchbuf *mb);

/*
 * The last max_lines lines of the kept output, matched or not (a last line
 * without '\n' counts), for messages: *len bytes from the returned pointer,
 * valid until the next feed. No trailing '\n'.
 */
const char *matchbuf_tail(const struct matchbuf *mb, size_t max_lines,
    size_t *len);

#endif
