// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Print the struct secimport_py_offsets initializer of the CPython whose
 * headers this file is compiled against. Built once per version by
 * scripts/gen_py_offsets.sh with
 *   -DPy_BUILD_CORE -I<prefix>/include/python3.X -I<prefix>/include/python3.X/internal
 * so that every offset comes from offsetof() on the real structures.
 */
#include <Python.h>

#if PY_VERSION_HEX < 0x03080000
#error "the stack-walking engine needs CPython 3.8 or later"
#endif

#include <frameobject.h>
/* 3.8 keeps _PyRuntimeState and PyInterpreterState in pycore_pystate.h. */
#if PY_VERSION_HEX >= 0x03090000
#include "pycore_interp.h"
#include "pycore_runtime.h"
#else
#include "pycore_pystate.h"
#endif
#if PY_VERSION_HEX >= 0x030b0000
#include "pycore_frame.h"
#endif

#include <stddef.h>
#include <stdio.h>

#include "secimport.h"

#define NONE SECIMPORT_PY_NONE

/* The table is used for x86_64 and aarch64 alike: both are LP64. */
_Static_assert(sizeof(void *) == 8 && sizeof(long) == 8, "offsets must be generated for LP64");

static const struct secimport_py_offsets off = {
	.major = PY_MAJOR_VERSION,
	.minor = PY_MINOR_VERSION,
	.runtime_interpreters_head = offsetof(_PyRuntimeState, interpreters.head),
	.runtime_interpreters_main = offsetof(_PyRuntimeState, interpreters.main),
	.interp_next = offsetof(PyInterpreterState, next),
#if PY_VERSION_HEX >= 0x030b0000
	.interp_threads_head = offsetof(PyInterpreterState, threads.head),
#else
	.interp_threads_head = offsetof(PyInterpreterState, tstate_head),
#endif
	.tstate_next = offsetof(PyThreadState, next),
	.tstate_thread_id = offsetof(PyThreadState, thread_id),
#if PY_VERSION_HEX >= 0x030b0000
	.tstate_native_thread_id = offsetof(PyThreadState, native_thread_id),
#else
	.tstate_native_thread_id = NONE,
#endif

#if PY_VERSION_HEX >= 0x030d0000
	/* tstate->current_frame, a _PyInterpreterFrame */
	.tstate_frame = offsetof(PyThreadState, current_frame),
	.tstate_cframe = NONE,
	.cframe_current_frame = NONE,
	.frame_previous = offsetof(_PyInterpreterFrame, previous),
	.frame_code = offsetof(_PyInterpreterFrame, f_executable),
	.frame_owner = offsetof(_PyInterpreterFrame, owner),
#elif PY_VERSION_HEX >= 0x030b0000
	/* tstate->cframe->current_frame */
	.tstate_frame = NONE,
	.tstate_cframe = offsetof(PyThreadState, cframe),
	.cframe_current_frame = offsetof(_PyCFrame, current_frame),
	.frame_previous = offsetof(_PyInterpreterFrame, previous),
	.frame_code = offsetof(_PyInterpreterFrame, f_code),
	.frame_owner = offsetof(_PyInterpreterFrame, owner),
#else
	/* tstate->frame, a PyFrameObject */
	.tstate_frame = offsetof(PyThreadState, frame),
	.tstate_cframe = NONE,
	.cframe_current_frame = NONE,
	.frame_previous = offsetof(PyFrameObject, f_back),
	.frame_code = offsetof(PyFrameObject, f_code),
	.frame_owner = NONE,
#endif
/* 3.12 added shim frames owned by the C stack (FRAME_OWNED_BY_CSTACK). */
#if PY_VERSION_HEX >= 0x030c0000
	.frame_owner_cstack = FRAME_OWNED_BY_CSTACK,
#else
	.frame_owner_cstack = NONE,
#endif
	.code_filename = offsetof(PyCodeObject, co_filename),
	.code_name = offsetof(PyCodeObject, co_name),
	.code_firstlineno = offsetof(PyCodeObject, co_firstlineno),
	.unicode_length = offsetof(PyASCIIObject, length),
	.unicode_state = offsetof(PyASCIIObject, state),
	.unicode_ascii_data = sizeof(PyASCIIObject),
	.unicode_compact_data = sizeof(PyCompactUnicodeObject),
};

#define FIELDS SECIMPORT_PY_OFFSETS_FIELDS


static void print_field(const char *name, __u32 value)
{
	if (value == NONE)
		printf("\t    .%s = SECIMPORT_PY_NONE,\n", name);
	else
		printf("\t    .%s = %u,\n", name, value);
}

int main(void)
{
	printf("\t{\n");
#define PRINT(f) print_field(#f, off.f);
	FIELDS(PRINT)
	printf("\t},\n");
	return 0;
}
