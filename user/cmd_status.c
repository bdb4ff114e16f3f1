// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * secimport-bpf status / events: what a loaded system is doing, read from
 * its pinned maps and links alone (the loader is long gone).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "commands.h"
#include "events.h"
#include "system.h"
#include "system_args.h"
#include "system_cover.h"
#include "util.h"

/* Pinned links, and how many of them the kernel still has attached. */
static void count_links(const char *dir, unsigned int *pinned, unsigned int *live)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	*pinned = *live = 0;
	snprintf(path, sizeof(path), "%s/links", dir);
	if (!(d = opendir(path)))
		return;
	while ((de = readdir(d))) {
		struct bpf_link_info info = {};
		__u32 len = sizeof(info);
		int fd;

		if (de->d_name[0] == '.')
			continue;
		(*pinned)++;
		snprintf(path, sizeof(path), "%s/links/%s", dir, de->d_name);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
			(*live)++;
		close(fd);
	}
	closedir(d);
}

/* Processes the system covers, and those with a private set. */
static void count_processes(const struct system *s, unsigned int *covered, unsigned int *registered)
{
	struct dirent *de;
	DIR *d = opendir("/proc");

	*covered = *registered = 0;
	while (d && (de = readdir(d))) {
		pid_t pid = atoi(de->d_name);
		__u32 tgid = pid, pset;

		if (pid <= 0)
			continue;
		if (system_process_covered(s, pid))
			(*covered)++;
		if (bpf_map_lookup_elem(s->proc_sets, &tgid, &pset) == 0)
			(*registered)++;
	}
	if (d)
		closedir(d);
}

/* Each cgroup with a policy of its own: its id, set and modules. */
static void print_cgroup_policies(const struct system *s, bool json)
{
	__u64 key, next, *prev = NULL;
	unsigned int n = 0;
	__u32 set;

	while (bpf_map_get_next_key(s->cgroups, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(s->cgroups, &key, &set))
			continue;
		if (json)
			printf("%s{\"cgroup_id\":%llu,\"set\":%u,\"modules\":[", n ? "," : "",
			       (unsigned long long)key, set);
		else
			printf("  cgroup %llu: set %u, modules:", (unsigned long long)key, set);
		for (unsigned int m = 0, k = 0; m < SECIMPORT_MAX_MODULES; m++) {
			const char *name = system_module_name((void *)s, set, m);

			if (!strcmp(name, "<unknown>") || !strcmp(name, "<removed>"))
				continue;
			if (json) {
				if (k++)
					putchar(',');
				json_write_string(stdout, name);
			} else {
				printf("%s %s", k++ ? "," : "", name);
			}
		}
		printf(json ? "]}" : "\n");
		n++;
	}
}

static __u64 status_counter(void *system, unsigned int which)
{
	return system_counter(system, which);
}

