/*
 * JSON string escaping for arbitrary bytes. Pure.
 *
 * Valid UTF-8 passes through except '"', '\\' and control characters, which
 * are escaped (\n, \t, \r, \b, \f, or \u00XX). Each byte that is not part of
 * valid UTF-8 (overlong forms, surrogates and code points past U+10FFFF
 * included) becomes "\udcXX", XX being the byte: Python's surrogateescape,
 * so json.loads(s).encode("utf-8", "surrogateescape") gives the bytes back.
 * The output is always valid JSON string content (without the quotes).
 */
#ifndef PTYPLEX_JSON_H
#define PTYPLEX_JSON_H

#include <stddef.h>

/* Most bytes json_escape() can write for len input bytes. */
#define JSON_ESCAPE_BOUND(len) ((len) * 6)

/* Writes the escaped form of src into dst; returns the bytes written. */
size_t json_escape(char *dst, const char *src, size_t len);

#endif
