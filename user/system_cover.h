/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Covering interpreters a loaded system finds running (see system_cover.c). */
#ifndef SECIMPORT_SYSTEM_COVER_H
#define SECIMPORT_SYSTEM_COVER_H

#include <stdbool.h>
#include <sys/types.h>

#include "system.h"

/*
 * Where _PyRuntime is in running process @pid, which maps ELF @elf (inode
 * @ino) described by @w. -1 if the process does not map it.
 */
int runtime_in_process(pid_t pid, const char *elf, const struct secimport_interp *w, ino_t ino,
		       __u64 *runtime);

/* Does the loaded system cover process @pid (its main thread has state)? */
bool system_process_covered(const struct system *s, pid_t pid);

/*
 * Cover process @pid, a CPython 3.N the system was not pointed at: describe
 * its build, attach the runtime probe to it (once per build), cover its
 * executable's later execs, and adopt the process. -1 with @err if not.
 */
int system_cover_process(struct system *s, pid_t pid, char *err, size_t errlen);

/* Cover every python3.N process not covered yet. Returns how many were. */
int system_cover_scan(struct system *s, bool log);

#endif
