#include "ptyplex/proto.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* A body of up to 256 bytes behind a header, built by hand. */
struct wire {
	unsigned char bytes[PROTO_HEADER_SIZE + 256];
	size_t len;
};

static void
wire_init(struct wire *w, unsigned type, unsigned reserved, uint32_t bodylen)
{
	memset(w, 0, sizeof *w);
	w->bytes[0] = (unsigned char)(type >> 8);
	w->bytes[1] = (unsigned char)type;
	w->bytes[2] = (unsigned char)(reserved >> 8);
	w->bytes[3] = (unsigned char)reserved;
	w->bytes[4] = (unsigned char)(bodylen >> 24);
	w->bytes[5] = (unsigned char)(bodylen >> 16);
	w->bytes[6] = (unsigned char)(bodylen >> 8);
	w->bytes[7] = (unsigned char)bodylen;
	w->len = PROTO_HEADER_SIZE;
}

/* Appends body bytes and sets the header's length to match. */
static void
wire_add(struct wire *w, const void *body, size_t len)
{
	uint32_t bodylen;

	cr_assert_leq(w->len + len, sizeof w->bytes);
	memcpy(w->bytes + w->len, body, len);
	w->len += len;
	bodylen = (uint32_t)(w->len - PROTO_HEADER_SIZE);
	w->bytes[4] = (unsigned char)(bodylen >> 24);
	w->bytes[5] = (unsigned char)(bodylen >> 16);
	w->bytes[6] = (unsigned char)(bodylen >> 8);
	w->bytes[7] = (unsigned char)bodylen;
}

static void
wire_add_name(struct wire *w, const char *name)
{
	unsigned char n = (unsigned char)strlen(name);

	wire_add(w, &n, 1);
	wire_add(w, name, n);
}

static void
assert_msg_eq(const struct proto_msg *a, const struct proto_msg *b)
{
	cr_assert_eq(a->type, b->type);
	cr_assert_str_eq(a->name, b->name);
	cr_assert_eq(a->datalen, b->datalen);
	if (a->datalen > 0)
		cr_assert_arr_eq(a->data, b->data, a->datalen);
	cr_assert_eq(a->version, b->version);
	cr_assert_eq(a->signum, b->signum);
	cr_assert_eq(a->cols, b->cols);
	cr_assert_eq(a->rows, b->rows);
	cr_assert_eq(a->pid, b->pid);
	cr_assert_eq(a->state, b->state);
	cr_assert_eq(a->exit_kind, b->exit_kind);
	cr_assert_eq(a->exit_value, b->exit_value);
	cr_assert_eq(a->restarts, b->restarts);
}

/*
 * The invariant of every decoded message: it encodes back to exactly the
 * bytes it came from.
 */
static void
assert_sane_decoded(const void *buf, size_t size, const struct proto_msg *msg)
{
	unsigned char again[PROTO_MAX_MSG];

	cr_assert_eq(proto_encoded_size(msg), size);
	cr_assert_eq(proto_encode(msg, again, sizeof again), size);
	cr_assert_arr_eq(again, buf, size);
}

/* Decodes a whole valid message and checks it was all of buf. */
static void
decode_ok(const void *buf, size_t len, struct proto_msg *msg)
{
	char err[128] = "";
	size_t size = 12345;

	cr_assert_eq(proto_decode(buf, len, msg, &size, err, sizeof err), 1,
	    "decode failed: %s", err);
	cr_assert_eq(size, len);
	assert_sane_decoded(buf, size, msg);
}

/* Decodes a malformed message and checks the reason given. */
static void
decode_bad(const struct wire *w, const char *reason)
{
	struct proto_msg msg;
	char err[128] = "";
	size_t size = 12345;

	cr_assert_eq(proto_decode(w->bytes, w->len, &msg, &size, err,
	    sizeof err), -1);
	cr_assert_eq(size, 0);
	cr_assert_str_eq(err, reason);
}

