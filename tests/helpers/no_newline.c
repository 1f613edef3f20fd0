/* no_newline: prints a last line without its newline and exits. */
#include <stdio.h>

int
main(void)
{
	fputs("last line without newline", stdout);
	return 0;
}
