// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The generated syscall tables against numbers fixed by the kernel ABIs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "secimport.h"
#include "syscall_table.h"

static const struct syscall_table *table(const char *arch)
{
	const struct syscall_table *t = syscall_table_for_arch(arch);

	assert_non_null(t);
	assert_string_equal(t->arch, arch);
	return t;
}

static void test_x86_64_numbers(void **state)
{
	const struct syscall_table *t = table("x86_64");

	(void)state;
	assert_int_equal(syscall_lookup(t, "read"), 0);
	assert_int_equal(syscall_lookup(t, "write"), 1);
	assert_int_equal(syscall_lookup(t, "open"), 2);
	assert_int_equal(syscall_lookup(t, "socket"), 41);
	assert_int_equal(syscall_lookup(t, "clone"), 56);
	assert_int_equal(syscall_lookup(t, "fork"), 57);
	assert_int_equal(syscall_lookup(t, "vfork"), 58);
	assert_int_equal(syscall_lookup(t, "execve"), 59);
	assert_int_equal(syscall_lookup(t, "fcntl"), 72);
	assert_int_equal(syscall_lookup(t, "openat"), 257);
	assert_int_equal(syscall_lookup(t, "execveat"), 322);
	assert_int_equal(syscall_lookup(t, "io_uring_setup"), 425);
	assert_int_equal(syscall_lookup(t, "clone3"), 435);
	assert_string_equal(syscall_name(t, 0), "read");
	assert_string_equal(syscall_name(t, 59), "execve");
	assert_string_equal(syscall_name(t, 435), "clone3");
	/* Named whatever the build host's headers say: the kernel's probe trampolines. */
	assert_int_equal(syscall_lookup(t, "uretprobe"), 335);
	assert_int_equal(syscall_lookup(t, "uprobe"), 336);
	/* 337..423 are unused on x86_64 (the x32 range starts at 512). */
	assert_null(syscall_name(t, 400));
}

static void test_aarch64_numbers(void **state)
{
	const struct syscall_table *t = table("aarch64");

	(void)state;
	assert_int_equal(syscall_lookup(t, "io_setup"), 0);
	assert_int_equal(syscall_lookup(t, "fcntl"), 25); /* via __NR3264_fcntl */
	assert_int_equal(syscall_lookup(t, "renameat"), 38); /* __ARCH_WANT_RENAMEAT */
	assert_int_equal(syscall_lookup(t, "openat"), 56);
	assert_int_equal(syscall_lookup(t, "read"), 63);
	assert_int_equal(syscall_lookup(t, "newfstatat"), 79); /* __ARCH_WANT_NEW_STAT */
	assert_int_equal(syscall_lookup(t, "fstat"), 80);
	assert_int_equal(syscall_lookup(t, "getrlimit"), 163); /* SET_GET_RLIMIT */
	assert_int_equal(syscall_lookup(t, "socket"), 198);
	assert_int_equal(syscall_lookup(t, "clone"), 220);
	assert_int_equal(syscall_lookup(t, "execve"), 221);
	assert_int_equal(syscall_lookup(t, "mmap"), 222);
	assert_int_equal(syscall_lookup(t, "clone3"), 435); /* __ARCH_WANT_SYS_CLONE3 */
	assert_int_equal(syscall_lookup(t, "memfd_secret"), 447); /* MEMFD_SECRET */
	assert_string_equal(syscall_name(t, 221), "execve");
	/* x86_64 only. */
	assert_int_equal(syscall_lookup(t, "uretprobe"), -1);
	assert_int_equal(syscall_lookup(t, "uprobe"), -1);
	/* The legacy calls arm64 never had. */
	assert_int_equal(syscall_lookup(t, "open"), -1);
	assert_int_equal(syscall_lookup(t, "fork"), -1);
	assert_int_equal(syscall_lookup(t, "vfork"), -1);
	assert_int_equal(syscall_lookup(t, "stat"), -1);
	/* Not syscalls: helper macros of the generic header. */
	assert_int_equal(syscall_lookup(t, "syscalls"), -1);
	assert_int_equal(syscall_lookup(t, "arch_specific_syscall"), -1);
	assert_null(syscall_name(t, 244)); /* __NR_arch_specific_syscall */
	/* 32-bit only names must not leak into the 64-bit table. */
	assert_int_equal(syscall_lookup(t, "fcntl64"), -1);
	assert_int_equal(syscall_lookup(t, "llseek"), -1);
}

/* Every name appears once, at its own number, below the thread bit. */
static void check_consistent(const struct syscall_table *t, unsigned int min_count)
{
	unsigned int nr, named = 0;

	assert_true(t->nr_count <= SECIMPORT_NR_THREAD_CREATE);
	for (nr = 0; nr < t->nr_count; nr++) {
		const char *name = t->names[nr];

		if (!name)
			continue;
		named++;
		assert_true(name[0] != '\0');
		assert_int_equal(syscall_lookup(t, name), (int)nr);
		assert_ptr_equal(syscall_name(t, (int)nr), name);
	}
	assert_true(named >= min_count);
	assert_non_null(t->names[t->nr_count - 1]);
}

static void test_tables_consistent(void **state)
{
	(void)state;
	check_consistent(table("x86_64"), 350);
	check_consistent(table("aarch64"), 290);
}

static void test_bounds(void **state)
{
	const struct syscall_table *t = table("x86_64");

	(void)state;
	assert_null(syscall_name(t, -1));
	assert_null(syscall_name(t, (int)t->nr_count));
	assert_null(syscall_name(t, 1023));
	assert_null(syscall_name(NULL, 0));
	assert_int_equal(syscall_lookup(t, "nosuchcall"), -1);
	assert_int_equal(syscall_lookup(t, ""), -1);
	assert_int_equal(syscall_lookup(t, NULL), -1);
	assert_int_equal(syscall_lookup(NULL, "read"), -1);
}

static void test_arch_lookup(void **state)
{
	(void)state;
	assert_ptr_equal(syscall_table_for_arch("amd64"), syscall_table_for_arch("x86_64"));
	assert_ptr_equal(syscall_table_for_arch("arm64"), syscall_table_for_arch("aarch64"));
	assert_null(syscall_table_for_arch("mips"));
	assert_null(syscall_table_for_arch(""));
	assert_null(syscall_table_for_arch(NULL));
#if defined(__x86_64__)
	assert_ptr_equal(syscall_table_native(), syscall_table_for_arch("x86_64"));
#elif defined(__aarch64__)
	assert_ptr_equal(syscall_table_native(), syscall_table_for_arch("aarch64"));
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_x86_64_numbers),	  cmocka_unit_test(test_aarch64_numbers),
		cmocka_unit_test(test_tables_consistent), cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_arch_lookup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
