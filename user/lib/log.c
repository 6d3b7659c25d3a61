// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "lib/log.h"

#include <bpf/libbpf.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>

#include "lib/clock.h"

static enum log_level current_level = LOG_WARN;
static bool json_errors;
/* Set by a thread whose messages are not news at the default level. */
static _Thread_local bool thread_quiet;

static const char *const level_prefix[] = {
	[LOG_ERROR] = "error: ",
	[LOG_WARN] = "warning: ",
	[LOG_INFO] = "",
	[LOG_DEBUG] = "debug: ",
};

void log_set_level(enum log_level level)
{
	current_level = level;
}

void log_set_json_errors(bool on)
{
	json_errors = on;
}

enum log_level log_get_level(void)
{
	return current_level;
}

void log_quiet_this_thread(bool quiet)
{
	thread_quiet = quiet;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (level > current_level || (thread_quiet && current_level == LOG_WARN))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "mtuguard: %s%s\n", level_prefix[level], msg);
	if (json_errors && level == LOG_ERROR) {
		struct json_object *o = json_object_new_object();
		char when[64];

		/* The shape of every event (report/json.h), built here because
		 * lib/ comes before report/. */
		format_rfc3339_now(when, sizeof(when));
		json_object_object_add(o, "time", json_object_new_string(when));
		json_object_object_add(o, "event", json_object_new_string("error"));
		json_object_object_add(o, "error", json_object_new_string(msg));
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		fflush(stdout);
		json_object_put(o);
	}
}

#define PROGRESS_EVERY_MS 2000

void progress_begin(struct progress *p, const char *what)
{
	p->what = what;
	p->start_ms = p->last_ms = monotonic_ms();
	p->shown = false;
}

void progress_step(struct progress *p, size_t done, size_t total)
{
	unsigned long long now = monotonic_ms();

	if (current_level == LOG_SILENT || now - p->last_ms < PROGRESS_EVERY_MS)
		return;
	p->last_ms = now;
	p->shown = true;
	fprintf(stderr, "mtuguard: %s: %zu of %zu (%llu s)\n", p->what, done, total,
		(now - p->start_ms) / 1000);
}

void progress_end(struct progress *p, size_t done)
{
	if (!p->shown)
		return; /* quick: nothing was said, nothing to close */
	fprintf(stderr, "mtuguard: %s: %zu done in %.1f s\n", p->what, done,
		(double)(monotonic_ms() - p->start_ms) / 1000);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	if (current_level < LOG_DEBUG)
		return 0;
	fputs("libbpf: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

void log_route_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
