#include "ptyplex/output.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "ptyplex/json.h"
#include "ptyplex/log.h"
#include "ptyplex/options.h"
#include "ptyplex/xalloc.h"

#define OUTPUT_STAGE_SIZE (128 * 1024)
/* Cached prefixes this long or shorter are copied whole (see the stage). */
#define OUTPUT_SHORT_PREFIX 32
_Static_assert(OUTPUT_SHORT_PREFIX <= PREFIX_MAX,
    "a short prefix fits in the cached one");

struct output {
	int fd;
	int saved_flags;
	int json;
	int color;
	int closed;  /* stdout went away: discard from now on */
	int blocked; /* last pressure state reported */
	struct prefix *prefix;
	int prefix_time; /* renders the time: no cached prefix */
	char *stage; /* formatted lines not yet handed to the kernel */
	size_t stage_len;
	size_t stage_cap;
	struct evbuffer *queue; /* what the kernel refused, in order */
	struct event *write_ev;
	output_pressure_fn *pressure;
	output_error_fn *error;
	void *arg;
	time_t json_sec; /* json_time holds this second's rendering */
	char json_time[32];
};

static void output_write_cb(evutil_socket_t fd, short what, void *arg);

static const char *const palette[] = {
	"\033[36m", "\033[33m", "\033[32m", "\033[35m", "\033[34m",
	"\033[31m", "\033[96m", "\033[93m", "\033[92m", "\033[95m",
};
#define PALETTE_SIZE (sizeof palette / sizeof palette[0])
#define COLOR_RESET "\033[0m"

static int
output_wants_color(int fd, enum color_mode mode)
{
	const char *no_color = getenv("NO_COLOR");

	if (mode != COLOR_AUTO)
		return mode == COLOR_ALWAYS;
	return isatty(fd) && (no_color == NULL || *no_color == '\0');
}

struct output *
output_new(struct event_base *base, int fd, const struct options *opts,
    output_pressure_fn *pressure, output_error_fn *error, void *arg)
{
	struct output *out = xcalloc(1, sizeof *out);
	char *cause = NULL;

	out->fd = fd;
	out->json = opts->json;
	out->color = !opts->json && output_wants_color(fd, opts->color);
	if ((out->prefix = prefix_compile(opts->prefix, &cause)) == NULL)
		fatalx("%s", cause);
	out->prefix_time = prefix_uses_time(out->prefix);
	out->stage_cap = OUTPUT_STAGE_SIZE;
	out->stage = xmalloc(out->stage_cap);
	out->queue = evbuffer_new();
	out->write_ev = event_new(base, fd, EV_WRITE, output_write_cb, out);
	if (out->queue == NULL || out->write_ev == NULL)
		fatalx("output: cannot allocate events");
	out->pressure = pressure;
	out->error = error;
	out->arg = arg;
	/* Shared with whoever else holds this file description: restored. */
	out->saved_flags = fcntl(fd, F_GETFL);
	if (out->saved_flags != -1)
		fcntl(fd, F_SETFL, out->saved_flags | O_NONBLOCK);
	return out;
}

/* At exit nothing must be lost: wait for stdout as long as it is open. */
static void
output_write_all(struct output *out)
{
	struct pollfd pfd = { .fd = out->fd, .events = POLLOUT };

	while (!out->closed && evbuffer_get_length(out->queue) > 0) {
		if (evbuffer_write(out->queue, out->fd) >= 0)
			continue;
		if (errno == EAGAIN || errno == EINTR)
			poll(&pfd, 1, -1);
		else
			out->closed = 1;
	}
}

void
output_free(struct output *out)
{
	if (out == NULL)
		return;
	if (out->stage_len > 0 && !out->closed)
		evbuffer_add(out->queue, out->stage, out->stage_len);
	output_write_all(out);
	if (out->saved_flags != -1)
		fcntl(out->fd, F_SETFL, out->saved_flags);
	event_free(out->write_ev);
	evbuffer_free(out->queue);
	prefix_free(out->prefix);
	free(out->stage);
	free(out);
}

void
output_source_init(struct output_source *src, const char *name,
    unsigned index)
{
	memset(src, 0, sizeof *src);
	src->name = name;
	src->color = index % PALETTE_SIZE;
}

void
output_source_set_pid(struct output_source *src, pid_t pid)
{
	src->pid = pid;
	src->prefix_valid = 0;
}

size_t
output_queued(const struct output *out)
{
	/* Once closed nothing is queued: nothing will ever be written. */
	if (out->closed)
		return 0;
	return evbuffer_get_length(out->queue) + out->stage_len;
}

int
output_is_blocked(const struct output *out)
{
	return out->blocked;
}

