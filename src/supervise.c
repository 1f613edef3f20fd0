#include "ptyplex/supervise.h"

#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include <event2/event.h>

#include "ptyplex/child.h"
#include "ptyplex/log.h"
#include "ptyplex/matchbuf.h"
#include "ptyplex/options.h"
#include "ptyplex/output.h"
#include "ptyplex/pattern.h"
#include "ptyplex/script.h"
#include "ptyplex/session.h"
#include "ptyplex/xalloc.h"

/* Exit status when a --ready pattern never matched, as for a script. */
#define SUPERVISE_NOT_READY 124

/* What the supervisor keeps per child, by child index. */
struct supervised {
	struct supervisor *sup;
	struct child *c;
	const struct child_rule *rule; /* NULL: no option named the child */
	regex_t ready_re;              /* valid if rule->ready != NULL */
	int ready;                     /* its output matched ready_re */
	int restart_asked;             /* start again as soon as finished */
	unsigned auto_restarts;        /* counted against rule->restart_max */
	unsigned delay_ms;             /* the last automatic restart delay */
	struct timespec started;
	unsigned long exit_seq;        /* order of final exits, 0: none */
	struct event *restart_ev;      /* the automatic restart delay */
	struct event *kill_ev;         /* SIGKILL for an asked-for restart */
};

struct supervisor {
	struct session *session;
	struct supervised *kids;
	size_t nkids;
	size_t next;                /* the next child the start looks at */
	struct supervised *gate;    /* the child whose readiness holds back */
	struct event *ready_ev;     /* --ready-timeout of the gate */
	unsigned long exit_seq;
	int stopped;
};

static void supervise_restart_cb(evutil_socket_t fd, short what, void *arg);
static void supervise_kill_cb(evutil_socket_t fd, short what, void *arg);
static void supervise_ready_cb(evutil_socket_t fd, short what, void *arg);

static int
supervised_has_ready(const struct supervised *k)
{
	return k->rule != NULL && k->rule->ready != NULL;
}

static void
supervise_init_kid(struct supervisor *sup, struct supervised *k,
    struct child *c)
{
	struct session *s = sup->session;
	char *source, *why;

	k->sup = sup;
	k->c = c;
	k->rule = options_rule(s->opts, c->name);
	k->restart_ev = evtimer_new(s->base, supervise_restart_cb, k);
	k->kill_ev = evtimer_new(s->base, supervise_kill_cb, k);
	if (k->restart_ev == NULL || k->kill_ev == NULL)
		fatalx("supervise: cannot allocate events");
	if (!supervised_has_ready(k))
		return;
	/* options_parse() compiled it once already: failing now is a bug. */
	if (pattern_compile(k->rule->ready, strlen(k->rule->ready),
	    &k->ready_re, &source, &why) == -1)
		fatalx("--ready %s: %s", c->name, why);
	free(source);
	if (c->match == NULL)
		c->match = matchbuf_new(MATCHBUF_LIMIT);
}

struct supervisor *
supervise_new(struct session *s)
{
	struct supervisor *sup = xcalloc(1, sizeof *sup);
	size_t i;

	sup->session = s;
	sup->nkids = s->nchildren;
	sup->kids = xcalloc(sup->nkids, sizeof *sup->kids);
	for (i = 0; i < sup->nkids; i++)
		supervise_init_kid(sup, &sup->kids[i], s->children[i]);
	if ((sup->ready_ev = evtimer_new(s->base, supervise_ready_cb,
	    sup)) == NULL)
		fatalx("supervise: cannot allocate events");
	return sup;
}

void
supervise_free(struct supervisor *sup)
{
	struct supervised *k;
	size_t i;

	if (sup == NULL)
		return;
	for (i = 0; i < sup->nkids; i++) {
		k = &sup->kids[i];
		if (supervised_has_ready(k))
			regfree(&k->ready_re);
		event_free(k->restart_ev);
		event_free(k->kill_ev);
	}
	event_free(sup->ready_ev);
	free(sup->kids);
	free(sup);
}

/*
 * A tick of CLOCK_MONOTONIC_COARSE, the clock libevent's timers run on:
 * the precise clock would cost a timerfd_settime() every loop turn.
 */
static long
supervise_coarse_tick_us(void)
{
	static long tick_us = -1;
	struct timespec res;

	if (tick_us == -1)
		tick_us = clock_getres(CLOCK_MONOTONIC_COARSE, &res) == 0 ?
		    res.tv_sec * 1000000L + res.tv_nsec / 1000 : 0;
	return tick_us;
}

/*
 * libevent counts a timeout from the time it cached when the loop woke;
 * after a long turn that would cut a backoff short, so count from now.
 * Its clock moves a tick at a time, so a timeout may end up to a tick
 * early: a tick more makes a delay never shorter than asked.
 */
