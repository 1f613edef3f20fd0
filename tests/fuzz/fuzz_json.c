/*
 * libFuzzer target for JSON escaping.
 *
 * The input is the bytes a child wrote. Their escaped form must fit in
 * JSON_ESCAPE_BOUND, leave the rest of the buffer alone, be valid JSON string
 * content (strict: raw bytes well-formed UTF-8, no raw control characters or
 * quotes, only JSON's escapes) and decode, surrogateescape undone, to the
 * input. It must also equal, byte for byte, the output of a plain reference
 * escaper (so valid UTF-8 is copied, not escaped). Any failure aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ptyplex/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CANARY 0xa5
#define SLACK 16

/* Well-formed UTF-8 at s: its length, or 0 (decodes, then range-checks). */
static size_t
utf8_decode(const uint8_t *s, size_t len, uint32_t *cp)
{
	size_t n, i;
	uint32_t v;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		v = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		v = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		v = s[0] & 0x07;
	} else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if ((n == 2 && v < 0x80) || (n == 3 && v < 0x800) ||
	    (n == 4 && v < 0x10000))
		return 0;
	if ((v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff)
		return 0;
	*cp = v;
	return n;
}

static uint32_t
hex4(const uint8_t *s)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		v <<= 4;
		if (s[i] >= '0' && s[i] <= '9')
			v |= s[i] - '0';
		else if (s[i] >= 'a' && s[i] <= 'f')
			v |= s[i] - 'a' + 10;
		else if (s[i] >= 'A' && s[i] <= 'F')
			v |= s[i] - 'A' + 10;
		else
			abort();
	}
	return v;
}

/*
 * Checks s as JSON string content and decodes it into out; json_escape()
 * writes no \u escape but \u00XX (XX < 0x20) and \udc80-\udcff, so anything
 * else aborts too. Returns the decoded length.
 */
static size_t
check_and_decode(const uint8_t *s, size_t len, uint8_t *out)
{
	size_t i = 0, o = 0, n;
	uint32_t cp;

	while (i < len) {
		if (s[i] < 0x20 || s[i] == '"')
			abort();
		if (s[i] != '\\') {
			if ((n = utf8_decode(s + i, len - i, &cp)) == 0)
				abort();
			memcpy(out + o, s + i, n);
			i += n;
			o += n;
			continue;
		}
		if (++i == len)
			abort();
		switch (s[i++]) {
		case '"': out[o++] = '"'; continue;
		case '\\': out[o++] = '\\'; continue;
		case 'b': out[o++] = '\b'; continue;
		case 'f': out[o++] = '\f'; continue;
		case 'n': out[o++] = '\n'; continue;
		case 'r': out[o++] = '\r'; continue;
		case 't': out[o++] = '\t'; continue;
		case 'u': break;
		default: abort();
		}
		if (len - i < 4)
			abort();
		cp = hex4(s + i);
		i += 4;
		if (cp >= 0xdc80 && cp <= 0xdcff)
			out[o++] = cp & 0xff;
		else if (cp < 0x20 && cp != '\b' && cp != '\f' &&
		    cp != '\n' && cp != '\r' && cp != '\t')
			out[o++] = cp;
		else
			abort();
	}
	return o;
}

/*
 * The contract one code point at a time, written unlike json.c: the exact
 * text json_escape() must produce. Returns its length.
 */
static size_t
reference_escape(const uint8_t *s, size_t len, uint8_t *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, o = 0, n;
	uint32_t cp;
	char c;

	for (; i < len; i += n) {
		if ((n = utf8_decode(s + i, len - i, &cp)) == 0) {
			memcpy(out + o, "\\udc", 4);
			out[o + 4] = hex[s[i] >> 4];
			out[o + 5] = hex[s[i] & 0xf];
			o += 6;
			n = 1;
			continue;
		}
		c = cp == '"' ? '"' : cp == '\\' ? '\\' : cp == '\b' ? 'b' :
		    cp == '\f' ? 'f' : cp == '\n' ? 'n' : cp == '\r' ? 'r' :
		    cp == '\t' ? 't' : 0;
		if (c != 0) {
			out[o++] = '\\';
			out[o++] = c;
		} else if (cp < 0x20) {
			memcpy(out + o, "\\u00", 4);
			out[o + 4] = hex[cp >> 4];
			out[o + 5] = hex[cp & 0xf];
			o += 6;
		} else {
			memcpy(out + o, s + i, n);
			o += n;
		}
	}
	return o;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t bound = JSON_ESCAPE_BOUND(size), n, back_len, i;
	uint8_t *dst, *back;

	dst = malloc(bound + SLACK);
	back = malloc(bound + 1);
	if (dst == NULL || back == NULL)
		abort();
	memset(dst, CANARY, bound + SLACK);

	n = json_escape((char *)dst, (const char *)data, size);
	if (n > bound)
		abort();
	for (i = n; i < bound + SLACK; i++) {
		if (dst[i] != CANARY)
			abort();
	}
	back_len = check_and_decode(dst, n, back);
	if (back_len != size || (size > 0 && memcmp(back, data, size) != 0))
		abort();
	if (reference_escape(data, size, back) != n ||
	    memcmp(back, dst, n) != 0)
		abort();

	free(back);
	free(dst);
	return 0;
}