int cmd_status(int argc, char **argv)
{
	static const char usage[] =
	    "Usage: secimport-bpf status [--json] [--pin-dir DIR]\n\n"
	    "What the loaded system enforces, and whether it is whole. Exits 0 when a\n"
	    "system is loaded with every hook attached, 1 otherwise.\n";
	const char *dir, *counter_names[] = { "killed",		"denied", "logged",
					      "events_dropped", "walks",  "walks_failed_closed" };
	unsigned int counters[] = { SECIMPORT_CNT_KILLED, SECIMPORT_CNT_DENIED,
				    SECIMPORT_CNT_LOGGED, SECIMPORT_CNT_EVENTS_DROPPED,
				    SECIMPORT_CNT_WALKS,  SECIMPORT_CNT_WALK_FAILED };
	char walks_failed[256];
	unsigned int pinned, live, covered, registered;
	struct system_args args;
	bool json, broker_up, whole;
	struct system s;
	char err[512], when[64];
	__u32 slot;
	time_t t;
	struct tm tm;

	if (system_args_parse(argc, argv, usage, SYSARG_JSON, &args))
		return EXIT_USAGE;
	dir = args.dir;
	json = args.json;
	if (system_open(&s, dir, err, sizeof(err))) {
		if (json)
			printf("{\"loaded\":false}\n");
		p_err("%s", err);
		return EXIT_FAIL;
	}
	count_links(dir, &pinned, &live);
	count_processes(&s, &covered, &registered);
	broker_up = process_alive_as(s.sysinfo.broker_pid, "secimport-bpf");
	whole = pinned > 0 && live == pinned;
	slot = system_config_get(&s, SECIMPORT_CFG_SYSTEM_SET);
	t = s.sysinfo.loaded_at;
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	s.sysinfo.socket[sizeof(s.sysinfo.socket) - 1] = 0;

	if (json) {
		printf("{\"loaded\":true,\"whole\":%s,\"pin_dir\":", whole ? "true" : "false");
		json_write_string(stdout, dir);
		printf(",\"version\":");
		json_write_string(stdout, s.sysinfo.version);
		printf(",\"loaded_at\":\"%s\",\"engine\":\"stackwalk\",\"bpf_lsm\":%s,"
		       "\"cgroup_socket_hooks\":%s,\"deny_fallback_kill\":%s,\"links\":{\"pinned\":"
		       "%u,\"attached\":%u},\"interpreters\":[",
		       when, s.sysinfo.flags & SECIMPORT_SYS_LSM ? "true" : "false",
		       s.sysinfo.flags & SECIMPORT_SYS_CGROUP ? "true" : "false",
		       s.sysinfo.flags & SECIMPORT_SYS_FALLBACK_KILL ? "true" : "false", pinned,
		       live);
		for (__u32 i = 0; i < s.sysinfo.nr_interps && i < SECIMPORT_MAX_INTERPS_INFO; i++) {
			s.sysinfo.interps[i][sizeof(s.sysinfo.interps[i]) - 1] = 0;
			if (i)
				putchar(',');
			json_write_string(stdout, s.sysinfo.interps[i]);
		}
		printf("],\"policy\":{\"slot\":%u,\"generation\":%llu,\"modules\":[", slot,
		       (unsigned long long)system_config_get(&s, SECIMPORT_CFG_GEN));
		for (unsigned int m = 0, n = 0; m < SECIMPORT_MAX_MODULES; m++) {
			const char *name = system_module_name(&s, slot, m);

			if (!strcmp(name, "<unknown>") || !strcmp(name, "<removed>"))
				continue;
			if (n++)
				putchar(',');
			json_write_string(stdout, name);
		}
		printf("]},\"cgroup_policies\":[");
		print_cgroup_policies(&s, true);
		printf("],\"broker\":{\"pid\":%u,\"running\":%s,\"socket\":", s.sysinfo.broker_pid,
		       broker_up ? "true" : "false");
		json_write_string(stdout, s.sysinfo.socket);
		printf("},\"processes\":{\"covered\":%u,\"registered\":%u},\"counters\":{", covered,
		       registered);
		for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
			printf("%s\"%s\":%llu", i ? "," : "", counter_names[i],
			       (unsigned long long)system_counter(&s, counters[i]));
		/* why walks failed closed, per reason */
		printf(",\"walks_failed_by_reason\":{");
		for (unsigned int e = 1; e < SECIMPORT_WALK_NR_ERRORS; e++)
			printf("%s\"%s\":%llu", e > 1 ? "," : "", walk_error_name(e),
			       (unsigned long long)system_counter(&s, SECIMPORT_CNT_WALK_ERR_FIRST +
									  e - 1));
		printf("}}}\n");
	} else {
		printf("secimport-bpf system at %s: %s\n", dir,
		       whole ? "loaded, every hook attached" : "INCOMPLETE: hooks missing");
		printf("  version:      %s (ABI %u), loaded %s\n", s.sysinfo.version, s.sysinfo.abi,
		       when);
		printf("  engine:       stackwalk\n");
		printf("  hooks:        %u of %u pinned links attached; BPF LSM %s%s\n", live,
		       pinned, s.sysinfo.flags & SECIMPORT_SYS_LSM ? "live" : "not live",
		       s.sysinfo.flags & SECIMPORT_SYS_CGROUP ? "; cgroup socket hooks live" : "");
		printf("  interpreters:");
		for (__u32 i = 0; i < s.sysinfo.nr_interps && i < SECIMPORT_MAX_INTERPS_INFO; i++) {
			s.sysinfo.interps[i][sizeof(s.sysinfo.interps[i]) - 1] = 0;
			printf(" %s", s.sysinfo.interps[i]);
		}
		printf("\n  policy:       slot %u, generation %llu, modules:", slot,
		       (unsigned long long)system_config_get(&s, SECIMPORT_CFG_GEN));
		for (unsigned int m = 0, n = 0; m < SECIMPORT_MAX_MODULES; m++) {
			const char *name = system_module_name(&s, slot, m);

			if (!strcmp(name, "<unknown>") || !strcmp(name, "<removed>"))
				continue;
			printf("%s %s", n++ ? "," : "", name);
		}
		putchar('\n');
		print_cgroup_policies(&s, false);
		printf("  broker:       pid %u, %s, socket %s\n", s.sysinfo.broker_pid,
		       broker_up ? "running"
				 : "NOT running (secure_import fails; restart it with "
				   "'secimport-bpf broker --daemon')",
		       s.sysinfo.socket);
		printf("  processes:    %u covered, %u with registered modules\n", covered,
		       registered);
		printf("  counters:    ");
		for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
			printf(" %s=%llu", counter_names[i],
			       (unsigned long long)system_counter(&s, counters[i]));
		putchar('\n');
		walk_failures_format(walks_failed, sizeof(walks_failed), status_counter, &s);
		printf("  walks:        %s\n", walks_failed);
	}
	system_close(&s);
	return whole ? EXIT_OK : EXIT_FAIL;
}

