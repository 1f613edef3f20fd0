/*
 * signame: signals as users write them.
 */
#include <criterion/criterion.h>

#include <signal.h>

#include "ptyplex/signame.h"

Test(signame, names_with_and_without_the_sig_prefix)
{
	cr_assert_eq(signame_parse("TERM"), SIGTERM);
	cr_assert_eq(signame_parse("SIGTERM"), SIGTERM);
	cr_assert_eq(signame_parse("INT"), SIGINT);
	cr_assert_eq(signame_parse("HUP"), SIGHUP);
	cr_assert_eq(signame_parse("KILL"), SIGKILL);
	cr_assert_eq(signame_parse("SIGUSR1"), SIGUSR1);
	cr_assert_eq(signame_parse("USR2"), SIGUSR2);
	cr_assert_eq(signame_parse("WINCH"), SIGWINCH);
}

Test(signame, case_does_not_matter)
{
	cr_assert_eq(signame_parse("term"), SIGTERM);
	cr_assert_eq(signame_parse("sigkill"), SIGKILL);
	cr_assert_eq(signame_parse("SigUsr1"), SIGUSR1);
}

Test(signame, numbers_of_real_signals)
{
	cr_assert_eq(signame_parse("9"), 9);
	cr_assert_eq(signame_parse("1"), 1);
	cr_assert_eq(signame_parse("15"), SIGTERM);
	cr_assert_eq(signame_parse("0"), -1);
	cr_assert_eq(signame_parse("65"), -1);
	cr_assert_eq(signame_parse("99999999999999999999"), -1);
	cr_assert_eq(signame_parse("9x"), -1);
}

Test(signame, everything_else_is_refused)
{
	cr_assert_eq(signame_parse(""), -1);
	cr_assert_eq(signame_parse("SIG"), -1);
	cr_assert_eq(signame_parse("SIGSIGTERM"), -1);
	cr_assert_eq(signame_parse("TERM "), -1);
	cr_assert_eq(signame_parse("-9"), -1);
	cr_assert_eq(signame_parse("NOSUCH"), -1);
}