/* One valid message of every type, with every field it carries set. */
static struct proto_msg
sample(enum proto_type type)
{
	struct proto_msg m = { .type = type };

	switch (type) {
	case PROTO_HELLO:
		m.version = PROTO_VERSION;
		break;
	case PROTO_SEND:
		m.data = "hi there\n";
		m.datalen = 9;
		break;
	case PROTO_SIGNAL:
		m.signum = 15;
		break;
	case PROTO_ATTACH:
	case PROTO_RESIZE:
		m.cols = 132;
		m.rows = 43;
		break;
	case PROTO_INPUT:
		m.data = "\x03\x1b[A";
		m.datalen = 4;
		break;
	case PROTO_ERROR:
		m.data = "no child named B";
		m.datalen = 16;
		break;
	case PROTO_CHILD:
		m.pid = 4242;
		m.state = PROTO_STATE_RESTARTING;
		m.exit_kind = PROTO_EXIT_SIGNAL;
		m.exit_value = 9;
		m.restarts = 70000;
		break;
	case PROTO_OUTPUT:
		m.data = "A\0B\r\n";
		m.datalen = 5;
		break;
	case PROTO_EXITED:
		m.exit_kind = PROTO_EXIT_STATUS;
		m.exit_value = 3;
		break;
	default:
		break;
	}
	switch (type) {
	case PROTO_SEND:
	case PROTO_SIGNAL:
	case PROTO_START:
	case PROTO_RESTART:
	case PROTO_ATTACH:
	case PROTO_CHILD:
		cr_assert_eq(proto_set_name(&m, "web.1_x-y"), 0);
		break;
	default:
		break;
	}
	return m;
}

Test(proto, every_type_round_trips)
{
	unsigned char buf[PROTO_MAX_MSG];
	struct proto_msg in, out;
	unsigned t;
	size_t n;

	for (t = PROTO_HELLO; t <= PROTO_EXITED; t++) {
		in = sample(t);
		n = proto_encode(&in, buf, sizeof buf);
		cr_assert_gt(n, 0, "%s does not encode", proto_type_name(t));
		cr_assert_eq(n, proto_encoded_size(&in));
		decode_ok(buf, n, &out);
		assert_msg_eq(&in, &out);
	}
}

Test(proto, fields_sit_at_fixed_offsets_big_endian)
{
	static const unsigned char signal[] = {
		0, PROTO_SIGNAL, 0, 0, 0, 0, 0, 6, 1, 'A', 0, 0, 0, 15,
	};
	static const unsigned char child[] = {
		0, PROTO_CHILD, 0, 0, 0, 0, 0, 16, 1, 'B',
		0, 0, 0x10, 0x92,       /* pid 4242 */
		PROTO_STATE_EXITED, PROTO_EXIT_STATUS,
		0, 0, 0, 2,             /* status 2 */
		0, 1, 0x11, 0x70,       /* 70000 restarts */
	};
	static const unsigned char resize[] = {
		0, PROTO_RESIZE, 0, 0, 0, 0, 0, 4, 0x01, 0x00, 0x00, 0x30,
	};
	struct proto_msg m;

	decode_ok(signal, sizeof signal, &m);
	cr_assert_str_eq(m.name, "A");
	cr_assert_eq(m.signum, 15);
	decode_ok(child, sizeof child, &m);
	cr_assert_eq(m.pid, 4242);
	cr_assert_eq(m.state, PROTO_STATE_EXITED);
	cr_assert_eq(m.exit_kind, PROTO_EXIT_STATUS);
	cr_assert_eq(m.exit_value, 2);
	cr_assert_eq(m.restarts, 70000);
	decode_ok(resize, sizeof resize, &m);
	cr_assert_eq(m.cols, 256);
	cr_assert_eq(m.rows, 48);
}

Test(proto, negative_numbers_survive_the_wire)
{
	static const unsigned char held[] = {
		0, PROTO_CHILD, 0, 0, 0, 0, 0, 16, 1, 'C',
		0xff, 0xff, 0xff, 0xff, PROTO_STATE_HELD, PROTO_EXIT_NONE,
		0, 0, 0, 0, 0, 0, 0, 0,
	};
	struct proto_msg m;

	decode_ok(held, sizeof held, &m);
	cr_assert_eq(m.pid, -1);
	cr_assert_eq(m.state, PROTO_STATE_HELD);
}

