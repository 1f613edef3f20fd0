#include <criterion/criterion.h>

#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "ptyplex/pattern.h"

static int
matches(const regex_t *re, const char *s)
{
	return regexec(re, s, 0, NULL, 0) == 0;
}

/* Every pattern in bad is refused, and the reason names why. */
static void
assert_refused(const char *const *bad, size_t n, const char *reason)
{
	regex_t re;
	char *source = NULL, *why = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		cr_assert_eq(pattern_compile(bad[i], strlen(bad[i]), &re,
		    &source, &why), -1, "%s compiled", bad[i]);
		cr_assert_not_null(strstr(why, reason), "%s: %s", bad[i], why);
		free(why);
	}
}

Test(pattern_compile, needs_slashes)
{
	regex_t re;
	char *source = NULL, *why = NULL;

	cr_assert_eq(pattern_compile("abc", 3, &re, &source, &why), -1);
	cr_assert_str_eq(why, "expected /REGEX/");
	free(why);
	cr_assert_eq(pattern_compile("/", 1, &re, &source, &why), -1);
	free(why);
	cr_assert_eq(pattern_compile("/x/", 3, &re, &source, &why), 0);
	cr_assert_str_eq(source, "x");
	regfree(&re);
	free(source);
}

Test(pattern_compile, keeps_other_backslashes)
{
	regex_t re;
	char *source = NULL, *why = NULL;

	cr_assert_eq(pattern_compile("/a\\.b\\//", 8, &re, &source, &why), 0);
	cr_assert_str_eq(source, "a\\.b/");
	cr_assert(matches(&re, "a.b/"));
	cr_assert(!matches(&re, "axb/"));
	regfree(&re);
	free(source);
}

Test(pattern_compile, refuses_patterns_that_explode_in_regcomp)
{
	static const char *const bad[] = {
		"/(a{1000}){1000}/",
		"/((((((((((((((((((((a+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+/",
		"/((((((((((((((((((((((((((((((((((((((((((((((((((((((((("
		    "(((((((((x)))))))))))))))))))))))))))))))))))))))))))))))))"
		    "))))))))))))))))/",
	};

	assert_refused(bad, sizeof bad / sizeof bad[0],
	    "too many nested repetitions");
}

Test(pattern_compile, refuses_back_references)
{
	regex_t re;
	char *source = NULL, *why = NULL;

	cr_assert_eq(pattern_compile("/(a)\\1/", 7, &re, &source, &why), -1);
	cr_assert_str_eq(why, "pattern /(a)\\1/: back-references are not "
	    "supported");
	free(why);
	/* In a bracket expression a backslash is an ordinary character. */
	cr_assert_eq(pattern_compile("/[\\1]/", 6, &re, &source, &why), 0);
	regfree(&re);
	free(source);
}

Test(pattern_compile, takes_ordinary_repetitions)
{
	static const char *const good[] = {
		"/listening on [0-9]+/", "/[[:digit:]]{1,3}(\\.[0-9]{1,3}){3}/",
		"/a{1000}/", "/(ab|cd)+x*y?/", "/^\\[ok\\]$/", "/[]a]+/",
	};
	regex_t re;
	char *source = NULL, *why = NULL;
	size_t i;

	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		cr_assert_eq(pattern_compile(good[i], strlen(good[i]), &re,
		    &source, &why), 0, "%s: %s", good[i], why ? why : "");
		regfree(&re);
		free(source);
	}
}

Test(pattern_compile, refuses_repetitions_of_repetitions)
{
	static const char *const bad[] = {
		"/e+++++++++++++++++++++++++++++/", "/.*?/", "/a**/",
		"/a{2}{3}/", "/(x*)*+/", "/a?+/",
	};
	regex_t re;
	char *source = NULL, *why = NULL;

	assert_refused(bad, sizeof bad / sizeof bad[0],
	    "a repetition of a repetition");
	/* Escaped, or in brackets, they are ordinary characters. */
	cr_assert_eq(pattern_compile("/a*\\*[*+]+/", 11, &re, &source, &why),
	    0, "%s", why ? why : "");
	regfree(&re);
	free(source);
}

Test(pattern_compile, is_extended_and_newline_aware)
{
	regex_t re;
	char *source = NULL, *why = NULL;

	cr_assert_eq(pattern_compile("/^(ok|yes)$/", 12, &re, &source, &why),
	    0);
	cr_assert(matches(&re, "first\nyes\nlast"));
	cr_assert(!matches(&re, "first yes"));
	regfree(&re);
	free(source);
}

Test(pattern_compile, refuses_empty_and_overlong_patterns)
{
	regex_t re;
	char *source = NULL, *why = NULL, *big;

	cr_assert_eq(pattern_compile("//", 2, &re, &source, &why), -1);
	cr_assert_str_eq(why, "empty pattern //");
	free(why);
	big = malloc(PATTERN_MAX + 3);
	cr_assert_not_null(big);
	memset(big, 'a', PATTERN_MAX + 3);
	big[0] = big[PATTERN_MAX + 2] = '/';
	cr_assert_eq(pattern_compile(big, PATTERN_MAX + 3, &re, &source, &why),
	    -1);
	cr_assert_not_null(strstr(why, "is longer than 4096 bytes"), "%s", why);
	free(why);
	free(big);
}

/* Found by fuzzing: a collating symbol "[.x.]" parsed as regcomp() does,
 * or the repetitions after the bracket went unseen and regcomp() ran out
 * of memory. */
Test(pattern_compile, brackets_end_where_regcomp_ends_them)
{
	static const char bad[] = "/[.[...][]++++++++++++++++++++++++++/";
	regex_t re;
	char *source = NULL, *why = NULL;

	cr_assert_eq(pattern_compile(bad, strlen(bad), &re, &source, &why), -1);
	cr_assert_not_null(strstr(why, "a repetition of a repetition"), "%s",
	    why);
	free(why);
	cr_assert_eq(pattern_compile("/[[:alpha:]]+[]x]+/", 19, &re, &source,
	    &why), 0, "%s", why ? why : "");
	cr_assert(matches(&re, "ab]x"));
	regfree(&re);
	free(source);
}
