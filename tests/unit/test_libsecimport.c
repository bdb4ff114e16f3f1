// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libsecimport without a broker: bad settings are refused by the policy
 * compiler before anything is sent, and a missing system is reported as such.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "libsecimport.h"

static const char *const here[] = { "/tmp/mod.py" };
static const int file[] = { 0 };

static int reg(const char *module, const char *const *sc, size_t nsc, const char *action, char *err,
	       size_t len)
{
	return secimport_register(module, here, file, 1, 0, 0, sc, nsc, action, err, len);
}

static void test_bad_settings(void **state)
{
	static const char *const unknown[] = { "read", "no_such_syscall" };
	static const char *const injected[] = { "read]\n  x: {" };
	char err[1024];

	(void)state;
	assert_int_equal(reg("mod", unknown, 2, "kill", err, sizeof(err)), SECIMPORT_E_POLICY);
	assert_non_null(strstr(err, "no_such_syscall"));
	assert_int_equal(reg("mod", injected, 1, "kill", err, sizeof(err)), SECIMPORT_E_POLICY);
	assert_int_equal(reg("mod", NULL, 0, "explode", err, sizeof(err)), SECIMPORT_E_POLICY);
	assert_non_null(strstr(err, "explode"));
	assert_int_equal(reg("mod; rm", NULL, 0, "kill", err, sizeof(err)), SECIMPORT_E_POLICY);
	assert_int_equal(reg(NULL, NULL, 0, "kill", err, sizeof(err)), SECIMPORT_E_POLICY);
	assert_int_equal(
	    secimport_register("mod", NULL, NULL, 0, 0, 0, NULL, 0, "kill", err, sizeof(err)),
	    SECIMPORT_E_POLICY);
	static const char *const relative[] = { "mod.py" };
	assert_int_equal(
	    secimport_register("mod", relative, file, 1, 0, 0, NULL, 0, "kill", err, sizeof(err)),
	    SECIMPORT_E_POLICY);
}

static void test_not_loaded(void **state)
{
	char err[1024];

	(void)state;
	setenv("SECIMPORT_SOCKET", "/nonexistent/secimport.sock", 1);
	assert_int_equal(reg("mod", NULL, 0, NULL, err, sizeof(err)), SECIMPORT_E_NOT_LOADED);
	assert_non_null(strstr(err, "secimport-bpf load"));
	assert_non_null(secimport_version());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_settings),
		cmocka_unit_test(test_not_loaded),
	};

	return cmocka_run_group_tests_name("libsecimport", tests, NULL, NULL);
}
