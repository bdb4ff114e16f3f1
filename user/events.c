// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "events.h"
#include "util.h"

static long long clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static const char *policy_module_name(void *ctx, __u32 set, unsigned int module)
{
	const struct policy *p = ctx;

	(void)set;
	if (module == SECIMPORT_DEFAULT_MODULE)
		return "<process_default>";
	if (module - 1 < p->nr_modules)
		return p->modules[module - 1].name;
	return "<unknown>";
}

void event_printer_init_named(struct event_printer *pr, FILE *out, bool json,
			      const struct syscall_table *table, module_namer name, void *ctx)
{
	pr->out = out;
	pr->json = json;
	pr->table = table;
	pr->name = name;
	pr->name_ctx = ctx;
	pr->realtime_offset_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
}

void event_printer_init(struct event_printer *pr, FILE *out, bool json, const struct policy *policy)
{
	event_printer_init_named(pr, out, json, policy->table, policy_module_name, (void *)policy);
}

/* The modules of the event's sets: those refusing, or all confining. */
static void print_modules(const struct event_printer *pr, const struct secimport_event *e,
			  bool refusing)
{
	bool first = true;

	if (pr->json)
		fputc('[', pr->out);
	for (unsigned int k = 0; k <= SECIMPORT_XSETS; k++) {
		__u32 set = k ? e->xset[k - 1] : e->set;
		__u64 m = k ? (refusing ? e->xrefusing_mask[k - 1] : e->xconfined_mask[k - 1])
			    : (refusing ? e->refusing_mask : e->confined_mask);

		if (k && !set)
			continue;
		for (unsigned int i = 0; i < SECIMPORT_MAX_MODULES; i++) {
			const char *name;

			if (!(m & (1ULL << i)))
				continue;
			name = pr->name(pr->name_ctx, set, i);
			if (!first)
				fputc(',', pr->out);
			first = false;
			if (pr->json)
				json_write_string(pr->out, name);
			else
				text_write_safe(pr->out, name);
		}
	}
	if (pr->json)
		fputc(']', pr->out);
	else if (first)
		fputc('-', pr->out);
}

static void format_time(const struct event_printer *pr, __u64 mono_ns, char *buf, size_t len)
{
	long long ns = (long long)mono_ns + pr->realtime_offset_ns;
	time_t secs = ns / 1000000000LL;
	struct tm tm;

	gmtime_r(&secs, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (ns % 1000000000LL) / 1000);
}

/* By bit of SECIMPORT_EVF_*. */
static const char *const flag_names[] = { "compat_syscall", "fork_check", "not_attributed",
					  "doomed_child",   "exec",	  "walk_failed",
					  "deny_uncovered" };

/* By enum secimport_walk_error. */
static const char *const walk_error_names[SECIMPORT_WALK_NR_ERRORS] = {
	[SECIMPORT_WALK_OK] = "none",
	[SECIMPORT_WALK_UNREADABLE] = "unreadable",
	[SECIMPORT_WALK_THREADS_BOUND] = "thread_bound",
	[SECIMPORT_WALK_FRAMES_BOUND] = "frame_bound",
	[SECIMPORT_WALK_UNKNOWN_INTERP] = "unknown_interpreter",
	[SECIMPORT_WALK_TSTATES] = "thread_states",
};

const char *walk_error_name(unsigned int err)
{
	return err < SECIMPORT_WALK_NR_ERRORS ? walk_error_names[err] : "unknown";
}

void walk_failures_format(char *buf, size_t len, __u64 (*count)(void *ctx, unsigned int counter),
			  void *ctx)
{
	__u64 failed = count(ctx, SECIMPORT_CNT_WALK_FAILED);
	const char *sep = ": ";
	size_t n = snprintf(buf, len, "%llu failed closed", (unsigned long long)failed);

	for (unsigned int e = 1; failed && e < SECIMPORT_WALK_NR_ERRORS && n < len; e++) {
		__u64 c = count(ctx, SECIMPORT_CNT_WALK_ERR_FIRST + e - 1);

		if (!c)
			continue;
		n += snprintf(buf + n, len - n, "%s%s %llu", sep, walk_error_names[e],
			      (unsigned long long)c);
		sep = ", ";
	}
}

