#include <criterion/criterion.h>

#include "ptyplex/supervise.h"

Test(supervise, first_delay_is_the_minimum)
{
	cr_assert_eq(supervise_next_delay(0, 0), SUPERVISE_DELAY_MIN_MS);
	cr_assert_eq(supervise_next_delay(0, 60000), SUPERVISE_DELAY_MIN_MS);
}

Test(supervise, delay_doubles_up_to_the_maximum)
{
	unsigned want[] = { 100, 200, 400, 800, 1600, 3200, 6400, 10000,
	    10000, 10000 };
	unsigned d = 0;
	size_t i;

	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		d = supervise_next_delay(d, 50);
		cr_assert_eq(d, want[i], "restart %zu: %u ms", i + 1, d);
	}
}

Test(supervise, a_stable_run_resets_the_delay)
{
	cr_assert_eq(supervise_next_delay(6400, SUPERVISE_STABLE_MS - 1),
	    10000);
	cr_assert_eq(supervise_next_delay(6400, SUPERVISE_STABLE_MS),
	    SUPERVISE_DELAY_MIN_MS);
	cr_assert_eq(supervise_next_delay(10000, 3600000),
	    SUPERVISE_DELAY_MIN_MS);
}