static volatile sig_atomic_t stop_events;

static void on_signal(int sig)
{
	(void)sig;
	stop_events = 1;
}

static int on_event(void *ctx, void *data, size_t len)
{
	const struct secimport_event *e = data;

	if (len >= sizeof(*e) && e->type == SECIMPORT_EV_VIOLATION)
		event_print(ctx, e);
	return 0;
}

int cmd_events(int argc, char **argv)
{
	static const char usage[] =
	    "Usage: secimport-bpf events [--json] [--follow] [--pin-dir DIR]\n\n"
	    "The loaded system's violation records (the same records as 'run'): those\n"
	    "waiting in its ring buffer, then, with --follow, new ones until interrupted.\n"
	    "Reading consumes them; one reader at a time.\n";
	struct sigaction sa = { .sa_handler = on_signal };
	struct event_printer pr;
	struct ring_buffer *rb;
	struct system_args args;
	struct system s;
	char err[512];

	if (system_args_parse(argc, argv, usage, SYSARG_JSON | SYSARG_FOLLOW, &args))
		return EXIT_USAGE;
	if (system_open(&s, args.dir, err, sizeof(err))) {
		p_err("%s", err);
		return EXIT_FAIL;
	}
	event_printer_init_named(&pr, stdout, args.json, syscall_table_native(), system_module_name,
				 &s);
	rb = ring_buffer__new(s.events, on_event, &pr, NULL);
	if (!rb) {
		p_err("cannot read the event ring buffer: %s", strerror(errno));
		system_close(&s);
		return EXIT_FAIL;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	ring_buffer__consume(rb);
	while (args.follow && !stop_events) {
		int n = ring_buffer__poll(rb, 500);

		if (n < 0 && n != -EINTR) {
			p_err("reading events: %s", strerror(-n));
			break;
		}
	}
	ring_buffer__free(rb);
	system_close(&s);
	return EXIT_OK;
}
