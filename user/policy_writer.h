/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Compiled policies back to YAML, and the union of two policies. Pure C like
 * policy.c: what policy_write() prints, policy_parse_*() compiles back to the
 * same bitmaps and actions.
 */
#ifndef SECIMPORT_POLICY_WRITER_H
#define SECIMPORT_POLICY_WRITER_H

#include <stddef.h>
#include <stdio.h>

#include "policy.h"

struct policy_write_opts {
	/* Lines of the comment block at the top (how the policy was made). */
	const char *const *header;
	size_t nr_header;
};

/*
 * Can @p be written so that parsing gives back the same bitmaps and actions?
 * Return 0, or -1 with the reason (naming the module) in @err. Some bitmaps
 * have no spelling: bits without a syscall name in an allowlist, clone
 * without thread creation, a no-allowlist module missing part of a group.
 */
int policy_write_check(const struct policy *p, char *err, size_t errlen);

/*
 * Make raw bitmaps (a trace's) mean what the written policy will: in each
 * allowlist, clone or clone3 also allows thread creation (a list cannot
 * allow one without the other), and numbers without a syscall name in the
 * table are dropped (no list can name them, so the written policy refuses
 * them). Returns how many syscall numbers were dropped, for a warning.
 */
size_t policy_normalize(struct policy *p);

/*
 * Write @p as a policy file (@o may be NULL). A list that relies on the
 * interpreter baseline is written without it; the top-level
 * interpreter_baseline: false is kept (p->interpreter_baseline), and each
 * module that differs from it says so. Return 0; -1 with errno EINVAL
 * when policy_write_check() refuses @p (nothing is written), or another
 * errno when writing failed.
 */
int policy_write(FILE *out, const struct policy *p, const struct policy_write_opts *o);

/*
 * Merge @src into @dst: a module in both allows what either allowed (it
 * keeps an allowlist only if both had one; otherwise allow_shell and
 * allow_networking are true when either allowed any syscall of the group)
 * and gets the stricter action; modules only in @src are copied;
 * process_default stays only if both have one (absent allows everything).
 * Return 0, or -1 with @err filled and @dst unchanged.
 */
int policy_merge(struct policy *dst, const struct policy *src, char *err, size_t errlen);

#endif
