/*
 * JSON string escaping for arbitrary bytes. Pure.
 *
 * Valid UTF-8 passes through except '"', '\\' and control characters (bytes
 * below 0x20; DEL passes through), which are escaped (\n, \t, \r, \b, \f, or
 * \u00XX). Each byte that is not part of valid UTF-8 (overlong forms,
 * surrogates and code points past U+10FFFF included) becomes "\udcXX", XX
 * being the byte: Python's surrogateescape, so
 * json.loads(s).encode("utf-8", "surrogateescape") gives the bytes back.
 * Hex digits are lower case. The output is always valid JSON string content
 * (without the quotes) and is not NUL-terminated.
 *
 * A character cut in two by separate calls (a line split at --max-line) is
 * not valid on either side, so its bytes come out as \udcXX escapes; the
 * concatenated bytes still come back.
 */
#ifndef PTYPLEX_JSON_H
#define PTYPLEX_JSON_H

#include <stddef.h>

/* Most bytes json_escape() can write for len input bytes. */
#define JSON_ESCAPE_BOUND(len) ((len) * 6)

/* Writes the escaped form of src into dst; returns the bytes written. */
size_t json_escape(char *dst, const char *src, size_t len);

#endif
