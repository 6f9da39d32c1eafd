#include "core/progress.h"

#include <time.h>

uint64_t progress_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void progress_start(struct progress *p, FILE *out, const char *what)
{
	*p = (struct progress){.out = out, .what = what, .start_ms = progress_now_ms()};
	p->drawn_ms = p->start_ms;
}

void progress_draw(struct progress *p, size_t done, size_t total, double mb, const char *extra,
		   bool force)
{
	if (!p->out)
		return;
	p->done = done, p->total = total, p->mb = mb;
	snprintf(p->extra, sizeof p->extra, "%s", extra ? extra : "");
	uint64_t now = progress_now_ms();
	if (!force && now - p->drawn_ms < 200)
		return;
	p->drawn_ms = now;
	p->drawn = true;
	double secs = (double)(now - p->start_ms) / 1000.0;
	double rate = secs > 0 ? (double)done / secs : 0.0;
	fprintf(p->out, "\r%s%s%zu", extra ? extra : "", extra ? ", " : "", done);
	if (total)
		fprintf(p->out, "/%zu", total);
	fprintf(p->out, " %s, %.0f/s", p->what, rate);
	if (mb > 0)
		fprintf(p->out, ", %.1f MB/s", secs > 0 ? mb / secs : 0.0);
	/* the time left only once the rate means something */
	if (total && done < total && rate > 0 && secs >= 1.0) {
		unsigned long left = (unsigned long)((double)(total - done) / rate + 0.5);
		if (left >= 60)
			fprintf(p->out, ", ETA %lum%02lus", left / 60, left % 60);
		else
			fprintf(p->out, ", ETA %lus", left);
	}
	fputs("\033[K", p->out);
	fflush(p->out);
}

void progress_end(struct progress *p)
{
	if (p->out && (p->drawn || p->eager)) {
		char extra[sizeof p->extra];
		snprintf(extra, sizeof extra, "%s", p->extra);
		progress_draw(p, p->done, p->total, p->mb, *extra ? extra : NULL, true);
		fputc('\n', p->out);
		fflush(p->out);
	}
	p->drawn = false;
}
