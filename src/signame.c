#include "ptyplex/signame.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int
signame_parse(const char *s)
{
	const char *abbrev;
	char *end;
	long n;
	int sig;

	if (*s >= '0' && *s <= '9') {
		n = strtol(s, &end, 10);
		if (*end != '\0' || n < 1 || n >= NSIG)
			return -1;
		return (int)n;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	if (*s == '\0')
		return -1;
	for (sig = 1; sig < NSIG; sig++) {
		abbrev = sigabbrev_np(sig);
		if (abbrev != NULL && strcasecmp(abbrev, s) == 0)
			return sig;
	}
	return -1;
}
