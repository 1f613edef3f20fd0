/*
 * attach: the client side of `ptyplex attach`. For as long as it is
 * attached, this terminal is the child's: raw mode (see term.h), every key
 * goes to the child but the detach key, the child's output comes back byte
 * for byte (its scrollback first), and the window size follows this
 * terminal. Stdin that is not a terminal is forwarded as it is, and its
 * EOF detaches.
 *
 * Exit status of attach_run(): 0 after a detach; the child's status (128 +
 * N for signal N) when it exits while attached, said on stderr as "A
 * exited with status 3"; CLIENT_EXIT_REFUSED (1) when the session refuses
 * the ATTACH (no such child, not running), its reason on stderr; 125 when
 * the connection breaks; 128 + N when signal N (TERM, HUP, INT) ends the
 * client, which detaches then. The terminal is restored in every case.
 */
#ifndef PTYPLEX_ATTACH_H
#define PTYPLEX_ATTACH_H

#define ATTACH_DEFAULT_KEY 0x1c  /* Ctrl-\ */
#define ATTACH_NO_KEY (-1)       /* --detach-key none */
#define ATTACH_BAD_KEY (-2)

/*
 * A --detach-key value: "^X" for Ctrl-X (a letter in either case, or one
 * of @ [ \ ] ^ _ ?, "^?" being DEL), or "none". ATTACH_BAD_KEY otherwise.
 */
int attach_parse_key(const char *s);

/*
 * Attaches to child name through fd, a connection to the session at path
 * that has said HELLO; takes ownership of fd. key is the detach key or
 * ATTACH_NO_KEY. Returns the exit status (see above).
 */
int attach_run(int fd, const char *path, const char *name, int key);

#endif
