/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Violation records: one line each, as text or JSON. */
#ifndef SECIMPORT_EVENTS_H
#define SECIMPORT_EVENTS_H

#include <stdbool.h>
#include <stdio.h>

#include "policy.h"
#include "secimport.h"

struct event_printer {
	FILE *out;
	bool json;
	const struct policy *policy; /* names the modules of the event's set */
	long long realtime_offset_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC */
};

void event_printer_init(struct event_printer *pr, FILE *out, bool json,
			const struct policy *policy);
void event_print(const struct event_printer *pr, const struct secimport_event *e);

#endif
