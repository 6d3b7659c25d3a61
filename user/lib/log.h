/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Diagnostics on stderr, by level: errors and warnings always, info with
 * -v, debug (and libbpf's own log) with -vv. stdout stays for the data
 * (alerts, stats), so it is valid JSON in --json mode.
 */
#ifndef MTUGUARD_LOG_H
#define MTUGUARD_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum log_level {
	LOG_SILENT = -1, /* tests and fuzzers: not even errors */
	LOG_ERROR = 0,
	LOG_WARN = 1,
	LOG_INFO = 2,
	LOG_DEBUG = 3,
};

void log_set_level(enum log_level level);
/* In --json mode, errors also go to stdout as {"event": "error", "error":
 * "..."}, so a consumer of the JSON stream sees why it ended. */
void log_set_json_errors(bool on);
enum log_level log_get_level(void);
/* While on, this thread's messages are shown only at -v and above: for a
 * re-read of files whose faults were said at the first read. */
void log_quiet_this_thread(bool quiet);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Routes libbpf's messages through our levels (its warnings at -vv only:
 * they are noisy when mtuguard probes for optional features). */
void log_route_libbpf(void);

/*
 * Long work, such as attaching or detaching a thousand Pods (TCX waits for
 * the kernel on every link: half a minute): once it has run for 2 s, a line
 * on stderr every 2 s whatever the level (except silent), so that a slow
 * start is not taken for a hang, and a last line with the time it took.
 */
struct progress {
	const char *what;
	unsigned long long start_ms, last_ms;
	bool shown;
};
void progress_begin(struct progress *p, const char *what);
void progress_step(struct progress *p, size_t done, size_t total);
void progress_end(struct progress *p, size_t done);

#define pr_err(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define pr_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define pr_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
