#include <criterion/criterion.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptyplex/json.h"

/*
 * Well-formed UTF-8 at s: the code point's length, or 0. Written unlike
 * json.c on purpose: it decodes first, then rejects what it should not hold.
 */
static size_t
utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
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
		return 0; /* overlong */
	if ((v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff)
		return 0;
	*cp = v;
	return n;
}

static size_t
utf8_encode(uint32_t cp, unsigned char *out)
{
	if (cp < 0x80) {
		out[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = 0xc0 | cp >> 6;
		out[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = 0xe0 | cp >> 12;
		out[1] = 0x80 | (cp >> 6 & 0x3f);
		out[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	out[0] = 0xf0 | cp >> 18;
	out[1] = 0x80 | (cp >> 12 & 0x3f);
	out[2] = 0x80 | (cp >> 6 & 0x3f);
	out[3] = 0x80 | (cp & 0x3f);
	return 4;
}

static int
hex4(const char *s, uint32_t *v)
{
	int i;

	*v = 0;
	for (i = 0; i < 4; i++) {
		*v <<= 4;
		if (s[i] >= '0' && s[i] <= '9')
			*v |= s[i] - '0';
		else if (s[i] >= 'a' && s[i] <= 'f')
			*v |= s[i] - 'a' + 10;
		else if (s[i] >= 'A' && s[i] <= 'F')
			*v |= s[i] - 'A' + 10;
		else
			return -1;
	}
	return 0;
}

/*
 * A strict reader of JSON string content (RFC 8259, without the quotes)
 * that also undoes surrogateescape: \udc80-\udcff give back one byte, other
 * code points their UTF-8. Raw bytes must be well-formed UTF-8. Returns the
 * decoded length, or -1 (with *why) if s is not valid or could not have come
 * from json_escape(). out needs len bytes.
 */
static long
check_json(const char *s, size_t len, unsigned char *out, const char **why)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, o = 0, n;
	uint32_t cp, lo;

	while (i < len) {
		if (u[i] < 0x20 || u[i] == '"') {
			*why = "raw control character or quote";
			return -1;
		}
		if (u[i] != '\\') {
			if ((n = utf8_decode(u + i, len - i, &cp)) == 0) {
				*why = "raw bytes are not UTF-8";
				return -1;
			}
			memcpy(out + o, u + i, n);
			i += n;
			o += n;
			continue;
		}
		if (++i == len) {
			*why = "backslash at the end";
			return -1;
		}
		switch (s[i++]) {
		case '"': out[o++] = '"'; continue;
		case '\\': out[o++] = '\\'; continue;
		case '/': out[o++] = '/'; continue;
		case 'b': out[o++] = '\b'; continue;
		case 'f': out[o++] = '\f'; continue;
		case 'n': out[o++] = '\n'; continue;
		case 'r': out[o++] = '\r'; continue;
		case 't': out[o++] = '\t'; continue;
		case 'u': break;
		default:
			*why = "unknown escape";
			return -1;
		}
		if (len - i < 4 || hex4(s + i, &cp) == -1) {
			*why = "bad \\u escape";
			return -1;
		}
		i += 4;
		if (cp >= 0xdc80 && cp <= 0xdcff) {
			out[o++] = cp & 0xff;
			continue;
		}
		if (cp >= 0xd800 && cp <= 0xdbff) {
			/* A pair is valid JSON, though json_escape never
			 * writes one. */
			if (len - i < 6 || s[i] != '\\' || s[i + 1] != 'u' ||
			    hex4(s + i + 2, &lo) == -1 ||
			    lo < 0xdc00 || lo > 0xdfff) {
				*why = "lone high surrogate";
				return -1;
			}
			i += 6;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		} else if (cp >= 0xdc00 && cp <= 0xdfff) {
			*why = "low surrogate that escapes no byte";
			return -1;
		}
		o += utf8_encode(cp, out + o);
	}
	return o;
}

/*
 * The contract in the plainest terms, one code point at a time: what
 * json_escape() must write, byte for byte.
 */
static size_t
reference_escape(char *dst, const unsigned char *s, size_t len)
{
	size_t i = 0, o = 0, n;
	uint32_t cp;

	while (i < len) {
		n = utf8_decode(s + i, len - i, &cp);
		if (n == 0) {
			o += sprintf(dst + o, "\\udc%02x", s[i]);
			i++;
			continue;
		}
		if (cp == '"' || cp == '\\')
			o += sprintf(dst + o, "\\%c", (int)cp);
		else if (cp == '\n')
			o += sprintf(dst + o, "\\n");
		else if (cp == '\t')
			o += sprintf(dst + o, "\\t");
		else if (cp == '\r')
			o += sprintf(dst + o, "\\r");
		else if (cp == '\b')
			o += sprintf(dst + o, "\\b");
		else if (cp == '\f')
			o += sprintf(dst + o, "\\f");
		else if (cp < 0x20)
			o += sprintf(dst + o, "\\u%04x", (unsigned)cp);
		else {
			memcpy(dst + o, s + i, n);
			o += n;
		}
		i += n;
	}
	return o;
}

/*
 * Escapes src and checks everything the header promises: within the bound,
 * nothing written past the returned length, valid JSON, bytes come back,
 * and the exact text of the reference.
 */
static size_t
escape_checked(const void *src, size_t len, char **outp)
{
	size_t bound = JSON_ESCAPE_BOUND(len), n;
	char *dst, *want;
	unsigned char *back;
	const char *why = "";
	long back_len;
	size_t i, want_len;

	dst = malloc(bound + 16);
	want = malloc(bound + 16);
	back = malloc(bound + 1);
	cr_assert(dst != NULL && want != NULL && back != NULL);
	memset(dst, 0xa5, bound + 16);

	n = json_escape(dst, src, len);
	cr_assert_leq(n, bound);
	for (i = n; i < bound + 16; i++)
		cr_assert_eq((unsigned char)dst[i], 0xa5,
		    "byte %zu written past the returned length", i);

	back_len = check_json(dst, n, back, &why);
	cr_assert_neq(back_len, -1, "invalid JSON: %s", why);
	cr_assert_eq((size_t)back_len, len);
	cr_assert(len == 0 || memcmp(back, src, len) == 0,
	    "bytes do not come back");

	want_len = reference_escape(want, src, len);
	cr_assert_eq(n, want_len);
	cr_assert(memcmp(dst, want, n) == 0, "differs from the reference");

	free(want);
	free(back);
	if (outp != NULL) {
		dst[n] = '\0';
		*outp = dst;
	} else
		free(dst);
	return n;
}

/* Escapes len bytes of src and expects exactly want. */
static void
assert_escapes_to(const char *src, size_t len, const char *want)
{
	char *out;

	escape_checked(src, len, &out);
	cr_assert_str_eq(out, want);
	free(out);
}

#define ASSERT_ESCAPES_TO(lit, want) \
	assert_escapes_to((lit), sizeof(lit) - 1, (want))

Test(json, empty_input_writes_nothing)
{
	char dst[1] = { 'x' };

	cr_assert_eq(json_escape(dst, "", 0), 0);
	cr_assert_eq(dst[0], 'x');
}

Test(json, plain_ascii_is_copied)
{
	ASSERT_ESCAPES_TO("hello, world", "hello, world");
	ASSERT_ESCAPES_TO("A: Proc A says, 'hi' ~!@#$%^&*()/<>{}[]",
	    "A: Proc A says, 'hi' ~!@#$%^&*()/<>{}[]");
	ASSERT_ESCAPES_TO("\x7f", "\x7f");
}

Test(json, quote_and_backslash_are_escaped)
{
	ASSERT_ESCAPES_TO("say \"hi\"", "say \\\"hi\\\"");
	ASSERT_ESCAPES_TO("C:\\dir\\", "C:\\\\dir\\\\");
	ASSERT_ESCAPES_TO("\"\\\"", "\\\"\\\\\\\"");
}

Test(json, control_characters_have_short_escapes_when_json_has_them)
{
	ASSERT_ESCAPES_TO("a\nb\tc\rd\be\ff", "a\\nb\\tc\\rd\\be\\ff");
}

Test(json, other_control_characters_become_u00xx)
{
	ASSERT_ESCAPES_TO("\0", "\\u0000");
	ASSERT_ESCAPES_TO("\x01\x1f", "\\u0001\\u001f");
	ASSERT_ESCAPES_TO("\x1b[31mred\x1b[0m", "\\u001b[31mred\\u001b[0m");
	ASSERT_ESCAPES_TO("\x0b", "\\u000b");
}

Test(json, valid_multibyte_utf8_passes_through)
{
	ASSERT_ESCAPES_TO("caf\xc3\xa9", "caf\xc3\xa9");
	ASSERT_ESCAPES_TO("\xc2\x80", "\xc2\x80");                 /* U+0080 */
	ASSERT_ESCAPES_TO("\xdf\xbf", "\xdf\xbf");                 /* U+07FF */
	ASSERT_ESCAPES_TO("\xe0\xa0\x80", "\xe0\xa0\x80");         /* U+0800 */
	ASSERT_ESCAPES_TO("\xe2\x82\xac", "\xe2\x82\xac");         /* euro */
	ASSERT_ESCAPES_TO("\xed\x9f\xbf", "\xed\x9f\xbf");         /* U+D7FF */
	ASSERT_ESCAPES_TO("\xee\x80\x80", "\xee\x80\x80");         /* U+E000 */
	ASSERT_ESCAPES_TO("\xef\xbf\xbf", "\xef\xbf\xbf");         /* U+FFFF */
	ASSERT_ESCAPES_TO("\xf0\x90\x80\x80", "\xf0\x90\x80\x80"); /* U+10000 */
	ASSERT_ESCAPES_TO("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"); /* emoji */
	ASSERT_ESCAPES_TO("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf"); /* max */
	ASSERT_ESCAPES_TO("\xe2\x80\xa8", "\xe2\x80\xa8");         /* U+2028 */
}

Test(json, overlong_encodings_are_escaped_byte_by_byte)
{
	ASSERT_ESCAPES_TO("\xc0\x80", "\\udcc0\\udc80");
	ASSERT_ESCAPES_TO("\xc1\xbf", "\\udcc1\\udcbf");
	ASSERT_ESCAPES_TO("\xe0\x80\x80", "\\udce0\\udc80\\udc80");
	ASSERT_ESCAPES_TO("\xe0\x9f\xbf", "\\udce0\\udc9f\\udcbf");
	ASSERT_ESCAPES_TO("\xf0\x80\x80\x80", "\\udcf0\\udc80\\udc80\\udc80");
	ASSERT_ESCAPES_TO("\xf0\x8f\xbf\xbf", "\\udcf0\\udc8f\\udcbf\\udcbf");
}

Test(json, encoded_surrogates_are_escaped_byte_by_byte)
{
	ASSERT_ESCAPES_TO("\xed\xa0\x80", "\\udced\\udca0\\udc80");
	ASSERT_ESCAPES_TO("\xed\xbf\xbf", "\\udced\\udcbf\\udcbf");
	/* CESU-8 pair for U+1F600 */
	ASSERT_ESCAPES_TO("\xed\xa0\xbd\xed\xb8\x80",
	    "\\udced\\udca0\\udcbd\\udced\\udcb8\\udc80");
}

Test(json, code_points_past_10ffff_are_escaped_byte_by_byte)
{
	ASSERT_ESCAPES_TO("\xf4\x90\x80\x80", "\\udcf4\\udc90\\udc80\\udc80");
	ASSERT_ESCAPES_TO("\xf5\x80\x80\x80", "\\udcf5\\udc80\\udc80\\udc80");
	ASSERT_ESCAPES_TO("\xf8\x88\x80\x80\x80",
	    "\\udcf8\\udc88\\udc80\\udc80\\udc80");
	ASSERT_ESCAPES_TO("\xfe\xff", "\\udcfe\\udcff");
}

Test(json, truncated_sequences_are_escaped_byte_by_byte)
{
	ASSERT_ESCAPES_TO("\xe2\x82", "\\udce2\\udc82");
	ASSERT_ESCAPES_TO("\xe2\x82" "A", "\\udce2\\udc82A");
	ASSERT_ESCAPES_TO("\xf0\x9f\x98", "\\udcf0\\udc9f\\udc98");
	ASSERT_ESCAPES_TO("\xc3", "\\udcc3");
	ASSERT_ESCAPES_TO("\xc3\"", "\\udcc3\\\"");
}

Test(json, lone_continuation_bytes_are_escaped)
{
	ASSERT_ESCAPES_TO("\x80", "\\udc80");
	ASSERT_ESCAPES_TO("a\xbf" "b", "a\\udcbfb");
}

Test(json, valid_character_after_a_stray_byte_survives)
{
	ASSERT_ESCAPES_TO("\xff\xc3\xa9", "\\udcff\xc3\xa9");
	ASSERT_ESCAPES_TO("\xe2\xc3\xa9", "\\udce2\xc3\xa9");
	ASSERT_ESCAPES_TO("\xf0\x9f\xe2\x82\xac", "\\udcf0\\udc9f\xe2\x82\xac");
}

/* Worst case: every byte takes six. */
Test(json, bound_is_reached_but_never_passed)
{
	static const char zeros[64];
	static const char highs[] = "\xff\xff\xff\xff\xff\xff\xff\xff";

	cr_assert_eq(escape_checked(zeros, sizeof zeros, NULL),
	    JSON_ESCAPE_BOUND(sizeof zeros));
	cr_assert_eq(escape_checked(highs, sizeof highs - 1, NULL),
	    JSON_ESCAPE_BOUND(sizeof highs - 1));
}

/*
 * Runs of plain ASCII are scanned several bytes at a time: a special byte
 * must be caught at every offset within and after such a block.
 */
Test(json, special_byte_is_found_at_every_offset)
{
	static const struct {
		const char *s;
		size_t len;
	} specials[] = {
		{ "\"", 1 }, { "\\", 1 }, { "\n", 1 }, { "\x1f", 1 },
		{ "\x00", 1 }, { "\x80", 1 }, { "\xff", 1 }, { "\xc3\xa9", 2 },
		{ "\xe2\x82", 2 }, { "\x7f", 1 }, { " ", 1 },
	};
	char buf[80];
	size_t pos, k, len;

	for (k = 0; k < sizeof specials / sizeof specials[0]; k++) {
		for (pos = 0; pos < 40; pos++) {
			len = pos + specials[k].len;
			for (; len < sizeof buf; len += 7) {
				memset(buf, 'a', sizeof buf);
				memcpy(buf + pos, specials[k].s,
				    specials[k].len);
				escape_checked(buf, len, NULL);
			}
		}
	}
}

/* xorshift64*: the same bytes on every run. */
static uint64_t
rng_next(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * UINT64_C(2685821657736338717);
}

/* Bytes that make UTF-8 interesting, mixed with plain text. */
static unsigned char
random_byte(uint64_t *state)
{
	static const unsigned char pool[] = {
		'a', 'b', ' ', '"', '\\', '\n', '\r', 0x00, 0x1b, 0x7f,
		0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf,
		0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4,
		0xf5, 0xf8, 0xfe, 0xff,
	};
	uint64_t r = rng_next(state);

	if ((r & 3) == 0)
		return (r >> 8) & 0xff;
	return pool[(r >> 8) % sizeof pool];
}

Test(json, random_bytes_escape_to_valid_json_that_decodes_back)
{
	uint64_t state = UINT64_C(0x9e3779b97f4a7c15);
	unsigned char buf[300];
	size_t len, i;
	int round;

	for (round = 0; round < 20000; round++) {
		len = rng_next(&state) % (round < 10000 ? 24 : sizeof buf);
		for (i = 0; i < len; i++)
			buf[i] = random_byte(&state);
		escape_checked(buf, len, NULL);
	}
}

Test(json, every_short_sequence_escapes_correctly)
{
	unsigned char buf[3];
	unsigned int a, b;

	/* All one- and two-byte inputs, and each followed by a lead byte. */
	for (a = 0; a < 256; a++) {
		buf[0] = a;
		escape_checked(buf, 1, NULL);
		for (b = 0; b < 256; b++) {
			buf[1] = b;
			escape_checked(buf, 2, NULL);
			buf[2] = 0xe2;
			escape_checked(buf, 3, NULL);
		}
	}
}

/* Every code point, as the encoder of the test writes it, passes intact. */
Test(json, every_code_point_passes_through_or_is_escaped_as_json_says)
{
	unsigned char buf[4];
	uint32_t cp;
	size_t n;

	for (cp = 0; cp <= 0x10ffff; cp++) {
		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		n = utf8_encode(cp, buf);
		escape_checked(buf, n, NULL);
	}
}
