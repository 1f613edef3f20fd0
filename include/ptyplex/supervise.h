/*
 * supervise: when children start, and when they start again.
 *
 * Starting. Children start in their command-line (or Procfile) order. A
 * child with --hold is skipped: it starts only when asked
 * (supervise_start_child). A child with --ready is a gate: the children
 * after it start only once its output matches the pattern; if it does not
 * within --ready-timeout, or the child exits for good first, the session
 * ends with 124 and a message naming the child and the pattern. A held
 * gate holds back the children after it until it is started and ready.
 * Each time nothing waits for a gate any more, session_children_ready()
 * is called. A --ready match does not use up the output: a script can
 * still expect the same line.
 *
 * Restarts. Under --restart on-failure (a non-zero status or a signal) or
 * always, a finished child is started again after a delay: 100 ms, then
 * twice the last delay up to 10 s, back to 100 ms after a run of 10 s or
 * more. MAX restarts are allowed (four runs for on-failure:3); then the
 * exit is final and counts for the script and the exit policy. Each
 * restart is an event ("restarting in 200 ms (restart 2 of 3)"). While a
 * child waits for its delay its state is CHILD_RESTARTING.
 *
 * Every start after a child's first run counts in child->restarts.
 */
#ifndef PTYPLEX_SUPERVISE_H
#define PTYPLEX_SUPERVISE_H

#define SUPERVISE_DELAY_MIN_MS 100
#define SUPERVISE_DELAY_MAX_MS 10000
/* A run at least this long resets the delay to SUPERVISE_DELAY_MIN_MS. */
#define SUPERVISE_STABLE_MS 10000

struct session;
struct child;
struct supervisor;

/* Compiles the --ready patterns and gives their children a matchbuf. */
struct supervisor *supervise_new(struct session *s);
void supervise_free(struct supervisor *sup);

/*
 * Starts every child that starts by itself, up to the first gate. A child
 * that cannot start is reported and ends the session with 125.
 */
void supervise_start(struct supervisor *sup);
/* Whether a gate holds back children: the start is not complete. */
int supervise_is_starting(const struct supervisor *sup);

/* New output from c (already in its matchbuf). */
void supervise_output(struct supervisor *sup, struct child *c);
/*
 * c has finished (reaped and drained). Returns 1 if the supervisor took
 * care of it (a restart, or a gate that never became ready), 0 if the
 * exit is final and counts for the script and the exit policy.
 */
int supervise_child_finished(struct supervisor *sup, struct child *c);

/*
 * Starts a held or exited child now (a restarting one without waiting for
 * its delay). Returns -1 with *cause set if it runs already or cannot.
 */
int supervise_start_child(struct supervisor *sup, struct child *c,
    char **cause);
/*
 * Starts c again: a running child is stopped first (SIGTERM, SIGKILL after
 * --kill-timeout) and started as soon as it has finished, without delay.
 * Its automatic restarts and delay start over. Returns -1 with *cause set
 * if the session is ending or c cannot start.
 */
int supervise_restart_child(struct supervisor *sup, struct child *c,
    char **cause);

/* The child whose final exit came first of those exited now, or NULL. */
struct child *supervise_first_exited(const struct supervisor *sup);

/* The session is ending: no more starts; restarting children are exited. */
void supervise_stop(struct supervisor *sup);

/*
 * The delay before the next automatic restart, given the last delay (0
 * for none) and how long the run that just ended lasted. Pure.
 */
unsigned supervise_next_delay(unsigned last_ms, unsigned long run_ms);

#endif