Test(proto, decoded_message_points_into_the_buffer)
{
	struct proto_msg in = sample(PROTO_SEND), out;
	unsigned char buf[64];
	size_t n = proto_encode(&in, buf, sizeof buf);

	decode_ok(buf, n, &out);
	cr_assert_eq((const unsigned char *)out.data, buf + n - in.datalen);
}

Test(proto, decoder_zeroes_fields_the_type_lacks)
{
	struct proto_msg in = sample(PROTO_RESIZE), out;
	unsigned char buf[64];
	size_t n = proto_encode(&in, buf, sizeof buf);

	memset(&out, 0x5a, sizeof out);
	decode_ok(buf, n, &out);
	cr_assert_str_eq(out.name, "");
	cr_assert_null(out.data);
	cr_assert_eq(out.datalen, 0);
	cr_assert_eq(out.pid, 0);
	cr_assert_eq(out.restarts, 0);
}

Test(proto, empty_payloads_are_allowed)
{
	struct proto_msg in = sample(PROTO_OUTPUT), out;
	unsigned char buf[64];
	size_t n;

	in.data = NULL;
	in.datalen = 0;
	n = proto_encode(&in, buf, sizeof buf);
	cr_assert_eq(n, PROTO_HEADER_SIZE);
	decode_ok(buf, n, &out);
	cr_assert_eq(out.datalen, 0);
}

Test(proto, truncated_header_needs_more)
{
	struct proto_msg in = sample(PROTO_HELLO), out;
	unsigned char buf[64];
	size_t k, size;

	cr_assert_gt(proto_encode(&in, buf, sizeof buf), 0);
	for (k = 0; k < PROTO_HEADER_SIZE; k++) {
		size = 0;
		cr_assert_eq(proto_decode(buf, k, &out, &size, NULL, 0), 0);
		cr_assert_eq(size, PROTO_HEADER_SIZE);
	}
}

Test(proto, truncated_body_needs_the_whole_message)
{
	struct proto_msg in = sample(PROTO_CHILD), out;
	unsigned char buf[64];
	size_t k, n, size;

	n = proto_encode(&in, buf, sizeof buf);
	for (k = PROTO_HEADER_SIZE; k < n; k++) {
		size = 0;
		cr_assert_eq(proto_decode(buf, k, &out, &size, NULL, 0), 0);
		cr_assert_eq(size, n);
	}
}

Test(proto, largest_body_is_accepted)
{
	static unsigned char buf[PROTO_MAX_MSG];
	static char payload[PROTO_MAX_BODY];
	struct proto_msg in = { .type = PROTO_OUTPUT }, out;
	size_t n;

	memset(payload, 'x', sizeof payload);
	in.data = payload;
	in.datalen = sizeof payload;
	n = proto_encode(&in, buf, sizeof buf);
	cr_assert_eq(n, PROTO_MAX_MSG);
	decode_ok(buf, n, &out);
	cr_assert_eq(out.datalen, PROTO_MAX_BODY);
}

Test(proto, oversized_length_fails_on_the_header_alone)
{
	struct wire w;

	wire_init(&w, PROTO_OUTPUT, 0, PROTO_MAX_BODY + 1);
	decode_bad(&w, "OUTPUT body is 65537 bytes, more than the limit of "
	    "65536");
	wire_init(&w, PROTO_SEND, 0, UINT32_MAX);
	decode_bad(&w, "SEND body is 4294967295 bytes, more than the limit of "
	    "65536");
}

Test(proto, unknown_type_fails)
{
	static const unsigned types[] = { 0, PROTO_EXITED + 1, 77, 0x0100,
	    0xffff };
	struct wire w;
	char reason[64];
	size_t i;

	for (i = 0; i < sizeof types / sizeof types[0]; i++) {
		wire_init(&w, types[i], 0, 0);
		snprintf(reason, sizeof reason, "message type %u unknown",
		    types[i]);
		decode_bad(&w, reason);
	}
}

Test(proto, nonzero_reserved_field_fails)
{
	struct wire w;

	wire_init(&w, PROTO_LIST, 0x0100, 0);
	decode_bad(&w, "LIST header reserved field is 256, expected 0");
	wire_init(&w, PROTO_OK, 1, 0);
	decode_bad(&w, "OK header reserved field is 1, expected 0");
}

