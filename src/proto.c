#include "ptyplex/proto.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ptyplex/spec.h"

_Static_assert(PROTO_NAME_MAX == SPEC_NAME_MAX,
    "every child's name fits in a message");
_Static_assert(PROTO_NAME_MAX <= UINT8_MAX, "a name's length fits in a u8");

/*
 * The fields a body can hold. Each type's body is a list of them, in wire
 * order, so one decoder and one encoder walk the same table and cannot
 * disagree about a layout.
 */
enum proto_field {
	F_END,          /* ends a layout */
	F_NAME,         /* u8 length, then 1..PROTO_NAME_MAX bytes */
	F_VERSION,      /* u32 */
	F_SIGNUM,       /* i32 */
	F_COLS,         /* u16 */
	F_ROWS,         /* u16 */
	F_PID,          /* i32 */
	F_STATE,        /* u8 */
	F_EXIT_KIND,    /* u8 */
	F_EXIT_VALUE,   /* i32 */
	F_RESTARTS,     /* u32 */
	F_DATA,         /* the rest of the body; always last */
};

/* Bytes each field takes; a name adds its own length to its length byte. */
static const size_t proto_field_size[] = {
	[F_NAME] = 1, [F_VERSION] = 4, [F_SIGNUM] = 4, [F_COLS] = 2,
	[F_ROWS] = 2, [F_PID] = 4, [F_STATE] = 1, [F_EXIT_KIND] = 1,
	[F_EXIT_VALUE] = 4, [F_RESTARTS] = 4, [F_DATA] = 0,
};

struct proto_layout {
	const char *name;
	enum proto_field fields[7];     /* up to F_END, which is 0 */
};

static const struct proto_layout proto_layouts[] = {
	[PROTO_HELLO] =   { "HELLO",   { F_VERSION } },
	[PROTO_SEND] =    { "SEND",    { F_NAME, F_DATA } },
	[PROTO_LIST] =    { "LIST",    { F_END } },
	[PROTO_SIGNAL] =  { "SIGNAL",  { F_NAME, F_SIGNUM } },
	[PROTO_STOP] =    { "STOP",    { F_END } },
	[PROTO_START] =   { "START",   { F_NAME } },
	[PROTO_RESTART] = { "RESTART", { F_NAME } },
	[PROTO_ATTACH] =  { "ATTACH",  { F_NAME, F_COLS, F_ROWS } },
	[PROTO_INPUT] =   { "INPUT",   { F_DATA } },
	[PROTO_RESIZE] =  { "RESIZE",  { F_COLS, F_ROWS } },
	[PROTO_DETACH] =  { "DETACH",  { F_END } },
	[PROTO_OK] =      { "OK",      { F_END } },
	[PROTO_ERROR] =   { "ERROR",   { F_DATA } },
	[PROTO_CHILD] =   { "CHILD",   { F_NAME, F_PID, F_STATE, F_EXIT_KIND,
	                                 F_EXIT_VALUE, F_RESTARTS } },
	[PROTO_OUTPUT] =  { "OUTPUT",  { F_DATA } },
	[PROTO_EXITED] =  { "EXITED",  { F_EXIT_KIND, F_EXIT_VALUE } },
};

#define PROTO_NTYPES (sizeof proto_layouts / sizeof proto_layouts[0])

static const char *const proto_state_names[] = {
	[PROTO_STATE_RUNNING] = "running",
	[PROTO_STATE_HELD] = "held",
	[PROTO_STATE_EXITED] = "exited",
	[PROTO_STATE_RESTARTING] = "restarting",
};

static int proto_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Writes a one-line reason to err (if any) and returns -1. */
static int
proto_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static uint16_t
proto_get_u16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
proto_get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Two's complement, spelled out: converting a large u32 to i32 is not. */
static int32_t
proto_get_i32(const unsigned char *p)
{
	uint32_t u = proto_get_u32(p);

	if (u <= INT32_MAX)
		return (int32_t)u;
	return -(int32_t)(UINT32_MAX - u) - 1;
}

static void
proto_put_u16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static void
proto_put_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* The layout of a type, or NULL for a type that does not exist. */
static const struct proto_layout *
proto_layout_of(unsigned type)
{
	if (type >= PROTO_NTYPES || proto_layouts[type].name == NULL)
		return NULL;
	return &proto_layouts[type];
}

