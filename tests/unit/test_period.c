#include "flow/flow.h"
#include "harness.h"

static double cron(const char *expr)
{
	double ms = -1;
	return flow_cron_period(expr, &ms) ? ms : -1;
}

static double text(const char *t, double unit)
{
	double ms = -1;
	return flow_period_text(t, unit, &ms) ? ms : -1;
}

TEST(cron_with_six_fields_starts_at_seconds)
{
	CHECK_INT(cron("*/5 * * * * *"), 5000);
	CHECK_INT(cron("* * * * * *"), 1000);
	CHECK_INT(cron("0,30 * * * * *"), 30000);
	CHECK_INT(cron("0 */10 * * * *"), 600000);
	CHECK_INT(cron("0 0 3 * * *"), 86400000);
	CHECK_INT(cron("15 * * * * 1-5"), 60000); /* a fixed second: once a minute */
}

TEST(cron_with_five_fields_starts_at_minutes)
{
	CHECK_INT(cron("* * * * *"), 60000);
	CHECK_INT(cron("*/20 * * * *"), 1200000);
	CHECK_INT(cron("0 * * * *"), 3600000);
	CHECK_INT(cron("0,50 * * * *"), 600000); /* the gap across the hour */
	CHECK_INT(cron("30 2 * * 0"), 86400000);
}

TEST(what_is_not_cron_is_refused)
{
	CHECK_INT(cron("every 5 seconds"), -1);
	CHECK_INT(cron("* * * *"), -1);
	CHECK_INT(cron("* * * * * * * *"), -1);
	CHECK_INT(cron(""), -1);
}

TEST(periods_written_as_text)
{
	CHECK_INT(text("5 seconds", 1000), 5000);
	CHECK_INT(text("1 minute", 1000), 60000);
	CHECK_INT(text("10 minutes", 1000), 600000);
	CHECK_INT(text("5s", 1000), 5000);
	CHECK_INT(text("2h", 1000), 7200000);
	CHECK_INT(text("250ms", 1000), 250);
	CHECK_INT(text("every hour", 1000), 3600000);
	CHECK_INT(text("PT5S", 1000), 5000);
	CHECK_INT(text("PT1M30S", 1000), 90000);
	CHECK_INT(text("*/5 * * * * *", 1000), 5000);
	/* a bare number is of the caller's unit */
	CHECK_INT(text("3", 1000), 3000);
	CHECK_INT(text("3000", 1), 3000);
	CHECK_INT(text("0", 1000), 0);
}

TEST(words_that_are_not_periods)
{
	CHECK_INT(text("interval", 1000), -1);
	CHECK_INT(text("cron", 1000), -1);
	CHECK_INT(text("hourly", 1000), -1); /* a recurrence's name: the models say */
	CHECK_INT(text("5 apples", 1000), -1);
	CHECK_INT(text("", 1000), -1);
}

RUN_TESTS(T(cron_with_six_fields_starts_at_seconds), T(cron_with_five_fields_starts_at_minutes),
	  T(what_is_not_cron_is_refused), T(periods_written_as_text), T(words_that_are_not_periods))