Test(proto, short_signal_body_fails_before_reading_fields)
{
	struct wire w;

	wire_init(&w, PROTO_SIGNAL, 0, 0);
	wire_add(&w, "\001A\000", 3);
	decode_bad(&w, "SIGNAL body is 3 bytes, expected at least 6");
}

/*
 * For each type, every body one byte shorter or longer than the valid one
 * is refused, except where trailing data makes longer bodies valid.
 */
Test(proto, every_type_refuses_a_wrong_body_length)
{
	unsigned char buf[PROTO_MAX_MSG];
	struct proto_msg in, out;
	unsigned t;
	size_t n, body, size;
	int longer_ok;

	for (t = PROTO_HELLO; t <= PROTO_EXITED; t++) {
		in = sample(t);
		/* Data-carrying types: the shortest valid body has none. */
		in.datalen = t == PROTO_ERROR ? 1 : 0;
		longer_ok = in.data != NULL;
		n = proto_encode(&in, buf, sizeof buf);
		cr_assert_gt(n, 0);
		body = n - PROTO_HEADER_SIZE;
		buf[n] = 'x';
		if (body > 0) {
			buf[7] = (unsigned char)(body - 1);
			cr_assert_eq(proto_decode(buf, n - 1, &out, &size, NULL,
			    0), -1, "%s with a short body", proto_type_name(t));
		}
		buf[7] = (unsigned char)(body + 1);
		cr_assert_eq(proto_decode(buf, n + 1, &out, &size, NULL, 0),
		    longer_ok ? 1 : -1, "%s with a long body",
		    proto_type_name(t));
	}
}

Test(proto, empty_types_refuse_any_body)
{
	struct wire w;

	wire_init(&w, PROTO_STOP, 0, 0);
	wire_add(&w, "\0", 1);
	decode_bad(&w, "STOP body is 1 bytes, expected 0");
	wire_init(&w, PROTO_HELLO, 0, 0);
	wire_add(&w, "\0\0\0\1\0", 5);
	decode_bad(&w, "HELLO body is 5 bytes, expected 4");
}

Test(proto, name_length_must_match_the_body)
{
	struct wire w;

	/* The name claims 9 bytes; the body holds 1 + 3 + 4. */
	wire_init(&w, PROTO_SIGNAL, 0, 0);
	wire_add(&w, "\011abc\0\0\0\1", 8);
	decode_bad(&w, "SIGNAL body is 8 bytes, expected 14 for a 9-byte name");
	wire_init(&w, PROTO_START, 0, 0);
	wire_add(&w, "\002abc", 4);
	decode_bad(&w, "START body is 4 bytes, expected 3 for a 2-byte name");
	wire_init(&w, PROTO_SEND, 0, 0);
	wire_add(&w, "\005abc", 4);
	decode_bad(&w, "SEND body is 4 bytes, expected at least 6 for a "
	    "5-byte name");
}

Test(proto, invalid_names_fail)
{
	static const struct {
		const char *bytes;
		unsigned char len;
	} bad[] = {
		{ "a b", 3 }, { "a/b", 3 }, { "a\0b", 3 }, { "\xc3\xa9", 2 },
		{ "x\n", 2 }, { "*", 1 },
	};
	char long_name[PROTO_NAME_MAX + 1];
	struct wire w;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		wire_init(&w, PROTO_START, 0, 0);
		wire_add(&w, &bad[i].len, 1);
		wire_add(&w, bad[i].bytes, bad[i].len);
		decode_bad(&w, "START name has invalid characters");
	}
	wire_init(&w, PROTO_RESTART, 0, 0);
	wire_add(&w, "\0", 1);
	decode_bad(&w, "RESTART body is 1 bytes, expected at least 2");
	wire_init(&w, PROTO_SEND, 0, 0);
	wire_add(&w, "\0xyz", 4);
	decode_bad(&w, "SEND name length 0, expected 1..64");

	memset(long_name, 'n', sizeof long_name - 1);
	long_name[PROTO_NAME_MAX] = '\0';
	wire_init(&w, PROTO_START, 0, 0);
	wire_add_name(&w, long_name);
	cr_assert_eq(w.len, PROTO_HEADER_SIZE + 1 + PROTO_NAME_MAX);
	decode_ok(w.bytes, w.len, &(struct proto_msg){ 0 });
	wire_init(&w, PROTO_START, 0, 0);
	wire_add(&w, "\101", 1);
	wire_add(&w, long_name, PROTO_NAME_MAX);
	wire_add(&w, "n", 1);
	decode_bad(&w, "START name length 65, expected 1..64");
}