/* Tells the session when the queue crosses a watermark. */
static void
output_update_pressure(struct output *out)
{
	size_t queued = output_queued(out);

	if (!out->blocked && queued > OUTPUT_HIGH_WATER) {
		out->blocked = 1;
		out->pressure(out->arg, 1);
	} else if (out->blocked && queued < OUTPUT_LOW_WATER) {
		out->blocked = 0;
		out->pressure(out->arg, 0);
	}
}

static void
output_mark_closed(struct output *out)
{
	if (out->closed)
		return;
	out->closed = 1;
	evbuffer_drain(out->queue, evbuffer_get_length(out->queue));
	out->stage_len = 0;
	out->error(out->arg);
}

/* Hands the queue to the kernel; waits for EV_WRITE if it is full. */
static void
output_write_queue(struct output *out)
{
	while (evbuffer_get_length(out->queue) > 0) {
		if (evbuffer_write(out->queue, out->fd) >= 0)
			continue;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {
			event_add(out->write_ev, NULL);
			return;
		}
		output_mark_closed(out);
		return;
	}
}

/* Writes the stage straight from memory when nothing waits before it. */
static void
output_write_stage(struct output *out)
{
	ssize_t n = 0;

	if (evbuffer_get_length(out->queue) == 0) {
		do
			n = write(out->fd, out->stage, out->stage_len);
		while (n == -1 && errno == EINTR);
		if (n == -1 && errno != EAGAIN) {
			output_mark_closed(out);
			return;
		}
		if (n < 0)
			n = 0;
	}
	if ((size_t)n < out->stage_len)
		evbuffer_add(out->queue, out->stage + n, out->stage_len - n);
	out->stage_len = 0;
}

void
output_flush(struct output *out)
{
	if (out->closed)
		return;
	if (out->stage_len > 0)
		output_write_stage(out);
	if (!out->closed)
		output_write_queue(out);
	output_update_pressure(out);
}

static void
output_write_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	output_flush(arg);
}

size_t
output_abandon(struct output *out)
{
	size_t dropped = output_queued(out);

	if (out->closed)
		return 0;
	out->closed = 1;
	evbuffer_drain(out->queue, evbuffer_get_length(out->queue));
	out->stage_len = 0;
	event_del(out->write_ev);
	output_update_pressure(out);
	return dropped;
}

/* The stage is full: its lines go to the queue, and it grows if need be. */
static __attribute__((noinline)) void
output_make_room(struct output *out, size_t need)
{
	evbuffer_add(out->queue, out->stage, out->stage_len);
	out->stage_len = 0;
	if (need > out->stage_cap) {
		out->stage = xreallocarray(out->stage, 1, need);
		out->stage_cap = need;
	}
}

/* Room for need more bytes in the stage: inline, as every line asks. */
static inline char *
output_reserve(struct output *out, size_t need)
{
	if (out->stage_len + need > out->stage_cap)
		output_make_room(out, need);
	return out->stage + out->stage_len;
}

