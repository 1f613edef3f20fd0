/*
 * proto: the control-socket messages, encoded and decoded. Pure: it works on
 * byte buffers and knows nothing of sockets or libevent. contrib/PROTOCOL.md
 * describes the conversations; this header is the wire format's contract.
 *
 * Invariants and rules:
 *  - A message is an 8-byte header, then a body of at most PROTO_MAX_BODY
 *    bytes. The header is, big-endian: u16 type, u16 reserved (always 0),
 *    u32 body length. A body is its type's fields in a fixed order, integers
 *    big-endian; no struct is ever sent as it lies in memory.
 *  - A NAME on the wire is a u8 length (1..PROTO_NAME_MAX) and that many
 *    bytes of [A-Za-z0-9_.-]. Byte payloads (SEND, INPUT, OUTPUT) and the
 *    ERROR text take the rest of the body; every other body has one exact
 *    length. Nothing is trusted: the type, the reserved field and the body
 *    limit are checked as soon as the header is complete, and each type's
 *    length before any of its fields is read.
 *  - Whatever proto_decode() accepts, proto_encode() turns back into the same
 *    bytes, and proto_encode() writes nothing proto_decode() would refuse:
 *    there is exactly one encoding of each message.
 *  - The HELLO message is the same in every protocol version.
 */
#ifndef PTYPLEX_PROTO_H
#define PTYPLEX_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define PROTO_VERSION 1
#define PROTO_HEADER_SIZE 8
#define PROTO_MAX_BODY 65536
/* The largest whole message: a buffer this big holds any of them. */
#define PROTO_MAX_MSG (PROTO_HEADER_SIZE + PROTO_MAX_BODY)
#define PROTO_NAME_MAX 64
/*
 * A payload of up to PROTO_MAX_DATA bytes fits in any message that carries
 * one (SEND included, whatever its name): cut longer input into such chunks.
 */
#define PROTO_MAX_DATA (PROTO_MAX_BODY - 1 - PROTO_NAME_MAX)

enum proto_type {
	PROTO_HELLO = 1,   /* both ways: version */
	/* client -> server */
	PROTO_SEND,        /* name, data: input for the child */
	PROTO_LIST,        /* (empty) */
	PROTO_SIGNAL,      /* name, signum */
	PROTO_STOP,        /* (empty) */
	PROTO_START,       /* name */
	PROTO_RESTART,     /* name */
	PROTO_ATTACH,      /* name, cols, rows */
	PROTO_INPUT,       /* data: keystrokes while attached */
	PROTO_RESIZE,      /* cols, rows */
	PROTO_DETACH,      /* (empty) */
	/* server -> client */
	PROTO_OK,          /* (empty) */
	PROTO_ERROR,       /* data: one line of text */
	PROTO_CHILD,       /* name, pid, state, exit_kind, exit_value,
	                      restarts: one child, in a LIST reply */
	PROTO_OUTPUT,      /* data: child output while attached */
	PROTO_EXITED,      /* exit_kind, exit_value: the attached child ended */
};

enum proto_state {
	PROTO_STATE_RUNNING,
	PROTO_STATE_HELD,
	PROTO_STATE_EXITED,
	PROTO_STATE_RESTARTING,
};

/*
 * How a child ended. NONE: exit_value is 0. STATUS: exit_value is the exit
 * status, 0..255. SIGNAL: exit_value is the signal number, 1..127.
 */
enum proto_exit {
	PROTO_EXIT_NONE,
	PROTO_EXIT_STATUS,
	PROTO_EXIT_SIGNAL,
};

/*
 * One message. Only the fields its type carries (see enum proto_type) mean
 * anything; proto_decode() sets the others to zero. To encode, fill the
 * struct (zeroed, with designated initializers) and set the name with
 * proto_set_name().
 */
struct proto_msg {
	enum proto_type type;
	char name[PROTO_NAME_MAX + 1];  /* NUL-terminated copy */
	/*
	 * SEND, INPUT, OUTPUT: bytes, possibly none. ERROR: 1 or more bytes of
	 * text, no NUL and no newline. Not NUL-terminated; after decoding it
	 * points into the caller's buffer.
	 */
	const char *data;
	size_t datalen;
	uint32_t version;               /* HELLO */
	int32_t signum;                 /* SIGNAL: 1 or more */
	uint16_t cols, rows;            /* ATTACH, RESIZE: 1 or more each */
	int32_t pid;                    /* CHILD: -1 (none) or more than 0 */
	enum proto_state state;         /* CHILD */
	enum proto_exit exit_kind;      /* CHILD; EXITED: never NONE */
	int32_t exit_value;             /* CHILD, EXITED */
	uint32_t restarts;              /* CHILD */
};

/*
 * Decodes the message at the start of buf (len bytes). Returns:
 *   1  one valid message, now in *msg (msg->data points into buf); *size is
 *      its length: drain that many bytes and call again for the next.
 *   0  incomplete: *size is how many bytes buf must hold before a new call
 *      can make progress (PROTO_HEADER_SIZE until the header is complete,
 *      then the whole message's length, at most PROTO_MAX_MSG).
 *  -1  malformed: an unknown type, a nonzero reserved field or a body over
 *      PROTO_MAX_BODY (reported as soon as the header is complete, before
 *      any body byte arrives), or a body wrong for its type. A one-line
 *      reason, such as "SIGNAL body is 3 bytes, expected at least 6", goes
 *      to err (truncated to errlen, 128 bytes hold any; err may be NULL).
 *      It needs no quoting as the text of an ERROR. The stream cannot be
 *      resynchronised: drop the peer. *size is 0.
 *
 * A reader loops until it runs out of whole messages:
 *     while ((r = proto_decode(p, len, &msg, &size, err, sizeof err)) == 1) {
 *             handle(&msg);
 *             p += size;
 *             len -= size;
 *     }
 *     (r == -1: reply ERROR err and close; r == 0: wait for size bytes)
 */
int proto_decode(const void *buf, size_t len, struct proto_msg *msg,
    size_t *size, char *err, size_t errlen);

/*
 * Bytes that encoding msg takes, header included; 0 if msg is not valid
 * (unknown type, bad name or field, or a body over PROTO_MAX_BODY).
 */
size_t proto_encoded_size(const struct proto_msg *msg);
/*
 * Writes msg to out; returns the bytes written, or 0 (writing nothing) if msg
 * is not valid or does not fit in outlen bytes.
 */
size_t proto_encode(const struct proto_msg *msg, void *out, size_t outlen);

/* 1 if name (len bytes, need not be NUL-terminated) is a valid NAME. */
int proto_name_is_valid(const char *name, size_t len);
/* Copies the NUL-terminated name into msg; -1 (msg untouched) if invalid. */
int proto_set_name(struct proto_msg *msg, const char *name);

/* "HELLO", "SEND", ...; "unknown" for any other value. */
const char *proto_type_name(enum proto_type type);
/* "running", "held", "exited", "restarting"; "unknown" for any other. */
const char *proto_state_name(enum proto_state state);

#endif