Test(proto, out_of_range_values_fail)
{
	struct wire w;

	wire_init(&w, PROTO_SIGNAL, 0, 0);
	wire_add_name(&w, "A");
	wire_add(&w, "\0\0\0\0", 4);
	decode_bad(&w, "SIGNAL signal number 0, expected 1 or more");
	wire_init(&w, PROTO_SIGNAL, 0, 0);
	wire_add_name(&w, "A");
	wire_add(&w, "\xff\xff\xff\xf7", 4);
	decode_bad(&w, "SIGNAL signal number -9, expected 1 or more");

	wire_init(&w, PROTO_RESIZE, 0, 0);
	wire_add(&w, "\0\0\0\x18", 4);
	decode_bad(&w, "RESIZE window has 0 columns");
	wire_init(&w, PROTO_ATTACH, 0, 0);
	wire_add_name(&w, "A");
	wire_add(&w, "\0\x50\0\0", 4);
	decode_bad(&w, "ATTACH window has 0 rows");

	wire_init(&w, PROTO_EXITED, 0, 0);
	wire_add(&w, "\0\0\0\0\0", 5);
	decode_bad(&w, "EXITED without an exit status or signal");
	wire_init(&w, PROTO_EXITED, 0, 0);
	wire_add(&w, "\3\0\0\0\1", 5);
	decode_bad(&w, "EXITED exit kind 3 unknown");
	wire_init(&w, PROTO_EXITED, 0, 0);
	wire_add(&w, "\1\0\0\1\0", 5);
	decode_bad(&w, "EXITED exit status 256, expected 0..255");
	wire_init(&w, PROTO_EXITED, 0, 0);
	wire_add(&w, "\2\0\0\0\x80", 5);
	decode_bad(&w, "EXITED exit signal 128, expected 1..127");
	wire_init(&w, PROTO_EXITED, 0, 0);
	wire_add(&w, "\2\0\0\0\0", 5);
	decode_bad(&w, "EXITED exit signal 0, expected 1..127");
}

Test(proto, child_fields_are_checked)
{
	struct wire w;

	wire_init(&w, PROTO_CHILD, 0, 0);
	wire_add_name(&w, "A");
	wire_add(&w, "\0\0\0\0" "\0\0" "\0\0\0\0" "\0\0\0\0", 14);
	decode_bad(&w, "CHILD pid 0, expected -1 or more than 0");
	wire_init(&w, PROTO_CHILD, 0, 0);
	wire_add_name(&w, "A");
	wire_add(&w, "\xff\xff\xff\xfe" "\0\0" "\0\0\0\0" "\0\0\0\0", 14);
	decode_bad(&w, "CHILD pid -2, expected -1 or more than 0");
	wire_init(&w, PROTO_CHILD, 0, 0);
	wire_add_name(&w, "A");
	wire_add(&w, "\0\0\0\1" "\4\0" "\0\0\0\0" "\0\0\0\0", 14);
	decode_bad(&w, "CHILD state 4 unknown");
	wire_init(&w, PROTO_CHILD, 0, 0);
	wire_add_name(&w, "A");
	wire_add(&w, "\0\0\0\1" "\0\0" "\0\0\0\7" "\0\0\0\0", 14);
	decode_bad(&w, "CHILD exit value 7 with no exit, expected 0");
}