static size_t
output_render_prefix(struct output *out, struct output_source *src,
    char *dst)
{
	struct timespec now;
	size_t len = 0;

	if (src->prefix_valid && !out->prefix_time) {
		/* A copy of fixed size is a few moves, not a call to memcpy. */
		if (src->prefix_len <= OUTPUT_SHORT_PREFIX)
			memcpy(dst, src->prefix, OUTPUT_SHORT_PREFIX);
		else
			memcpy(dst, src->prefix, src->prefix_len);
		return src->prefix_len;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	if (out->color) {
		len = strlen(palette[src->color]);
		memcpy(dst, palette[src->color], len);
	}
	len += prefix_render(out->prefix, dst + len, src->name, src->pid,
	    &now);
	if (out->color) {
		memcpy(dst + len, COLOR_RESET, strlen(COLOR_RESET));
		len += strlen(COLOR_RESET);
	}
	memcpy(src->prefix, dst, len);
	src->prefix_len = len;
	src->prefix_valid = 1;
	return len;
}

/* "2026-11-25T12:39:35.123Z", recomputed only when the second changes. */
static const char *
output_json_time(struct output *out)
{
	struct timespec now;
	struct tm tm;
	int ms;

	clock_gettime(CLOCK_REALTIME, &now);
	if (now.tv_sec != out->json_sec || out->json_time[0] == '\0') {
		gmtime_r(&now.tv_sec, &tm);
		strftime(out->json_time, sizeof out->json_time,
		    "%Y-%m-%dT%H:%M:%S.000Z", &tm);
		out->json_sec = now.tv_sec;
	}
	ms = now.tv_nsec / 1000000;
	out->json_time[20] = '0' + ms / 100;
	out->json_time[21] = '0' + ms / 10 % 10;
	out->json_time[22] = '0' + ms % 10;
	return out->json_time;
}

/* Starts a JSON object: {"time":"...","name":"...", */
static size_t
output_json_head(struct output *out, struct output_source *src, char *dst)
{
	size_t len = 0;

	len += sprintf(dst, "{\"time\":\"%s\",\"name\":\"",
	    output_json_time(out));
	len += json_escape(dst + len, src->name, strlen(src->name));
	memcpy(dst + len, "\",", 2);
	return len + 2;
}

static void
output_json_line(struct output *out, struct output_source *src,
    const char *line, size_t len, int partial)
{
	char *dst = output_reserve(out, 128 + JSON_ESCAPE_BOUND(
	    strlen(src->name) + len));
	size_t n = output_json_head(out, src, dst);

	memcpy(dst + n, "\"line\":\"", 8);
	n += 8;
	n += json_escape(dst + n, line, len);
	n += sprintf(dst + n, partial ? "\",\"partial\":true}\n" : "\"}\n");
	out->stage_len += n;
}

void
output_line(struct output *out, struct output_source *src, const char *line,
    size_t len, int partial)
{
	char *dst;
	size_t n;

	if (out->closed)
		return;
	if (out->json) {
		output_json_line(out, src, line, len, partial);
		return;
	}
	dst = output_reserve(out, sizeof src->prefix + len + 1);
	n = output_render_prefix(out, src, dst);
	memcpy(dst + n, line, len);
	dst[n + len] = '\n';
	out->stage_len += n + len + 1;
}

/*
 * Raw bytes skip the stage: written straight from buf when nothing waits
 * before them, else queued behind it, under the same watermarks as lines.
 */
void
output_raw(struct output *out, const void *buf, size_t len)
{
	ssize_t n = 0;

	if (out->closed || len == 0)
		return;
	if (out->stage_len > 0)
		output_write_stage(out);
	if (!out->closed && evbuffer_get_length(out->queue) == 0) {
		do
			n = write(out->fd, buf, len);
		while (n == -1 && errno == EINTR);
		if (n == -1 && errno != EAGAIN) {
			output_mark_closed(out);
			return;
		}
		if (n < 0)
			n = 0;
	}
	if (out->closed)
		return;
	if ((size_t)n < len)
		evbuffer_add(out->queue, (const char *)buf + n, len - n);
	output_flush(out);
}

/* A JSON lifecycle event; body holds the fields after "event". */
static void
output_json_event(struct output *out, struct output_source *src,
    const char *event, const char *body)
{
	char *dst;
	size_t n;

	if (out->closed)
		return;
	dst = output_reserve(out, 256 + JSON_ESCAPE_BOUND(
	    strlen(src->name) + strlen(body)));
	n = output_json_head(out, src, dst);

	n += sprintf(dst + n, "\"event\":\"%s\"%s}\n", event, body);
	out->stage_len += n;
}

void
output_started(struct output *out, struct output_source *src)
{
	char body[64];

	if (!out->json) {
		log_notice("%s started (pid %ld)", src->name, (long)src->pid);
		return;
	}
	snprintf(body, sizeof body, ",\"pid\":%ld", (long)src->pid);
	output_json_event(out, src, "start", body);
	output_flush(out);
}

void
output_exited(struct output *out, struct output_source *src,
    enum output_exit_kind kind, int value)
{
	char body[64];

	if (!out->json) {
		if (kind == OUTPUT_EXIT_STATUS)
			log_notice("%s exited with status %d", src->name,
			    value);
		else
			log_notice("%s exited with signal %d (SIG%s)",
			    src->name, value, sigabbrev_np(value) != NULL ?
			    sigabbrev_np(value) : "?");
		return;
	}
	snprintf(body, sizeof body, ",\"%s\":%d",
	    kind == OUTPUT_EXIT_STATUS ? "status" : "signal", value);
	output_json_event(out, src, "exit", body);
	output_flush(out);
}

void
output_event(struct output *out, struct output_source *src,
    const char *event, const char *detail)
{
	char *body;
	size_t len;

	if (!out->json) {
		log_notice("%s %s", src->name, detail);
		return;
	}
	len = strlen(detail);
	body = xmalloc(16 + JSON_ESCAPE_BOUND(len));
	memcpy(body, ",\"detail\":\"", 11);
	len = 11 + json_escape(body + 11, detail, len);
	memcpy(body + len, "\"", 2);
	output_json_event(out, src, event, body);
	free(body);
	output_flush(out);
}