static void
supervise_arm(struct event *ev, unsigned ms)
{
	long us = (long)ms * 1000 + supervise_coarse_tick_us();
	struct timeval tv = { us / 1000000, us % 1000000 };

	event_base_update_cache_time(event_get_base(ev));
	event_add(ev, &tv);
}

/* Every start goes through here: it counts restarts and times the run. */
static int
supervise_spawn(struct supervised *k, char **cause)
{
	struct child *c = k->c;
	int again = c->state != CHILD_HELD;

	if (child_spawn(c, cause) == -1)
		return -1;
	if (again)
		c->restarts++;
	clock_gettime(CLOCK_MONOTONIC, &k->started);
	return 0;
}

/* The gate matched: tell, and start the children after it. */
static void supervise_walk(struct supervisor *sup);

static int
supervise_check_gate(struct supervisor *sup)
{
	struct supervised *k = sup->gate;

	if (k == NULL || k->c->match == NULL ||
	    !matchbuf_match(k->c->match, &k->ready_re, 0))
		return 0;
	k->ready = 1;
	sup->gate = NULL;
	event_del(sup->ready_ev);
	output_event(sup->session->out, &k->c->src, "ready", "is ready");
	return 1;
}

/*
 * Starts children in order from sup->next until a gate that is not ready
 * yet, or the end; then tells the session that the start is complete.
 */
static void
supervise_walk(struct supervisor *sup)
{
	struct session *s = sup->session;
	struct supervised *k;
	char *cause = NULL;

	while (!sup->stopped && sup->gate == NULL && sup->next < sup->nkids) {
		k = &sup->kids[sup->next];
		if (k->c->state == CHILD_HELD && k->rule != NULL &&
		    k->rule->hold) {
			/* A held gate holds back the rest until started. */
			if (supervised_has_ready(k) && !k->ready)
				break;
			sup->next++;
			continue;
		}
		if (k->c->state == CHILD_HELD &&
		    supervise_spawn(k, &cause) == -1) {
			log_error("%s", cause);
			free(cause);
			session_shutdown(s, PTYPLEX_EXIT_FAILURE);
			return;
		}
		sup->next++;
		if (supervised_has_ready(k) && !k->ready) {
			sup->gate = k;
			if (s->opts->ready_timeout_ms > 0)
				supervise_arm(sup->ready_ev,
				    s->opts->ready_timeout_ms);
			supervise_check_gate(sup);
		}
	}
	if (!sup->stopped && sup->gate == NULL)
		session_children_ready(s);
}

void
supervise_start(struct supervisor *sup)
{
	sup->next = 0;
	supervise_walk(sup);
}

int
supervise_is_starting(const struct supervisor *sup)
{
	return sup->gate != NULL;
}

void
supervise_output(struct supervisor *sup, struct child *c)
{
	if (sup->gate != NULL && sup->gate->c == c &&
	    supervise_check_gate(sup))
		supervise_walk(sup);
}

/* The gate's time is up: the session fails as a script step would. */
static void
supervise_not_ready(struct supervisor *sup, const char *why)
{
	struct supervised *k = sup->gate;

	log_error("%s %s (its output never matched --ready %s)", k->c->name,
	    why, k->rule->ready);
	sup->gate = NULL;
	event_del(sup->ready_ev);
	session_shutdown(sup->session, SUPERVISE_NOT_READY);
}

static void
supervise_ready_cb(evutil_socket_t fd, short what, void *arg)
{
	struct supervisor *sup = arg;
	char secs[32], why[64];

	(void)fd;
	(void)what;
	if (sup->gate == NULL)
		return;
	script_format_seconds(secs, sizeof secs,
	    sup->session->opts->ready_timeout_ms);
	snprintf(why, sizeof why, "was not ready after %s s", secs);
	supervise_not_ready(sup, why);
}

static int
supervise_wants_restart(const struct supervised *k)
{
	const struct child *c = k->c;

	if (k->rule == NULL || k->rule->restart == RESTART_NO)
		return 0;
	if (k->rule->restart == RESTART_ON_FAILURE &&
	    WIFEXITED(c->wait_status) && WEXITSTATUS(c->wait_status) == 0)
		return 0;
	return 1;
}

static unsigned long
supervise_run_ms(const struct supervised *k)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - k->started.tv_sec) * 1000UL +
	    (now.tv_nsec - k->started.tv_nsec) / 1000000L;
}