Test(proto, error_text_is_one_nonempty_line)
{
	struct wire w;

	wire_init(&w, PROTO_ERROR, 0, 0);
	decode_bad(&w, "ERROR text is empty");
	wire_init(&w, PROTO_ERROR, 0, 0);
	wire_add(&w, "two\nlines", 9);
	decode_bad(&w, "ERROR text holds a NUL or a newline");
	wire_init(&w, PROTO_ERROR, 0, 0);
	wire_add(&w, "nul\0", 4);
	decode_bad(&w, "ERROR text holds a NUL or a newline");
}

Test(proto, two_messages_back_to_back)
{
	struct proto_msg a = sample(PROTO_CHILD), b = { .type = PROTO_OK };
	struct proto_msg out;
	unsigned char buf[128];
	size_t na, nb, size;

	na = proto_encode(&a, buf, sizeof buf);
	nb = proto_encode(&b, buf + na, sizeof buf - na);
	cr_assert(na > 0 && nb > 0);
	cr_assert_eq(proto_decode(buf, na + nb, &out, &size, NULL, 0), 1);
	cr_assert_eq(size, na);
	assert_msg_eq(&a, &out);
	cr_assert_eq(proto_decode(buf + size, na + nb - size, &out, &size,
	    NULL, 0), 1);
	cr_assert_eq(size, nb);
	assert_msg_eq(&b, &out);
}

/*
 * A stream cut anywhere: the bytes before the cut give the messages that
 * are whole and then "need more", never an error; adding the rest gives the
 * remaining messages.
 */
Test(proto, stream_split_at_every_offset)
{
	enum proto_type types[] = { PROTO_HELLO, PROTO_ATTACH, PROTO_OUTPUT,
	    PROTO_LIST, PROTO_CHILD, PROTO_ERROR, PROTO_EXITED };
	size_t ntypes = sizeof types / sizeof types[0];
	struct proto_msg in[sizeof types / sizeof types[0]], out;
	size_t ends[sizeof types / sizeof types[0]];
	unsigned char stream[512];
	size_t i, len = 0, cut, off, size, got;
	int r;

	for (i = 0; i < ntypes; i++) {
		in[i] = sample(types[i]);
		len += proto_encode(&in[i], stream + len, sizeof stream - len);
		ends[i] = len;
	}
	for (cut = 0; cut <= len; cut++) {
		off = got = 0;
		while ((r = proto_decode(stream + off, cut - off, &out, &size,
		    NULL, 0)) == 1) {
			assert_msg_eq(&in[got], &out);
			off += size;
			cr_assert_eq(off, ends[got]);
			got++;
		}
		cr_assert_eq(r, 0, "cut at %zu", cut);
		cr_assert_gt(off + size, cut);
		/* The rest of the stream arrives. */
		while (off < len) {
			cr_assert_eq(proto_decode(stream + off, len - off, &out,
			    &size, NULL, 0), 1);
			assert_msg_eq(&in[got], &out);
			off += size;
			got++;
		}
		cr_assert_eq(got, ntypes);
	}
}

Test(proto, encode_refuses_a_buffer_too_small)
{
	struct proto_msg in = sample(PROTO_CHILD);
	unsigned char buf[64];
	size_t n = proto_encoded_size(&in);

	memset(buf, 0xee, sizeof buf);
	cr_assert_eq(proto_encode(&in, buf, n - 1), 0);
	cr_assert_eq(buf[0], 0xee);
	cr_assert_eq(proto_encode(&in, buf, n), n);
}

Test(proto, encode_refuses_invalid_messages)
{
	static char big[PROTO_MAX_BODY];
	struct proto_msg m;
	unsigned char buf[64];

	m = (struct proto_msg){ .type = 77 };
	cr_assert_eq(proto_encoded_size(&m), 0);
	m = (struct proto_msg){ .type = 0 };
	cr_assert_eq(proto_encoded_size(&m), 0);
	m = sample(PROTO_START);
	m.name[0] = '\0';
	cr_assert_eq(proto_encoded_size(&m), 0);
	m = sample(PROTO_START);
	memset(m.name, 'a', sizeof m.name);     /* no NUL */
	cr_assert_eq(proto_encoded_size(&m), 0);
	m = sample(PROTO_SIGNAL);
	m.signum = 0;
	cr_assert_eq(proto_encode(&m, buf, sizeof buf), 0);
	m = sample(PROTO_EXITED);
	m.exit_kind = PROTO_EXIT_NONE;
	m.exit_value = 0;
	cr_assert_eq(proto_encoded_size(&m), 0);
	m = (struct proto_msg){ .type = PROTO_ERROR, .data = "a\nb",
	    .datalen = 3 };
	cr_assert_eq(proto_encoded_size(&m), 0);
	m = (struct proto_msg){ .type = PROTO_INPUT, .datalen = 1 };
	cr_assert_eq(proto_encoded_size(&m), 0);

	/* A SEND body would pass the limit by the name's length. */
	m = sample(PROTO_SEND);
	m.data = big;
	m.datalen = PROTO_MAX_BODY;
	cr_assert_eq(proto_encoded_size(&m), 0);
	m.datalen = SIZE_MAX;
	cr_assert_eq(proto_encoded_size(&m), 0);
}

