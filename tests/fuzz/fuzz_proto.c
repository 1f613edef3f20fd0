/*
 * libFuzzer target for proto: the input is a stream of messages.
 *
 * Each message decoded must encode back to exactly its bytes and decode
 * again to the same fields, and every piece of it cut short (a socket read
 * that stopped early) must decode as "need more", asking for the header
 * first and then for exactly the whole message; "need more" must ask for
 * more than there is; a refusal must give a one-line reason. The same input, read as field
 * values, also drives the encoder: whatever it agrees to write must decode
 * to what was meant.
 */
#include "ptyplex/proto.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned char fuzz_buf[PROTO_MAX_MSG], fuzz_again[PROTO_MAX_MSG];

static void
fuzz_check(int ok)
{
	if (!ok)
		abort();
}

static void
fuzz_same(const struct proto_msg *a, const struct proto_msg *b)
{
	fuzz_check(a->type == b->type);
	fuzz_check(strcmp(a->name, b->name) == 0);
	fuzz_check(a->datalen == b->datalen);
	fuzz_check(a->datalen == 0 ||
	    memcmp(a->data, b->data, a->datalen) == 0);
	fuzz_check(a->version == b->version && a->signum == b->signum);
	fuzz_check(a->cols == b->cols && a->rows == b->rows);
	fuzz_check(a->pid == b->pid && a->state == b->state);
	fuzz_check(a->exit_kind == b->exit_kind);
	fuzz_check(a->exit_value == b->exit_value);
	fuzz_check(a->restarts == b->restarts);
}

/*
 * msg was decoded from orig (n bytes): it must encode to those very bytes
 * and decode again to the same fields.
 */
static void
fuzz_round_trip(const struct proto_msg *msg, const uint8_t *orig, size_t n)
{
	struct proto_msg again;
	size_t size;
	char err[128];

	fuzz_check(proto_encoded_size(msg) == n);
	fuzz_check(proto_encode(msg, fuzz_again, sizeof fuzz_again) == n);
	fuzz_check(memcmp(fuzz_again, orig, n) == 0);
	fuzz_check(proto_decode(fuzz_again, n, &again, &size, err,
	    sizeof err) == 1);
	fuzz_check(size == n);
	fuzz_same(msg, &again);
}

/* Any start of the valid message at orig (n bytes) is incomplete. */
static void
fuzz_prefixes(const uint8_t *orig, size_t n)
{
	const size_t cuts[] = { 0, 1, PROTO_HEADER_SIZE - 1, PROTO_HEADER_SIZE,
	    PROTO_HEADER_SIZE + 1, n / 2, n - 1 };
	struct proto_msg msg;
	size_t i, size;
	char err[128];

	for (i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
		if (cuts[i] >= n)
			continue;
		fuzz_check(proto_decode(orig, cuts[i], &msg, &size, err,
		    sizeof err) == 0);
		fuzz_check(size == (cuts[i] < PROTO_HEADER_SIZE ?
		    PROTO_HEADER_SIZE : n));
	}
}

static void
fuzz_decode_stream(const uint8_t *data, size_t size)
{
	struct proto_msg msg;
	size_t off = 0, n;
	char err[128];
	int r;

	for (;;) {
		err[0] = '\0';
		r = proto_decode(data + off, size - off, &msg, &n, err,
		    sizeof err);
		if (r != 1)
			break;
		fuzz_check(n >= PROTO_HEADER_SIZE && n <= size - off);
		fuzz_round_trip(&msg, data + off, n);
		fuzz_prefixes(data + off, n);
		off += n;
	}
	if (r == 0)
		fuzz_check(n > size - off && n <= PROTO_MAX_MSG);
	else
		fuzz_check(r == -1 && n == 0 && err[0] != '\0' &&
		    strchr(err, '\n') == NULL);
}

static uint32_t
fuzz_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Builds a message from raw field values; the encoder judges it. */
static void
fuzz_encode_fields(const uint8_t *data, size_t size)
{
	struct proto_msg msg = { 0 }, back;
	size_t namelen, n, used;
	char err[128];

	if (size < 24)
		return;
	msg.type = data[0] % 18;
	msg.version = fuzz_u32(data + 1);
	msg.signum = (int32_t)fuzz_u32(data + 5);
	msg.cols = (uint16_t)(data[9] << 8 | data[10]);
	msg.rows = (uint16_t)(data[11] << 8 | data[12]);
	msg.pid = (int32_t)fuzz_u32(data + 13);
	msg.state = data[17] % 6;
	msg.exit_kind = data[18] % 4;
	msg.exit_value = (int32_t)(data[19] % 2 ? fuzz_u32(data + 20) :
	    data[20] % 130);
	msg.restarts = fuzz_u32(data + 20);
	data += 24;
	size -= 24;
	namelen = size > 0 ? data[0] % (PROTO_NAME_MAX + 2) : 0;
	if (namelen > size - (size > 0))
		namelen = size - (size > 0);
	if (size > 0) {
		memcpy(msg.name, data + 1, namelen);
		data += 1 + namelen;
		size -= 1 + namelen;
	}
	msg.data = (const char *)data;
	msg.datalen = size;
	n = proto_encode(&msg, fuzz_buf, sizeof fuzz_buf);
	fuzz_check(n == proto_encoded_size(&msg));
	if (n == 0)
		return;
	/* Fields the type lacks are not sent; those it has come back. */
	fuzz_check(proto_decode(fuzz_buf, n, &back, &used, err,
	    sizeof err) == 1);
	fuzz_check(used == n && back.type == msg.type);
	fuzz_check(back.name[0] == '\0' || strcmp(back.name, msg.name) == 0);
	fuzz_check(back.datalen == 0 || (back.datalen == msg.datalen &&
	    memcmp(back.data, msg.data, msg.datalen) == 0));
	fuzz_round_trip(&back, fuzz_buf, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_decode_stream(data, size);
	fuzz_encode_fields(data, size);
	return 0;
}
