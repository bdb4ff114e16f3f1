/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Violation records: one line each, as text or JSON. */
#ifndef SECIMPORT_EVENTS_H
#define SECIMPORT_EVENTS_H

#include <stdbool.h>
#include <stdio.h>

#include "policy.h"
#include "secimport.h"

/* The name of module @module of policy set @set; "<unknown>" if none. */
typedef const char *(*module_namer)(void *ctx, __u32 set, unsigned int module);

struct event_printer {
	FILE *out;
	bool json;
	const struct syscall_table *table;
	module_namer name; /* names the modules of the event's sets */
	void *name_ctx;
	long long realtime_offset_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC */
};

/* Records of `run`: modules named by @policy. */
void event_printer_init(struct event_printer *pr, FILE *out, bool json,
			const struct policy *policy);
/* Records of a loaded system: modules named by @name. */
void event_printer_init_named(struct event_printer *pr, FILE *out, bool json,
			      const struct syscall_table *table, module_namer name, void *ctx);
void event_print(const struct event_printer *pr, const struct secimport_event *e);
/* A short name for enum secimport_walk_error @err ("unknown" if out of range). */
const char *walk_error_name(unsigned int err);
/*
 * "N failed closed" plus, when N > 0, the reasons with their counts:
 * @count(ctx, counter) reads one counter.
 */
void walk_failures_format(char *buf, size_t len, __u64 (*count)(void *ctx, unsigned int counter),
			  void *ctx);

#endif
