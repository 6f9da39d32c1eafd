/* The command line of scan, baseline and report, read into one struct. */
#ifndef OCPAY_SCAN_ARGS_H
#define OCPAY_SCAN_ARGS_H

#include <stdbool.h>

#include "check/scan.h"
#include "cmd/outputs.h"
#include "core/finding.h"

enum run_kind { RUN_SCAN, RUN_BASELINE, RUN_REPORT };

struct scan_args {
	enum run_kind kind;
	const char *baseline;
	bool prune, no_history;
	const char *path;	/* the first path, as messages name the target */
	char **paths;		/* every path given (argv), or NULL: path alone */
	int npaths;
	const char *format;	/* --format, or NULL */
	const char *output;	/* baseline: -o FILE */
	struct outputs outputs;
	const char *rules_dir;
	const char *config;
	const char *since;
	const char *stdin_name;
	bool staged, history;
	enum severity fail_on;
	enum color_mode color;
	int progress;		/* --progress 1, --no-progress 0, else -1: on a terminal */
	bool quiet;
	struct scan_options opt;
};

/* Reads the options and paths. 0; -1 after --help (printed); else the exit code of the
 * usage error (printed). */
int scan_args_parse(struct scan_args *a, int argc, char **argv);

#endif