/*
 * The smallest body of a layout (a name counted as one byte), and whether
 * it has a name or trailing data, the two fields that make its size vary.
 */
static size_t
proto_min_body(const struct proto_layout *layout, int *has_name,
    int *has_data)
{
	const enum proto_field *f;
	size_t size = 0;

	*has_name = *has_data = 0;
	for (f = layout->fields; *f != F_END; f++) {
		size += proto_field_size[*f];
		if (*f == F_NAME) {
			*has_name = 1;
			size++;
		} else if (*f == F_DATA)
			*has_data = 1;
	}
	return size;
}

static int
proto_name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

int
proto_name_is_valid(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || len > PROTO_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		if (!proto_name_char((unsigned char)name[i]))
			return 0;
	}
	return 1;
}

int
proto_set_name(struct proto_msg *msg, const char *name)
{
	size_t len = strnlen(name, PROTO_NAME_MAX + 1);

	if (!proto_name_is_valid(name, len))
		return -1;
	memcpy(msg->name, name, len);
	msg->name[len] = '\0';
	return 0;
}

const char *
proto_type_name(enum proto_type type)
{
	const struct proto_layout *layout = proto_layout_of(type);

	return layout != NULL ? layout->name : "unknown";
}

const char *
proto_state_name(enum proto_state state)
{
	if ((unsigned)state >= sizeof proto_state_names /
	    sizeof proto_state_names[0])
		return "unknown";
	return proto_state_names[state];
}

/* An exit value must fit its kind, as a wait status would give it. */
static int
proto_check_exit(const char *what, const struct proto_msg *msg, char *err,
    size_t errlen)
{
	int32_t v = msg->exit_value;

	switch (msg->exit_kind) {
	case PROTO_EXIT_NONE:
		if (v != 0)
			return proto_fail(err, errlen, "%s exit value %"
			    PRId32 " with no exit, expected 0", what, v);
		break;
	case PROTO_EXIT_STATUS:
		if (v < 0 || v > 255)
			return proto_fail(err, errlen,
			    "%s exit status %" PRId32 ", expected 0..255",
			    what, v);
		break;
	case PROTO_EXIT_SIGNAL:
		if (v < 1 || v > 127)
			return proto_fail(err, errlen,
			    "%s exit signal %" PRId32 ", expected 1..127",
			    what, v);
		break;
	}
	return 0;
}

/*
 * The value checks, shared by the decoder (after the fields are read) and
 * the encoder, so that neither accepts what the other would refuse.
 */
static int
proto_check(const struct proto_layout *layout, const struct proto_msg *msg,
    char *err, size_t errlen)
{
	const enum proto_field *f;
	const char *what = layout->name;

	for (f = layout->fields; *f != F_END; f++) {
		switch (*f) {
		case F_NAME:
			if (!proto_name_is_valid(msg->name,
			    strnlen(msg->name, sizeof msg->name)))
				return proto_fail(err, errlen,
				    "%s name is not valid", what);
			break;
		case F_SIGNUM:
			if (msg->signum < 1)
				return proto_fail(err, errlen,
				    "%s signal number %" PRId32
				    ", expected 1 or more", what, msg->signum);
			break;
		case F_COLS:
			if (msg->cols == 0)
				return proto_fail(err, errlen,
				    "%s window has 0 columns", what);
			break;
		case F_ROWS:
			if (msg->rows == 0)
				return proto_fail(err, errlen,
				    "%s window has 0 rows", what);
			break;
		case F_PID:
			if (msg->pid < -1 || msg->pid == 0)
				return proto_fail(err, errlen,
				    "%s pid %" PRId32 ", expected -1 or more "
				    "than 0", what, msg->pid);
			break;
		case F_STATE:
			if ((unsigned)msg->state > PROTO_STATE_RESTARTING)
				return proto_fail(err, errlen,
				    "%s state %u unknown", what,
				    (unsigned)msg->state);
			break;
		case F_EXIT_KIND:
			if ((unsigned)msg->exit_kind > PROTO_EXIT_SIGNAL)
				return proto_fail(err, errlen,
				    "%s exit kind %u unknown", what,
				    (unsigned)msg->exit_kind);
			if (msg->type == PROTO_EXITED &&
			    msg->exit_kind == PROTO_EXIT_NONE)
				return proto_fail(err, errlen,
				    "EXITED without an exit status or signal");
			break;
		case F_EXIT_VALUE:
			if (proto_check_exit(what, msg, err, errlen) == -1)
				return -1;
			break;
		case F_DATA:
			if (msg->datalen > 0 && msg->data == NULL)
				return proto_fail(err, errlen,
				    "%s data is missing", what);
			if (msg->type != PROTO_ERROR)
				break;
			/* Clients print the text as one line of a message. */
			if (msg->datalen == 0)
				return proto_fail(err, errlen,
				    "ERROR text is empty");
			if (memchr(msg->data, '\0', msg->datalen) != NULL ||
			    memchr(msg->data, '\n', msg->datalen) != NULL)
				return proto_fail(err, errlen,
				    "ERROR text holds a NUL or a newline");
			break;
		default:
			break;
		}
	}
	return 0;
}

