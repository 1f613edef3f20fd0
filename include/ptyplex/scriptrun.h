/*
 * scriptrun: runs the --script steps (script.h) one after the other on the
 * session's event loop. Every wait is an event or a timer; nothing polls.
 *
 * Rules:
 *  - The first step runs once every child that starts by itself has
 *    started (supervise.h); after a "start" step, the next one waits the
 *    same way for the children that the started child held back.
 *  - send: the child must be running; when its input queue is full the
 *    step waits for room.
 *  - expect: searches the child's matchbuf, so output that came before
 *    the step is matched too, and a match uses that output up. It waits
 *    while the child runs, is held or is restarting; it fails when the
 *    time is up or the child has exited for good without a match.
 *  - wait: done at once if the child has exited for good, else when it
 *    does; fails when the time is up.
 *  - signal: the child must be running.
 *  - exit STATUS: ends the session with STATUS.
 *  - A step that fails prints "FILE:LINE: STEP: why" and the child's last
 *    lines of output on stderr and ends the session with 124.
 *  - When the last step is done, session_script_finished() is called.
 */
#ifndef PTYPLEX_SCRIPTRUN_H
#define PTYPLEX_SCRIPTRUN_H

#define SCRIPTRUN_FAILED 124
/* Lines of a child's output shown when a step fails. */
#define SCRIPTRUN_TAIL_LINES 5

struct session;
struct script;
struct child;
struct script_run;

/* Gives every child a matchbuf: an expect may name any of them. */
struct script_run *scriptrun_new(struct session *s, const struct script *sc);
void scriptrun_free(struct script_run *r);

/* Whether the last step is done, or the script failed or was stopped. */
int scriptrun_finished(const struct script_run *r);

/* Events from the session. */
void scriptrun_output(struct script_run *r, struct child *c);
void scriptrun_child_exited(struct script_run *r, struct child *c);
void scriptrun_room(struct script_run *r);
/*
 * Every child that starts by itself has started: the first call runs the
 * first step, later ones resume a step that waits for it.
 */
void scriptrun_children_ready(struct script_run *r);

/* The session is ending: no more steps. */
void scriptrun_stop(struct script_run *r);

#endif
