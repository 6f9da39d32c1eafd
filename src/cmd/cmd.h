/* One function per command, dispatched from main()'s table. Each returns the process exit
 * code: 0 clean, 1 findings at or above --fail-on, 2 usage/config/runtime error,
 * 3 incomplete scan. Only these functions and main() print. */
#ifndef OCPAY_CMD_H
#define OCPAY_CMD_H

enum exit_code { EXIT_CLEAN = 0, EXIT_FINDINGS = 1, EXIT_ERROR = 2, EXIT_INCOMPLETE = 3 };

int cmd_scan(int argc, char **argv);
int cmd_baseline(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_install_hook(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_merge(int argc, char **argv);

/* Prints "ocpay-audit: message" on stderr and returns EXIT_ERROR. */
int cmd_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct option;
/* Refuses an abbreviated long option (getopt_long would take `--rule` for `--rules`).
 * 0, or the exit code of the usage error (printed). */
int cmd_check_options(int argc, char **argv, const char *shortopts, const struct option *opts);

#endif