/*
 * Reads the name at p into msg->name, its length byte being in the body
 * already, and grows *need (which counted one name byte) to match.
 */
static int
proto_decode_name(const struct proto_layout *layout, const unsigned char *p,
    size_t len, size_t *need, int has_data, struct proto_msg *msg,
    char *err, size_t errlen)
{
	unsigned n = p[0];

	if (n == 0 || n > PROTO_NAME_MAX)
		return proto_fail(err, errlen, "%s name length %u, expected "
		    "1..%d", layout->name, n, PROTO_NAME_MAX);
	*need += n - 1;
	if (len < *need || (!has_data && len != *need))
		return proto_fail(err, errlen, "%s body is %zu bytes, expected "
		    "%s%zu for a %u-byte name", layout->name, len,
		    has_data ? "at least " : "", *need, n);
	/* Checked before the copy: a NUL inside would cut the name short. */
	if (!proto_name_is_valid((const char *)p + 1, n))
		return proto_fail(err, errlen, "%s name has invalid characters",
		    layout->name);
	memcpy(msg->name, p + 1, n);
	msg->name[n] = '\0';
	return 0;
}

/* Reads the fields of a body of len bytes, all of which have arrived. */
static int
proto_decode_body(const struct proto_layout *layout, const unsigned char *p,
    size_t len, struct proto_msg *msg, char *err, size_t errlen)
{
	const enum proto_field *f;
	size_t need, off = 0;
	int has_name, has_data;

	need = proto_min_body(layout, &has_name, &has_data);
	if (len < need || (!has_name && !has_data && len != need))
		return proto_fail(err, errlen, "%s body is %zu bytes, expected "
		    "%s%zu", layout->name, len,
		    has_name || has_data ? "at least " : "", need);

	/* From here every read is below need, and need <= len. */
	for (f = layout->fields; *f != F_END; f++) {
		switch (*f) {
		case F_END:
			break;
		case F_NAME:
			if (proto_decode_name(layout, p + off, len, &need,
			    has_data, msg, err, errlen) == -1)
				return -1;
			off += 1 + strlen(msg->name);
			continue;
		case F_VERSION:
			msg->version = proto_get_u32(p + off);
			break;
		case F_SIGNUM:
			msg->signum = proto_get_i32(p + off);
			break;
		case F_COLS:
			msg->cols = proto_get_u16(p + off);
			break;
		case F_ROWS:
			msg->rows = proto_get_u16(p + off);
			break;
		case F_PID:
			msg->pid = proto_get_i32(p + off);
			break;
		case F_STATE:
			msg->state = p[off];
			break;
		case F_EXIT_KIND:
			msg->exit_kind = p[off];
			break;
		case F_EXIT_VALUE:
			msg->exit_value = proto_get_i32(p + off);
			break;
		case F_RESTARTS:
			msg->restarts = proto_get_u32(p + off);
			break;
		case F_DATA:
			msg->data = (const char *)p + off;
			msg->datalen = len - off;
			off = len;
			continue;
		}
		off += proto_field_size[*f];
	}
	return proto_check(layout, msg, err, errlen);
}

