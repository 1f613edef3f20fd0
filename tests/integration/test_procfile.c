/*
 * -f Procfile: children from `name: command` lines, and the NAME filter.
 */
#include "harness.h"

#include <criterion/criterion.h>

#include <string.h>

TestSuite(procfile, .init = h_setup, .fini = h_teardown, .timeout = 240);

static const char *
write_procfile(void)
{
	const char *path = h_path("Procfile");

	h_write_file(path, h_fmt(
	    "# a comment, then a blank line\n"
	    "\n"
	    "A: exec %s 'from A\\n'\n"
	    "   # an indented comment\n"
	    "  B  :   exec %s 'from B: with a colon\\n'  \n"
	    "C: exec %s 'from C\\n'\n",
	    HELPER("emit"), HELPER("emit"), HELPER("emit")));
	return path;
}

Test(procfile, every_entry_runs)
{
	struct h_proc *p = H_START(NULL, "--wait-all", "-f", write_procfile());

	H_ASSERT_EXIT(p, 0);
	H_ASSERT_OUT(p, "A: from A\n");
	H_ASSERT_OUT(p, "B: from B: with a colon\n");
	H_ASSERT_OUT(p, "C: from C\n");
	cr_assert_eq(p->out.lines, 3, "%s", h_context(p));
}

Test(procfile, names_after_the_procfile_select_the_children)
{
	struct h_proc *p = H_START(NULL, "--wait-all", "-f", write_procfile(),
	    "C", "B");

	H_ASSERT_EXIT(p, 0);
	H_ASSERT_OUT(p, "B: from B: with a colon\n");
	H_ASSERT_OUT(p, "C: from C\n");
	cr_assert_eq(p->out.lines, 2, "%s", h_context(p));
	cr_assert_null(strstr(p->err.data, "A started"), "%s", h_context(p));
}

Test(procfile, the_long_option_works_too)
{
	struct h_proc *p = H_START(NULL, "--procfile", write_procfile(), "A");

	H_ASSERT_EXIT(p, 0);
	cr_assert_str_eq(p->out.data, "A: from A\n", "%s", h_context(p));
}