Test(proto, max_data_fits_with_the_longest_name)
{
	static char data[PROTO_MAX_DATA];
	static unsigned char buf[PROTO_MAX_MSG];
	char name[PROTO_NAME_MAX + 1];
	struct proto_msg in = { .type = PROTO_SEND }, out;
	size_t n;

	memset(name, 'z', PROTO_NAME_MAX);
	name[PROTO_NAME_MAX] = '\0';
	cr_assert_eq(proto_set_name(&in, name), 0);
	in.data = data;
	in.datalen = sizeof data;
	n = proto_encode(&in, buf, sizeof buf);
	cr_assert_eq(n, PROTO_MAX_MSG);
	decode_ok(buf, n, &out);
	cr_assert_eq(out.datalen, PROTO_MAX_DATA);
}

Test(proto, set_name_refuses_invalid_names_and_leaves_msg_alone)
{
	struct proto_msg m = { .type = PROTO_START };
	char name[PROTO_NAME_MAX + 2];

	cr_assert_eq(proto_set_name(&m, "ok"), 0);
	cr_assert_eq(proto_set_name(&m, ""), -1);
	cr_assert_eq(proto_set_name(&m, "has space"), -1);
	memset(name, 'a', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	cr_assert_eq(proto_set_name(&m, name), -1);
	cr_assert_str_eq(m.name, "ok");
	name[PROTO_NAME_MAX] = '\0';
	cr_assert_eq(proto_set_name(&m, name), 0);
	cr_assert_str_eq(m.name, name);
}

Test(proto, name_validity_follows_the_name_rule)
{
	cr_assert(proto_name_is_valid("A-b_c.9", 7));
	cr_assert(proto_name_is_valid("ab/", 2));
	cr_assert_not(proto_name_is_valid("ab/", 3));
	cr_assert_not(proto_name_is_valid("", 0));
	cr_assert_not(proto_name_is_valid("a\0", 2));
}

Test(proto, reason_is_truncated_to_errlen)
{
	struct proto_msg m;
	struct wire w;
	char err[8];
	size_t size;

	wire_init(&w, 77, 0, 0);
	cr_assert_eq(proto_decode(w.bytes, w.len, &m, &size, err, sizeof err),
	    -1);
	cr_assert_str_eq(err, "message");
	cr_assert_eq(proto_decode(w.bytes, w.len, &m, &size, NULL, 0), -1);
}

Test(proto, names_of_types_and_states)
{
	cr_assert_str_eq(proto_type_name(PROTO_HELLO), "HELLO");
	cr_assert_str_eq(proto_type_name(PROTO_RESTART), "RESTART");
	cr_assert_str_eq(proto_type_name(PROTO_EXITED), "EXITED");
	cr_assert_str_eq(proto_type_name(0), "unknown");
	cr_assert_str_eq(proto_type_name(99), "unknown");
	cr_assert_str_eq(proto_state_name(PROTO_STATE_RUNNING), "running");
	cr_assert_str_eq(proto_state_name(PROTO_STATE_HELD), "held");
	cr_assert_str_eq(proto_state_name(PROTO_STATE_EXITED), "exited");
	cr_assert_str_eq(proto_state_name(PROTO_STATE_RESTARTING),
	    "restarting");
	cr_assert_str_eq(proto_state_name(7), "unknown");
}
