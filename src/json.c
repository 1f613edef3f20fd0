#include "ptyplex/json.h"

#include <stdint.h>
#include <string.h>

/* Byte-parallel tests on 8 bytes at once (see "Bit Twiddling Hacks"). */
#define JSON_ONES	UINT64_C(0x0101010101010101)
#define JSON_HIGHS	UINT64_C(0x8080808080808080)
/* Nonzero if some byte of w is zero. */
#define JSON_HAS_ZERO(w)	(((w) - JSON_ONES) & ~(w) & JSON_HIGHS)
/* Nonzero if some byte of w is below n (n at most 128). */
#define JSON_HAS_LESS(w, n)	(((w) - JSON_ONES * (n)) & ~(w) & JSON_HIGHS)

static const char json_hex[] = "0123456789abcdef";

static size_t json_plain_run(const unsigned char *s, size_t len);
static size_t json_utf8_len(const unsigned char *s, size_t len);
static char *json_escape_ascii(char *p, unsigned char c);
static char *json_escape_u(char *p, unsigned int u);

/*
 * Output is mostly plain ASCII, so runs of bytes that need nothing are found
 * 8 at a time and copied with one memcpy; only the rest goes byte by byte.
 */
size_t
json_escape(char *dst, const char *src, size_t len)
{
	const unsigned char *s = (const unsigned char *)src;
	char *p = dst;
	size_t i = 0, n;

	while (i < len) {
		n = json_plain_run(s + i, len - i);
		memcpy(p, s + i, n);
		p += n;
		i += n;
		if (i == len)
			break;

		if (s[i] < 0x80) {
			p = json_escape_ascii(p, s[i]);
			i++;
		} else if ((n = json_utf8_len(s + i, len - i)) != 0) {
			memcpy(p, s + i, n);
			p += n;
			i += n;
		} else {
			/*
			 * Only the first byte: the next one starts over, so
			 * a valid character right after a stray byte stays.
			 */
			p = json_escape_u(p, 0xdc00 | s[i]);
			i++;
		}
	}
	return p - dst;
}

/* Length of the prefix of s that is ASCII and needs no escape. */
static size_t
json_plain_run(const unsigned char *s, size_t len)
{
	size_t i = 0;
	uint64_t w;

	for (; len - i >= 8; i += 8) {
		memcpy(&w, s + i, 8);
		if ((w & JSON_HIGHS) != 0 ||
		    JSON_HAS_LESS(w, 0x20) != 0 ||
		    JSON_HAS_ZERO(w ^ (JSON_ONES * '"')) != 0 ||
		    JSON_HAS_ZERO(w ^ (JSON_ONES * '\\')) != 0)
			break;
	}
	while (i < len && s[i] >= 0x20 && s[i] < 0x80 &&
	    s[i] != '"' && s[i] != '\\')
		i++;
	return i;
}

/*
 * Length of the well-formed UTF-8 character at s, or 0. The ranges are
 * those of Unicode's table 3-7: they leave out overlong forms (C0, C1,
 * E0 80-9F, F0 80-8F), surrogates (ED A0-BF) and code points past U+10FFFF
 * (F4 90-BF, F5-FF). A character cut short by the end of s is not valid.
 */
static size_t
json_utf8_len(const unsigned char *s, size_t len)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;

	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	}
	return n;
}

/* '"', '\\' or a control character. */
static char *
json_escape_ascii(char *p, unsigned char c)
{
	char short_form;

	switch (c) {
	case '"':  short_form = '"'; break;
	case '\\': short_form = '\\'; break;
	case '\b': short_form = 'b'; break;
	case '\f': short_form = 'f'; break;
	case '\n': short_form = 'n'; break;
	case '\r': short_form = 'r'; break;
	case '\t': short_form = 't'; break;
	default:
		return json_escape_u(p, c);
	}
	*p++ = '\\';
	*p++ = short_form;
	return p;
}

static char *
json_escape_u(char *p, unsigned int u)
{
	*p++ = '\\';
	*p++ = 'u';
	*p++ = json_hex[(u >> 12) & 0xf];
	*p++ = json_hex[(u >> 8) & 0xf];
	*p++ = json_hex[(u >> 4) & 0xf];
	*p++ = json_hex[u & 0xf];
	return p;
}
