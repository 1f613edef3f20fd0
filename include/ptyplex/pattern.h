/*
 * pattern: the /REGEX/ of expect steps and --ready, compiled. Pure.
 *
 * A pattern is written /REGEX/: the first and the last byte of the text
 * are the slashes; a '/' inside needs no escape, and "\/" stands for '/'.
 * REGEX is a POSIX extended regular expression, compiled with REG_NEWLINE
 * (matchbuf.h says how '^' and '$' match).
 *
 * Some patterns are refused although regcomp() would take them, so that a
 * script line can never cost seconds or gigabytes:
 *  - sources over PATTERN_MAX bytes;
 *  - back-references ("\1"), which glibc takes in EREs and which can make
 *    matching exponential;
 *  - a repetition of a repetition ("a**", "a+?", ".*?"): POSIX leaves it
 *    undefined, glibc expands "x+" into "xx*" so "a+++++..." doubles with
 *    each '+', and ".*?" is not the lazy match a Perl user means;
 *  - nested repetitions that expand past PATTERN_COST_MAX nodes, such as
 *    "(a{1000}){1000}" or twenty nested "(...)+".
 */
#ifndef PTYPLEX_PATTERN_H
#define PTYPLEX_PATTERN_H

#include <regex.h>
#include <stddef.h>

#define PATTERN_MAX 4096
#define PATTERN_COST_MAX 2000

/*
 * Compiles the pattern in text (len bytes, slashes included). On success
 * *source (the caller frees it) holds the REGEX between the slashes, and
 * re must be freed with regfree(). Returns -1 with *why set (the caller
 * frees it) otherwise: "expected /REGEX/", "empty pattern //", "bad pattern
 * /a(/: Unmatched ( or \(", ...
 */
int pattern_compile(const char *text, size_t len, regex_t *re,
    char **source, char **why);

#endif
