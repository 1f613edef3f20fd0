/*
 * attach_parse_key: the --detach-key syntax.
 */
#include "ptyplex/attach.h"

#include <criterion/criterion.h>

Test(attach_key, caret_letters_are_control_keys)
{
	cr_assert_eq(attach_parse_key("^A"), 0x01);
	cr_assert_eq(attach_parse_key("^a"), 0x01);
	cr_assert_eq(attach_parse_key("^Z"), 0x1a);
	cr_assert_eq(attach_parse_key("^\\"), ATTACH_DEFAULT_KEY);
	cr_assert_eq(attach_parse_key("^]"), 0x1d);
	cr_assert_eq(attach_parse_key("^@"), 0x00);
	cr_assert_eq(attach_parse_key("^_"), 0x1f);
	cr_assert_eq(attach_parse_key("^?"), 0x7f);
}

Test(attach_key, none_disables)
{
	cr_assert_eq(attach_parse_key("none"), ATTACH_NO_KEY);
}

Test(attach_key, anything_else_is_refused)
{
	static const char *const bad[] = {
		"", "^", "x", "^AB", "^1", "^ ", "C-a", "None", "^~",
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_eq(attach_parse_key(bad[i]), ATTACH_BAD_KEY,
		    "'%s' was accepted", bad[i]);
}
