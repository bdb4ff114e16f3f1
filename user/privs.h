/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Which user the confined program (and the module resolver) run as. Code
 * running as root can unload any BPF sandbox, so `run` prefers not to.
 */
#ifndef SECIMPORT_PRIVS_H
#define SECIMPORT_PRIVS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct run_as {
	bool drop; /* false: keep our own credentials */
	uid_t uid;
	gid_t gid;
	char name[64]; /* for initgroups(); empty: no supplementary groups */
};

/*
 * @user: a name or uid from --user, or NULL for the default (the user who
 * ran sudo, from SUDO_UID/SUDO_GID/SUDO_USER, else ourselves).
 */
int run_as_resolve(struct run_as *r, const char *user, char *err, size_t errlen);

/* In a child before exec: become r's user, with no_new_privs. -1 + errno. */
int run_as_apply(const struct run_as *r);

#endif