static void event_format(const struct event_printer *pr, const struct secimport_event *e)
{
	const char *sys = syscall_name(pr->table, e->syscall_nr);
	const char *action = policy_action_name(e->action);
	char when[64], comm[SECIMPORT_COMM_LEN + 1], file[SECIMPORT_EV_FILE_LEN + 1],
	    func[SECIMPORT_EV_FUNC_LEN + 1], sysbuf[32];

	/* The kernel NUL-terminates, but never trust a record's strings. */
	snprintf(comm, sizeof(comm), "%.*s", (int)sizeof(e->comm), e->comm);
	snprintf(file, sizeof(file), "%.*s", (int)sizeof(e->file), e->file);
	snprintf(func, sizeof(func), "%.*s", (int)sizeof(e->func), e->func);
	if (e->flags & SECIMPORT_EVF_COMPAT) {
		snprintf(sysbuf, sizeof(sysbuf), "ia32:%d", e->syscall_nr);
		sys = sysbuf;
	} else if (syscall_pseudo_name(e->syscall_nr)) {
		/* a sub-interpreter, or I/O judged by its descriptor */
		sys = syscall_pseudo_name(e->syscall_nr);
	} else if (!sys) {
		snprintf(sysbuf, sizeof(sysbuf), "syscall_%d", e->syscall_nr);
		sys = sysbuf;
	}
	format_time(pr, e->ts_ns, when, sizeof(when));

	if (pr->json) {
		fprintf(pr->out, "{\"time\":\"%s\",\"event\":\"violation\",\"pid\":%u,\"tid\":%u,",
			when, e->pid, e->tid);
		fputs("\"comm\":", pr->out);
		json_write_string(pr->out, comm);
		fputs(",\"modules\":", pr->out);
		print_modules(pr, e, true);
		fputs(",\"confined_by\":", pr->out);
		print_modules(pr, e, false);
		fputs(",\"syscall\":", pr->out);
		json_write_string(pr->out, sys);
		fprintf(pr->out, ",\"syscall_nr\":%d,\"action\":\"%s\",\"frame\":", e->syscall_nr,
			action);
		if (file[0]) {
			fputs("{\"file\":", pr->out);
			json_write_string(pr->out, file);
			fputs(",\"function\":", pr->out);
			json_write_string(pr->out, func);
			fprintf(pr->out, ",\"line\":%u}", e->lineno);
		} else {
			fputs("null", pr->out);
		}
		fputs(",\"stack\":[", pr->out);
		for (unsigned int i = 0; i < e->nr_stack && i < SECIMPORT_EV_STACK; i++) {
			const struct secimport_event_frame *f = &e->stack[i];
			char sfile[sizeof(f->file) + 1], sfunc[sizeof(f->func) + 1];

			snprintf(sfile, sizeof(sfile), "%.*s", (int)sizeof(f->file), f->file);
			snprintf(sfunc, sizeof(sfunc), "%.*s", (int)sizeof(f->func), f->func);
			fputs(i ? ",{\"file\":" : "{\"file\":", pr->out);
			json_write_string(pr->out, sfile);
			fputs(",\"function\":", pr->out);
			json_write_string(pr->out, sfunc);
			fprintf(pr->out, ",\"line\":%u}", f->lineno);
		}
		fputs("]", pr->out);
		fputs(",\"flags\":[", pr->out);
		for (unsigned int i = 0, n = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
			if (e->flags & (1u << i))
				fprintf(pr->out, "%s\"%s\"", n++ ? "," : "", flag_names[i]);
		fputs("]", pr->out);
		if (e->flags & SECIMPORT_EVF_WALK_FAILED)
			fprintf(pr->out, ",\"walk_error\":\"%s\"", walk_error_name(e->walk_error));
		fputs("}\n", pr->out);
	} else {
		fprintf(pr->out, "%s secimport-bpf: %s pid=%u tid=%u comm=", when, action, e->pid,
			e->tid);
		text_write_safe(pr->out, comm);
		fputs(" module=", pr->out);
		print_modules(pr, e, true);
		fprintf(pr->out, " syscall=%s frame=", sys);
		if (file[0]) {
			text_write_safe(pr->out, file);
			fputc(':', pr->out);
			text_write_safe(pr->out, func);
			fprintf(pr->out, ":%u", e->lineno);
		} else {
			fputc('-', pr->out);
		}
		/* The top of the Python stack, innermost first (stack walker). */
		for (unsigned int i = 0; i < e->nr_stack && i < SECIMPORT_EV_STACK; i++) {
			const struct secimport_event_frame *f = &e->stack[i];
			char sfile[sizeof(f->file) + 1], sfunc[sizeof(f->func) + 1];

			snprintf(sfile, sizeof(sfile), "%.*s", (int)sizeof(f->file), f->file);
			snprintf(sfunc, sizeof(sfunc), "%.*s", (int)sizeof(f->func), f->func);
			fputs(i ? "," : " stack=", pr->out);
			text_write_safe(pr->out, sfile);
			fputc(':', pr->out);
			text_write_safe(pr->out, sfunc);
			fprintf(pr->out, ":%u", f->lineno);
		}
		for (unsigned int i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++) {
			if (!(e->flags & (1u << i)))
				continue;
			fprintf(pr->out, " %s", flag_names[i]);
			/* why it failed closed: walk_failed=REASON */
			if ((1u << i) == SECIMPORT_EVF_WALK_FAILED)
				fprintf(pr->out, "=%s", walk_error_name(e->walk_error));
		}
		fputc('\n', pr->out);
	}
}

/*
 * One record, one write(2): the confined program shares our stderr, and a line
 * it prints while we format ours must not land inside our record (a pipe keeps
 * writes of up to PIPE_BUF bytes whole).
 */
void event_print(const struct event_printer *pr, const struct secimport_event *e)
{
	struct event_printer mem = *pr;
	char *buf = NULL;
	size_t len = 0;

	mem.out = open_memstream(&buf, &len);
	if (!mem.out) {
		event_format(pr, e);
		fflush(pr->out);
		return;
	}
	event_format(&mem, e);
	fclose(mem.out);
	fflush(pr->out);
	write_all(fileno(pr->out), buf, len);
	free(buf);
}