int
proto_decode(const void *buf, size_t len, struct proto_msg *msg,
    size_t *size, char *err, size_t errlen)
{
	const unsigned char *p = buf;
	const struct proto_layout *layout;
	unsigned type, reserved;
	uint32_t bodylen;

	memset(msg, 0, sizeof *msg);
	*size = PROTO_HEADER_SIZE;
	if (len < PROTO_HEADER_SIZE)
		return 0;

	/* The header alone can condemn a message: no waiting for its body. */
	type = proto_get_u16(p);
	reserved = proto_get_u16(p + 2);
	bodylen = proto_get_u32(p + 4);
	*size = 0;
	if ((layout = proto_layout_of(type)) == NULL)
		return proto_fail(err, errlen, "message type %u unknown", type);
	if (reserved != 0)
		return proto_fail(err, errlen, "%s header reserved field is "
		    "%u, expected 0", layout->name, reserved);
	if (bodylen > PROTO_MAX_BODY)
		return proto_fail(err, errlen, "%s body is %" PRIu32 " bytes, "
		    "more than the limit of %d", layout->name, bodylen,
		    PROTO_MAX_BODY);

	*size = PROTO_HEADER_SIZE + bodylen;
	if (len < *size)
		return 0;
	msg->type = type;
	if (proto_decode_body(layout, p + PROTO_HEADER_SIZE, bodylen, msg, err,
	    errlen) == -1) {
		*size = 0;
		return -1;
	}
	return 1;
}

/* The body size of a checked message; PROTO_MAX_BODY + 1 if too big. */
static size_t
proto_body_size(const struct proto_layout *layout, const struct proto_msg *msg)
{
	const enum proto_field *f;
	size_t size = 0;

	for (f = layout->fields; *f != F_END; f++) {
		size += proto_field_size[*f];
		if (*f == F_NAME)
			size += strlen(msg->name);
		else if (*f == F_DATA) {
			if (msg->datalen > PROTO_MAX_BODY)
				return PROTO_MAX_BODY + 1;
			size += msg->datalen;
		}
	}
	return size;
}

size_t
proto_encoded_size(const struct proto_msg *msg)
{
	const struct proto_layout *layout;
	size_t body;

	if ((layout = proto_layout_of(msg->type)) == NULL)
		return 0;
	if (proto_check(layout, msg, NULL, 0) == -1)
		return 0;
	if ((body = proto_body_size(layout, msg)) > PROTO_MAX_BODY)
		return 0;
	return PROTO_HEADER_SIZE + body;
}

size_t
proto_encode(const struct proto_msg *msg, void *out, size_t outlen)
{
	const enum proto_field *f;
	unsigned char *p = out;
	size_t size, off = PROTO_HEADER_SIZE, n;

	if ((size = proto_encoded_size(msg)) == 0 || size > outlen)
		return 0;
	proto_put_u16(p, (uint16_t)msg->type);
	proto_put_u16(p + 2, 0);
	proto_put_u32(p + 4, (uint32_t)(size - PROTO_HEADER_SIZE));

	for (f = proto_layouts[msg->type].fields; *f != F_END; f++) {
		switch (*f) {
		case F_END:
			break;
		case F_NAME:
			n = strlen(msg->name);
			p[off] = (unsigned char)n;
			memcpy(p + off + 1, msg->name, n);
			off += n;
			break;
		case F_VERSION:
			proto_put_u32(p + off, msg->version);
			break;
		case F_SIGNUM:
			proto_put_u32(p + off, (uint32_t)msg->signum);
			break;
		case F_COLS:
			proto_put_u16(p + off, msg->cols);
			break;
		case F_ROWS:
			proto_put_u16(p + off, msg->rows);
			break;
		case F_PID:
			proto_put_u32(p + off, (uint32_t)msg->pid);
			break;
		case F_STATE:
			p[off] = (unsigned char)msg->state;
			break;
		case F_EXIT_KIND:
			p[off] = (unsigned char)msg->exit_kind;
			break;
		case F_EXIT_VALUE:
			proto_put_u32(p + off, (uint32_t)msg->exit_value);
			break;
		case F_RESTARTS:
			proto_put_u32(p + off, msg->restarts);
			break;
		case F_DATA:
			if (msg->datalen > 0)
				memcpy(p + off, msg->data, msg->datalen);
			off += msg->datalen;
			break;
		}
		off += proto_field_size[*f];
	}
	return off;
}
