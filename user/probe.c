// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <mntent.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <bpf/btf.h>

#include "probe.h"

#define LSM_LIST "/sys/kernel/security/lsm"

bool probe_lsm_bpf_listed(char *lsms, size_t len)
{
	char buf[512], *tok, *save;
	size_t n;
	FILE *f;

	snprintf(lsms, len, "?");
	f = fopen(LSM_LIST, "re");
	if (!f && errno == ENOENT &&
	    mount("securityfs", "/sys/kernel/security", "securityfs", 0, NULL) == 0)
		f = fopen(LSM_LIST, "re");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	snprintf(lsms, len, "%s", buf);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (!strcmp(tok, "bpf"))
			return true;
	return false;
}

int probe_cgroup2_root(char *path, size_t len)
{
	FILE *f = setmntent("/proc/self/mounts", "re");
	struct mntent *m;
	int ret = -1;

	if (!f)
		return -1;
	while ((m = getmntent(f))) {
		if (strcmp(m->mnt_type, "cgroup2"))
			continue;
		snprintf(path, len, "%s", m->mnt_dir);
		ret = 0;
		break;
	}
	endmntent(f);
	return ret;
}

int probe_kernel_enum(const char *type, const char *name, long long *value)
{
	struct btf *btf = btf__load_vmlinux_btf();
	int ret = -1;

	if (!btf)
		return -1;
	for (__u32 id = 1; id < btf__type_cnt(btf) && ret; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (!btf_is_enum(t) || strcmp(btf__name_by_offset(btf, t->name_off), type))
			continue;
		const struct btf_enum *e = btf_enum(t);

		for (__u16 i = 0; i < btf_vlen(t); i++, e++)
			if (!strcmp(btf__name_by_offset(btf, e->name_off), name)) {
				*value = e->val;
				ret = 0;
				break;
			}
	}
	btf__free(btf);
	return ret;
}

bool probe_kernel_func(const char *name)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool found;

	if (!btf)
		return false;
	found = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) > 0;
	btf__free(btf);
	return found;
}
