/*
 * framer: the bytes a child writes to its pty, cut into lines.
 *
 * Pure: no I/O, no timers, no libevent. The caller feeds chunks as they are
 * read and receives whole lines through the emit callback, in order.
 *
 * Invariants and rules:
 *  - "\r\n" becomes a line end; a lone '\r' inside a line passes through.
 *  - Emitted lines never contain their terminating '\n' and are never longer
 *    than max_line bytes: a longer line is emitted in max_line pieces (each
 *    a FRAMER_LINE, cut every max_line bytes of content, the last piece
 *    holding the rest) and carries on. Where the cuts fall does not depend
 *    on how the input was chunked.
 *  - Bytes after the last line end are held (at most max_line of them) until
 *    more arrive. framer_flush() emits them as a FRAMER_PARTIAL (a prompt the
 *    caller shows after a moment of silence); what follows is a new line.
 *    A trailing '\r' is kept back by a flush, since it may be half of "\r\n".
 *    If a flushed partial (or a max_line piece) is followed directly by its
 *    line end, no empty line is emitted for it.
 *  - framer_finish() at EOF emits whatever is held as a FRAMER_LINE (a last
 *    line without newline), trailing '\r' included, and leaves the framer
 *    as framer_new() made it.
 *  - Apart from the "\r\n" rule and the dropped '\n's, the concatenation of
 *    all emitted lines equals the input.
 *  - The pointer passed to emit is valid only during the call; it may point
 *    into the buffer given to framer_feed(). emit must not call back into
 *    the same framer.
 */
#ifndef PTYPLEX_FRAMER_H
#define PTYPLEX_FRAMER_H

#include <stddef.h>

enum framer_kind {
	FRAMER_LINE,    /* a whole line (or a max_line piece of one) */
	FRAMER_PARTIAL, /* the start of a line, shown before its end arrived */
};

typedef void framer_emit_fn(void *arg, const char *line, size_t len,
    enum framer_kind kind);

/* max_line must be at least 2 (less is a bug: fatalx). */
struct framer *framer_new(size_t max_line, framer_emit_fn *emit, void *arg);
void framer_free(struct framer *framer);

void framer_feed(struct framer *framer, const char *buf, size_t len);
/* Number of bytes held back, waiting for their line end. */
size_t framer_pending(const struct framer *framer);
/* Emits the held bytes (less a trailing '\r') as FRAMER_PARTIAL, if any. */
void framer_flush(struct framer *framer);
/* End of input: emits every held byte as FRAMER_LINE, if any. */
void framer_finish(struct framer *framer);

#endif
