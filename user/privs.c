// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "privs.h"

static int from_passwd(struct run_as *r, const struct passwd *pw)
{
	r->drop = true;
	r->uid = pw->pw_uid;
	r->gid = pw->pw_gid;
	snprintf(r->name, sizeof(r->name), "%s", pw->pw_name);
	return 0;
}

int run_as_resolve(struct run_as *r, const char *user, char *err, size_t errlen)
{
	const char *sudo_uid = getenv("SUDO_UID"), *sudo_gid = getenv("SUDO_GID");
	struct passwd *pw;
	char *end;

	memset(r, 0, sizeof(*r));
	if (user) {
		unsigned long uid = strtoul(user, &end, 10);

		pw = (*user && !*end) ? getpwuid(uid) : getpwnam(user);
		if (pw)
			return from_passwd(r, pw);
		if (*user && !*end) {
			/* A bare uid without a passwd entry: its own group. */
			r->drop = true;
			r->uid = r->gid = uid;
			return 0;
		}
		snprintf(err, errlen, "unknown user '%s' for --user", user);
		return -1;
	}
	if (sudo_uid && sudo_gid && geteuid() == 0) {
		r->drop = true;
		r->uid = strtoul(sudo_uid, NULL, 10);
		r->gid = strtoul(sudo_gid, NULL, 10);
		pw = getpwuid(r->uid);
		if (pw)
			snprintf(r->name, sizeof(r->name), "%s", pw->pw_name);
		/* sudo from root to root changes nothing. */
		r->drop = r->uid != 0;
	}
	return 0;
}

int run_as_apply(const struct run_as *r)
{
	if (!r->drop)
		return 0;
	if (r->name[0] ? initgroups(r->name, r->gid) : setgroups(0, NULL))
		return -1;
	if (setresgid(r->gid, r->gid, r->gid) || setresuid(r->uid, r->uid, r->uid))
		return -1;
	/* No way back through setuid binaries (su, sudo) either. */
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}