/* Schedules the next automatic restart, or says it gave up (returns 0). */
static int
supervise_schedule(struct supervised *k)
{
	struct child *c = k->c;
	unsigned max = k->rule->restart_max;
	char detail[128];

	if (k->auto_restarts >= max) {
		if (max > 0) {
			snprintf(detail, sizeof detail, "gave up after %u "
			    "restart%s", max, max == 1 ? "" : "s");
			output_event(k->sup->session->out, &c->src, "giveup",
			    detail);
		}
		return 0;
	}
	k->delay_ms = supervise_next_delay(k->delay_ms, supervise_run_ms(k));
	k->auto_restarts++;
	if (max == RESTART_UNLIMITED)
		snprintf(detail, sizeof detail, "restarting in %u ms "
		    "(restart %u)", k->delay_ms, k->auto_restarts);
	else
		snprintf(detail, sizeof detail, "restarting in %u ms "
		    "(restart %u of %u)", k->delay_ms, k->auto_restarts, max);
	c->state = CHILD_RESTARTING;
	output_event(k->sup->session->out, &c->src, "restart", detail);
	supervise_arm(k->restart_ev, k->delay_ms);
	return 1;
}

int
supervise_child_finished(struct supervisor *sup, struct child *c)
{
	struct supervised *k = &sup->kids[c->index];
	char *cause = NULL;

	event_del(k->kill_ev);
	if (sup->stopped)
		return 0;
	if (k->restart_asked) {
		k->restart_asked = 0;
		if (supervise_spawn(k, &cause) == 0)
			return 1;
		log_error("%s", cause);
		free(cause);
	} else if (supervise_wants_restart(k) && supervise_schedule(k))
		return 1;
	k->exit_seq = ++sup->exit_seq;
	if (sup->gate == k) {
		supervise_not_ready(sup, "exited before it was ready");
		return 1;
	}
	return 0;
}

/* The restart delay is over. A failed start is a failed run. */
static void
supervise_restart_cb(evutil_socket_t fd, short what, void *arg)
{
	struct supervised *k = arg;
	char *cause = NULL;

	(void)fd;
	(void)what;
	if (k->sup->stopped || k->c->state != CHILD_RESTARTING)
		return;
	if (supervise_spawn(k, &cause) == 0)
		return;
	log_error("%s", cause);
	free(cause);
	/* A zero-length run, so the next delay grows. */
	clock_gettime(CLOCK_MONOTONIC, &k->started);
	k->c->state = CHILD_EXITED;
	session_child_finished(k->sup->session, k->c);
}

static void
supervise_kill_cb(evutil_socket_t fd, short what, void *arg)
{
	struct supervised *k = arg;

	(void)fd;
	(void)what;
	child_signal(k->c, SIGKILL);
}

int
supervise_start_child(struct supervisor *sup, struct child *c,
    char **cause)
{
	struct supervised *k = &sup->kids[c->index];

	if (sup->stopped) {
		*cause = xstrdup("the session is ending");
		return -1;
	}
	if (c->state == CHILD_RUNNING) {
		*cause = xasprintf("%s is already running", c->name);
		return -1;
	}
	event_del(k->restart_ev);
	k->exit_seq = 0;
	if (supervise_spawn(k, cause) == -1)
		return -1;
	/* A held gate that the start was waiting at. */
	if (sup->next == c->index && sup->gate == NULL)
		supervise_walk(sup);
	return 0;
}

int
supervise_restart_child(struct supervisor *sup, struct child *c,
    char **cause)
{
	struct supervised *k = &sup->kids[c->index];

	if (sup->stopped) {
		*cause = xstrdup("the session is ending");
		return -1;
	}
	k->auto_restarts = 0;
	k->delay_ms = 0;
	if (c->state != CHILD_RUNNING)
		return supervise_start_child(sup, c, cause);
	if (k->restart_asked)
		return 0;
	k->restart_asked = 1;
	output_event(sup->session->out, &c->src, "restart", "restarting");
	child_signal(c, SIGTERM);
	supervise_arm(k->kill_ev, sup->session->opts->kill_timeout_ms);
	return 0;
}

struct child *
supervise_first_exited(const struct supervisor *sup)
{
	const struct supervised *k, *first = NULL;
	size_t i;

	for (i = 0; i < sup->nkids; i++) {
		k = &sup->kids[i];
		if (k->c->state != CHILD_EXITED || k->exit_seq == 0)
			continue;
		if (first == NULL || k->exit_seq < first->exit_seq)
			first = k;
	}
	return first != NULL ? first->c : NULL;
}

void
supervise_stop(struct supervisor *sup)
{
	struct supervised *k;
	size_t i;

	sup->stopped = 1;
	sup->gate = NULL;
	event_del(sup->ready_ev);
	for (i = 0; i < sup->nkids; i++) {
		k = &sup->kids[i];
		event_del(k->restart_ev);
		k->restart_asked = 0;
		if (k->c->state == CHILD_RESTARTING)
			k->c->state = CHILD_EXITED;
	}
}

unsigned
supervise_next_delay(unsigned last_ms, unsigned long run_ms)
{
	if (last_ms == 0 || run_ms >= SUPERVISE_STABLE_MS)
		return SUPERVISE_DELAY_MIN_MS;
	if (last_ms >= SUPERVISE_DELAY_MAX_MS / 2)
		return SUPERVISE_DELAY_MAX_MS;
	return last_ms * 2;
}
