/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Which attribution engine covers an interpreter, and why. */
#ifndef SECIMPORT_ENGINE_H
#define SECIMPORT_ENGINE_H

#include <stdbool.h>
#include <limits.h>

#include "interp.h"
#include "resolve.h"
#include "secimport.h"

enum engine_kind {
	ENGINE_USDT,
	ENGINE_STACKWALK,
};

struct engine_choice {
	enum engine_kind kind;
	bool line_probe; /* usdt on 3.11: hold the `line` probe too */
	bool pyframe; /* usdt: tell frames apart by CPython's current frame (needs interp) */
	struct secimport_interp interp; /* stackwalk, usdt with pyframe: the build's offsets */
	char elf[PATH_MAX]; /* the same: the ELF holding _PyRuntime */
};

/*
 * @name: "auto", "usdt" or "stackwalk". auto prefers the stack walker (no
 * cost per Python call) and falls back to USDT. Prints why on failure
 * (return -1) and, with --verbose, what was chosen.
 */
int engine_choose(const char *name, const struct launch *l, const struct interp_info *info,
		  struct engine_choice *c);

const char *engine_name(enum engine_kind kind);

#endif
