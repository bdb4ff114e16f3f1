/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * One confined execution of a program, shared by run and trace: resolve the
 * policy's modules, choose the engine, load and fill the BPF side, start the
 * program so that it is covered from its first Python instruction, feed
 * events, and clean up.
 */
#ifndef SECIMPORT_SESSION_H
#define SECIMPORT_SESSION_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "engine.h"
#include "events.h"
#include "interp.h"
#include "loader.h"
#include "policy.h"
#include "privs.h"
#include "resolve.h"

#define SESSION_SET 1

struct session_opts {
	const char *verb; /* "run", "trace": for messages */
	const char *engine, *python, *user, *fallback;
	FILE *log; /* violation records */
	bool json;
	char **prog; /* PROGRAM [ARGS...] */
	__u32 trace_files_max; /* >0: record the file of every frame (trace --all-modules) */
	/*
	 * Release the BPF side before session_finish() returns, not in a child
	 * that outlives it: another session follows in this process (trace
	 * --runs), and its supervisor kills the children it finds.
	 */
	bool release_now;
};

struct session {
	const struct session_opts *o;
	struct policy *policy;
	struct launch launch;
	struct resolved_module *resolved;
	struct interp_info info;
	struct run_as as;
	struct engine_choice engine;
	struct loader_status lstatus;
	struct loader *loader;
	struct event_printer printer;
	pid_t root;
};

/* Everything before the program starts. EXIT_OK, or the status to exit with. */
int session_prepare(struct session *s, struct policy *p, const struct session_opts *o);
/* Start the program and supervise it: its exit status (128+N for signal N). */
int session_execute(struct session *s);
/* Release everything (the BPF side in the background once the program ran). */
void session_finish(struct session *s);

#endif
