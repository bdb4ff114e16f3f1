// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <string.h>

#include "engine.h"
#include "pyruntime.h"
#include "util.h"

const char *engine_name(enum engine_kind kind)
{
	return kind == ENGINE_STACKWALK ? "stackwalk" : "usdt";
}

/* 0 if the USDT engine can attribute on this interpreter, else why not in @why. */
static int usdt_usable(const struct launch *l, const struct interp_info *info, bool *line_probe,
		       char *why, size_t len)
{
	struct usdt_probes probes;

	if (info->major != 3 || info->minor < 6 || info->minor >= 12) {
		snprintf(why, len,
			 "%s is CPython %s; the usdt engine needs CPython 3.6 to 3.11 (3.12 "
			 "removed the function__entry/return probes with PEP 669)",
			 l->interpreter, info->version);
		return -1;
	}
	if (usdt_probes_read(l->interpreter, &probes, why, len))
		return -1;
	if (!probes.function_entry || !probes.function_return) {
		snprintf(why, len,
			 "%s has no python:function__entry/function__return USDT probes (it was "
			 "built without --with-dtrace); use a distribution build such as Debian's "
			 "/usr/bin/python3.X",
			 l->interpreter);
		return -1;
	}
	/* 3.11 fires function__entry only on its tracing path: hold `line` too. */
	*line_probe = info->minor == 11;
	if (*line_probe && !probes.line) {
		snprintf(why, len,
			 "%s (CPython 3.11) lacks the python:line probe the usdt engine "
			 "needs there",
			 l->interpreter);
		return -1;
	}
	return 0;
}

/*
 * The engine ends a confined frame only at a return it can show is that
 * frame's own. Through the thread state's current frame where the runtime
 * is readable; else by the C stack pointer, which only tells frames apart
 * before 3.11 (3.11 runs Python calls in one C frame). 0, or -1 with @why.
 */
static int usdt_frames(const struct interp_info *info, struct engine_choice *c, char *why,
		       size_t len)
{
	char why_rt[5120] = "";

	snprintf(c->elf, sizeof(c->elf), "%s", info->runtime_elf);
	c->pyframe = pyruntime_read(c->elf, info->major, info->minor, &c->interp, why_rt,
				    sizeof(why_rt)) == 0;
	if (c->pyframe || info->minor < 11)
		return 0;
	snprintf(why, len,
		 "on CPython 3.11 the usdt engine tells a confined frame's return from "
		 "others by CPython's current frame, which it cannot read: %s",
		 why_rt);
	return -1;
}

int engine_choose(const char *name, const struct launch *l, const struct interp_info *info,
		  struct engine_choice *c)
{
	char why_walk[5120] = "", why_usdt[5120] = "";
	bool want_walk = !strcmp(name, "auto") || !strcmp(name, "stackwalk");
	bool want_usdt = !strcmp(name, "auto") || !strcmp(name, "usdt");

	memset(c, 0, sizeof(*c));
	if (!want_walk && !want_usdt) {
		p_err("unknown engine '%s': use auto, stackwalk or usdt", name);
		return -1;
	}
	if (want_walk) {
		snprintf(c->elf, sizeof(c->elf), "%s", info->runtime_elf);
		if (pyruntime_read(c->elf, info->major, info->minor, &c->interp, why_walk,
				   sizeof(why_walk)) == 0) {
			c->kind = ENGINE_STACKWALK;
			p_info("engine: stackwalk on %s (CPython %s; _PyRuntime in %s)",
			       l->interpreter, info->version, c->elf);
			return 0;
		}
		if (!want_usdt) {
			p_err("%s", why_walk);
			return -1;
		}
	}
	if (usdt_usable(l, info, &c->line_probe, why_usdt, sizeof(why_usdt)) == 0 &&
	    usdt_frames(info, c, why_usdt, sizeof(why_usdt)) == 0) {
		c->kind = ENGINE_USDT;
		if (want_walk)
			p_info("engine: usdt, because the stack walker cannot: %s", why_walk);
		p_info("engine: usdt (function__entry/return%s) on %s, CPython %s; frames told "
		       "apart by %s",
		       c->line_probe ? " + line, for 3.11's tracing path" : "", l->interpreter,
		       info->version,
		       c->pyframe ? "CPython's current frame" : "the C stack pointer");
		return 0;
	}
	if (want_walk)
		p_err("no engine can attribute frames on %s: stackwalk: %s; usdt: %s",
		      l->interpreter, why_walk, why_usdt);
	else
		p_err("%s", why_usdt);
	return -1;
}
