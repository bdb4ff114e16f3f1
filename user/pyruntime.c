// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "py_offsets_table.h"
#include "pyelf.h"
#include "pyruntime.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * _Py_DebugOffsets of CPython 3.13 (Include/internal/pycore_runtime.h),
 * the first member of _PyRuntime. Only stable within 3.13.x: 3.14 inserts
 * fields in the middle (Include/internal/pycore_debug_offsets.h).
 */
struct py313_debug_offsets {
	char cookie[8];
	uint64_t version; /* PY_VERSION_HEX */
	uint64_t free_threaded;
	struct {
		uint64_t size, finalizing, interpreters_head;
	} runtime_state;
	struct {
		uint64_t size, id, next, threads_head, gc, imports_modules, sysdict, builtins,
		    ceval_gil, gil_runtime_state, gil_runtime_state_enabled,
		    gil_runtime_state_locked, gil_runtime_state_holder;
	} interpreter_state;
	struct {
		uint64_t size, prev, next, interp, current_frame, thread_id, native_thread_id,
		    datastack_chunk, status;
	} thread_state;
	struct {
		uint64_t size, previous, executable, instr_ptr, localsplus, owner;
	} interpreter_frame;
	struct {
		uint64_t size, filename, name, qualname, linetable, firstlineno, argcount,
		    localsplusnames, localspluskinds, co_code_adaptive;
	} code_object;
	struct {
		uint64_t size, ob_type;
	} pyobject;
	struct {
		uint64_t size, tp_name, tp_repr, tp_flags;
	} type_object;
	struct {
		uint64_t size, ob_item, ob_size;
	} tuple_object, list_object, dict_object;
	struct {
		uint64_t size, ob_fval;
	} float_object;
	struct {
		uint64_t size, lv_tag, ob_digit;
	} long_object;
	struct {
		uint64_t size, ob_size, ob_sval;
	} bytes_object;
	struct {
		uint64_t size, state, length, asciiobject_size;
	} unicode_object;
	struct {
		uint64_t size, collecting;
	} gc;
};
_Static_assert(sizeof(struct py313_debug_offsets) == 584, "3.13 _Py_DebugOffsets is 584 bytes");
_Static_assert(sizeof(struct py313_debug_offsets) <= 1024, "read_debug_offsets() reads 1024");

#define PY_DEBUG_COOKIE "xdebugpy"
/* PyCompactUnicodeObject: PyASCIIObject, then utf8_length and utf8 pointer. */
#define PY_COMPACT_EXTRA (sizeof(int64_t) + sizeof(uint64_t))
/* PyUnicodeObject: PyCompactUnicodeObject, then the data pointer. */
#define PY_UNICODE_EXTRA sizeof(uint64_t)

#define D13(f) offsetof(struct py313_debug_offsets, f)

/*
 * Where the fields the walker needs sit in each version's _Py_DebugOffsets
 * (each a u64), and what the blob does not say. 3.14 and 3.15 from their
 * Include/internal/pycore_debug_offsets.h, checked against Debian's
 * 3.14.10 and 3.15.2 binaries; both insert fields in the middle.
 */
struct debug_layout {
	int minor;
	size_t size; /* sizeof(_Py_DebugOffsets) */
	size_t runtime_size, interpreters_head;
	size_t interp_size, interp_next, threads_head;
	size_t tstate_size, tstate_next, current_frame, thread_id, native_thread_id;
	size_t frame_size, frame_previous, frame_executable, frame_owner;
	size_t code_size, code_filename, code_name, code_firstlineno;
	size_t unicode_size, unicode_state, unicode_length, unicode_ascii_size;
	/* 3.14+: PyBytesObject's ob_size, ob_sval (the marshal probes read them) */
	size_t bytes_ob_size, bytes_ob_sval;
	/*
	 * The first frame owner value of frames with no code of their own,
	 * skipped with every owner above it (CPython's _PyFrame_IsIncomplete):
	 * 3.13's FRAME_OWNED_BY_CSTACK; from 3.14, FRAME_OWNED_BY_INTERPRETER
	 * (entry frames, and 3.15's base frame that ends every chain).
	 */
	__u32 owner_skip;
	/* Low bits of f_executable that are _PyStackRef tags (3.14+). */
	__u32 code_tag_bits;
};

static const struct debug_layout debug_layouts[] = {
	{
	    .minor = 13,
	    .size = sizeof(struct py313_debug_offsets),
	    .runtime_size = D13(runtime_state.size),
	    .interpreters_head = D13(runtime_state.interpreters_head),
	    .interp_size = D13(interpreter_state.size),
	    .interp_next = D13(interpreter_state.next),
	    .threads_head = D13(interpreter_state.threads_head),
	    .tstate_size = D13(thread_state.size),
	    .tstate_next = D13(thread_state.next),
	    .current_frame = D13(thread_state.current_frame),
	    .thread_id = D13(thread_state.thread_id),
	    .native_thread_id = D13(thread_state.native_thread_id),
	    .frame_size = D13(interpreter_frame.size),
	    .frame_previous = D13(interpreter_frame.previous),
	    .frame_executable = D13(interpreter_frame.executable),
	    .frame_owner = D13(interpreter_frame.owner),
	    .code_size = D13(code_object.size),
	    .code_filename = D13(code_object.filename),
	    .code_name = D13(code_object.name),
	    .code_firstlineno = D13(code_object.firstlineno),
	    .unicode_size = D13(unicode_object.size),
	    .unicode_state = D13(unicode_object.state),
	    .unicode_length = D13(unicode_object.length),
	    .unicode_ascii_size = D13(unicode_object.asciiobject_size),
	    .owner_skip = 3,
	    .code_tag_bits = 0,
	},
	{
	    .minor = 14,
	    .size = 760,
	    .runtime_size = 24,
	    .interpreters_head = 40,
	    .interp_size = 48,
	    .interp_next = 64,
	    .threads_head = 72,
	    .tstate_size = 176,
	    .tstate_next = 192,
	    .current_frame = 208,
	    .thread_id = 216,
	    .native_thread_id = 224,
	    .frame_size = 248,
	    .frame_previous = 256,
	    .frame_executable = 264,
	    .frame_owner = 288,
	    .code_size = 312,
	    .code_filename = 320,
	    .code_name = 328,
	    .code_firstlineno = 352,
	    .unicode_size = 616,
	    .unicode_state = 624,
	    .unicode_length = 632,
	    .unicode_ascii_size = 640,
	    .bytes_ob_size = 600,
	    .bytes_ob_sval = 608,
	    .owner_skip = 3,
	    .code_tag_bits = 3,
	},
	{
	    .minor = 15,
	    .size = 888,
	    .runtime_size = 24,
	    .interpreters_head = 40,
	    .interp_size = 48,
	    .interp_next = 64,
	    .threads_head = 72,
	    .tstate_size = 176,
	    .tstate_next = 192,
	    .current_frame = 208,
	    .thread_id = 240,
	    .native_thread_id = 248,
	    .frame_size = 312,
	    .frame_previous = 320,
	    .frame_executable = 328,
	    .frame_owner = 352,
	    .code_size = 376,
	    .code_filename = 384,
	    .code_name = 392,
	    .code_firstlineno = 416,
	    .unicode_size = 712,
	    .unicode_state = 720,
	    .unicode_length = 728,
	    .unicode_ascii_size = 736,
	    .bytes_ob_size = 696,
	    .bytes_ob_sval = 704,
	    .owner_skip = 3,
	    .code_tag_bits = 3,
	},
};

static void unsupported(int major, int minor, char *err, size_t errlen)
{
	snprintf(
	    err, errlen,
	    "CPython %d.%d is not supported by the stack-walking engine (supported: 3.%d to 3.%d)",
	    major, minor, PYRUNTIME_MIN_MINOR, PYRUNTIME_MAX_MINOR);
}

static const struct secimport_py_offsets *table_entry(int major, int minor)
{
	for (size_t i = 0; i < ARRAY_SIZE(py_offsets_table); i++) {
		const struct secimport_py_offsets *o = &py_offsets_table[i];

		if ((int)o->major == major && (int)o->minor == minor)
			return o;
	}
	return NULL;
}

/* An offset must lie inside its structure (@size, from the blob too) and
 * fit the walker's u32: otherwise the blob was misread. */
static int narrow(uint64_t v, uint64_t size, const char *name, __u32 *out, char *err, size_t errlen)
{
	if (v >= size || v >= SECIMPORT_PY_NONE) {
		snprintf(err, errlen,
			 "_Py_DebugOffsets: implausible %s offset %llu (structure of %llu bytes)",
			 name, (unsigned long long)v, (unsigned long long)size);
		return -1;
	}
	*out = (__u32)v;
	return 0;
}

static uint64_t blob_u64(const unsigned char *blob, size_t pos)
{
	uint64_t v;

	memcpy(&v, blob + pos, sizeof(v));
	return v;
}

static const struct debug_layout *debug_layout(int minor)
{
	for (size_t i = 0; i < ARRAY_SIZE(debug_layouts); i++)
		if (debug_layouts[i].minor == minor)
			return &debug_layouts[i];
	return NULL;
}

int pyruntime_parse_debug_offsets(const void *buf, size_t len, int major, int minor,
				  struct secimport_py_offsets *off, char *err, size_t errlen)
{
	const struct debug_layout *l = major == 3 ? debug_layout(minor) : NULL;
	const unsigned char *d = buf;
	unsigned int vmajor, vminor;
	uint64_t version, usize, asize;
	int r = 0;

	if (!l) {
		unsupported(major, minor, err, errlen);
		return -1;
	}
	if (len < l->size) {
		snprintf(err, errlen, "_Py_DebugOffsets: %zu bytes, need %zu", len, l->size);
		return -1;
	}
	if (memcmp(d, PY_DEBUG_COOKIE, strlen(PY_DEBUG_COOKIE))) {
		snprintf(err, errlen,
			 "_PyRuntime does not start with the _Py_DebugOffsets cookie \"%s\": "
			 "not CPython 3.13 or later",
			 PY_DEBUG_COOKIE);
		return -1;
	}
	version = blob_u64(d, 8);
	vmajor = (version >> 24) & 0xff;
	vminor = (version >> 16) & 0xff;
	if ((int)vmajor != major || (int)vminor != minor) {
		snprintf(err, errlen,
			 "_Py_DebugOffsets describes CPython %u.%u (version 0x%llx), not %d.%d",
			 vmajor, vminor, (unsigned long long)version, major, minor);
		return -1;
	}
	if (blob_u64(d, 16)) {
		snprintf(err, errlen,
			 "free-threaded CPython %d.%d builds are not supported by the "
			 "stack-walking engine",
			 major, minor);
		return -1;
	}
	if (l->bytes_ob_sval && (blob_u64(d, l->bytes_ob_size) != SECIMPORT_PY_BYTES_OB_SIZE ||
				 blob_u64(d, l->bytes_ob_sval) != SECIMPORT_PY_BYTES_OB_SVAL)) {
		snprintf(err, errlen,
			 "_Py_DebugOffsets: PyBytesObject keeps ob_size at %llu and ob_sval at "
			 "%llu, not %d and %d: the stack walker does not know this layout",
			 (unsigned long long)blob_u64(d, l->bytes_ob_size),
			 (unsigned long long)blob_u64(d, l->bytes_ob_sval),
			 SECIMPORT_PY_BYTES_OB_SIZE, SECIMPORT_PY_BYTES_OB_SVAL);
		return -1;
	}
	/* Derived, not in the blob: check it against what the blob does say. */
	usize = blob_u64(d, l->unicode_size);
	asize = blob_u64(d, l->unicode_ascii_size);
	if (usize != asize + PY_COMPACT_EXTRA + PY_UNICODE_EXTRA) {
		snprintf(err, errlen,
			 "_Py_DebugOffsets: sizeof(PyUnicodeObject) %llu does not fit "
			 "sizeof(PyASCIIObject) %llu",
			 (unsigned long long)usize, (unsigned long long)asize);
		return -1;
	}

#define FIELD(pos, size_pos, name, out) \
	(r |= narrow(blob_u64(d, l->pos), blob_u64(d, l->size_pos), name, &off->out, err, errlen))
	memset(off, 0, sizeof(*off));
	off->major = major;
	off->minor = minor;
	FIELD(interpreters_head, runtime_size, "interpreters_head", runtime_interpreters_head);
	/*
	 * interpreters.main is not in the blob: it follows .head in struct
	 * pyinterpreters (mutex, head, main, next_id), unchanged since 3.8.
	 */
	if (!r)
		r |= narrow(off->runtime_interpreters_head + 8, blob_u64(d, l->runtime_size),
			    "interpreters_main", &off->runtime_interpreters_main, err, errlen);
	FIELD(interp_next, interp_size, "interpreter next", interp_next);
	FIELD(threads_head, interp_size, "threads_head", interp_threads_head);
	FIELD(tstate_next, tstate_size, "tstate next", tstate_next);
	FIELD(native_thread_id, tstate_size, "native_thread_id", tstate_native_thread_id);
	FIELD(thread_id, tstate_size, "thread_id", tstate_thread_id);
	FIELD(current_frame, tstate_size, "current_frame", tstate_frame);
	off->tstate_cframe = SECIMPORT_PY_NONE;
	off->cframe_current_frame = SECIMPORT_PY_NONE;
	FIELD(frame_previous, frame_size, "frame previous", frame_previous);
	FIELD(frame_executable, frame_size, "f_executable", frame_code);
	FIELD(frame_owner, frame_size, "frame owner", frame_owner);
	off->frame_owner_cstack = l->owner_skip;
	off->frame_code_tag_bits = l->code_tag_bits;
	FIELD(code_filename, code_size, "co_filename", code_filename);
	FIELD(code_name, code_size, "co_name", code_name);
	FIELD(code_firstlineno, code_size, "co_firstlineno", code_firstlineno);
	FIELD(unicode_length, unicode_size, "unicode length", unicode_length);
	FIELD(unicode_state, unicode_size, "unicode state", unicode_state);
	FIELD(unicode_ascii_size, unicode_size, "asciiobject_size", unicode_ascii_data);
#undef FIELD
	if (!r)
		r |= narrow(asize + PY_COMPACT_EXTRA, usize, "compact size",
			    &off->unicode_compact_data, err, errlen);
	return r ? -1 : 0;
}

/* The libpython an executable links to, for a hint when it has no _PyRuntime. */
static const char *needed_libpython(Elf *elf)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_DYNAMIC || !shdr.sh_entsize)
			continue;
		data = elf_getdata(scn, NULL);
		for (size_t i = 0; data && i < shdr.sh_size / shdr.sh_entsize; i++) {
			GElf_Dyn dyn;
			const char *s;

			if (!gelf_getdyn(data, (int)i, &dyn) || dyn.d_tag != DT_NEEDED)
				continue;
			s = elf_strptr(elf, shdr.sh_link, dyn.d_un.d_val);
			if (s && !strncmp(s, "libpython", 9))
				return s;
		}
	}
	return NULL;
}

static bool host_byte_order(const unsigned char *ident)
{
	const uint16_t one = 1;
	bool little = *(const unsigned char *)&one == 1;

	return ident[EI_DATA] == (little ? ELFDATA2LSB : ELFDATA2MSB);
}

/* Py_Version (3.11+): PY_VERSION_HEX in the file; -1 when it has none. */
static int read_py_version(Elf *elf, int fd, uint32_t *hex)
{
	GElf_Sym sym;

	if (pyelf_symbol(elf, "Py_Version", &sym) || sym.st_size < sizeof(*hex))
		return -1;
	/* An unsigned long; the file's byte order is the host's (checked). */
	if (sym.st_size == 8) {
		uint64_t v;

		if (pyelf_read_vaddr(elf, fd, sym.st_value, &v, sizeof(v)))
			return -1;
		*hex = (uint32_t)v;
		return 0;
	}
	return pyelf_read_vaddr(elf, fd, sym.st_value, hex, sizeof(*hex));
}

/* Py_Version (3.11+) is PY_VERSION_HEX: refuse a file of another version. */
static int check_py_version(Elf *elf, int fd, const char *path, int major, int minor, char *err,
			    size_t errlen)
{
	unsigned int vmajor, vminor;
	uint32_t hex;

	if (read_py_version(elf, fd, &hex))
		return 0; /* before 3.11: nothing to check against */
	vmajor = hex >> 24;
	vminor = (hex >> 16) & 0xff;
	if ((int)vmajor != major || (int)vminor != minor) {
		snprintf(err, errlen, "%s is CPython %u.%u (Py_Version 0x%x), not %d.%d", path,
			 vmajor, vminor, hex, major, minor);
		return -1;
	}
	return 0;
}

int pyruntime_version(const char *elf_path, int *major, int *minor)
{
	uint32_t hex;
	int fd, r = -1;
	Elf *elf;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -1;
	fd = open(elf_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (elf && elf_kind(elf) == ELF_K_ELF && !read_py_version(elf, fd, &hex)) {
		*major = (int)(hex >> 24);
		*minor = (int)((hex >> 16) & 0xff);
		r = 0;
	}
	if (elf)
		elf_end(elf);
	close(fd);
	return r;
}

/* 3.13: _Py_DebugOffsets is initialized data at the start of _PyRuntime. */
static int read_debug_offsets(Elf *elf, int fd, const char *path, const GElf_Sym *runtime,
			      int major, int minor, struct secimport_py_offsets *off, char *err,
			      size_t errlen)
{
	const struct debug_layout *l = debug_layout(minor);
	unsigned char d[1024];
	char msg[512];

	if (!l) {
		unsupported(major, minor, err, errlen);
		return -1;
	}
	if (runtime->st_size && runtime->st_size < l->size) {
		snprintf(err, errlen, "%s: _PyRuntime is %llu bytes, too small for CPython %d.%d",
			 path, (unsigned long long)runtime->st_size, major, minor);
		return -1;
	}
	if (pyelf_read_vaddr(elf, fd, runtime->st_value, d, l->size)) {
		snprintf(err, errlen,
			 "%s: cannot read _PyRuntime from the file (not initialized data?)", path);
		return -1;
	}
	if (!pyruntime_parse_debug_offsets(d, l->size, major, minor, off, msg, sizeof(msg)))
		return 0;
	/* Say which file: the parser does not know it. */
	snprintf(err, errlen, "%s: %s", path, msg);
	return -1;
}

static int read_elf(Elf *elf, int fd, const char *path, int major, int minor,
		    struct secimport_interp *out, char *err, size_t errlen)
{
	const struct secimport_py_offsets *table;
	GElf_Ehdr ehdr;
	GElf_Sym runtime, init, ctor;
	const char *lib;

	if (!gelf_getehdr(elf, &ehdr) || elf_kind(elf) != ELF_K_ELF) {
		snprintf(err, errlen, "'%s' is not an ELF file", path);
		return -1;
	}
	/* The tables are for LP64 targets of the host's byte order. */
	if (ehdr.e_ident[EI_CLASS] != ELFCLASS64 || !host_byte_order(ehdr.e_ident)) {
		snprintf(err, errlen, "'%s' is not a 64-bit ELF file of this machine's byte order",
			 path);
		return -1;
	}
	if (pyelf_symbol(elf, "_PyRuntime", &runtime)) {
		lib = needed_libpython(elf);
		if (lib)
			snprintf(err, errlen,
				 "no _PyRuntime symbol in %s: it loads %s, read that instead", path,
				 lib);
		else
			snprintf(
			    err, errlen,
			    "no _PyRuntime symbol in %s: is it a CPython interpreter or libpython?",
			    path);
		return -1;
	}
	/*
	 * Where to catch a process before its first Python code. 3.13 made
	 * _PyRuntime_Initialize local (stripped builds lack it); the exported
	 * Py_InitializeFromConfig also runs before any Python code when python
	 * starts a program.
	 */
	if (pyelf_symbol(elf, "_PyRuntime_Initialize", &init) &&
	    pyelf_symbol(elf, "Py_InitializeFromConfig", &init)) {
		snprintf(err, errlen,
			 "neither _PyRuntime_Initialize nor Py_InitializeFromConfig is in %s: is "
			 "it a CPython interpreter or libpython?",
			 path);
		return -1;
	}
	if (check_py_version(elf, fd, path, major, minor, err, errlen))
		return -1;

	out->runtime_vaddr = runtime.st_value;
	out->init_vaddr = init.st_value;
	/*
	 * Every code object is made by one constructor: marshal, the compiler,
	 * CodeType() and code.replace() all call it. 3.13 made _PyCode_New
	 * local (only .symtab has it); without it there is no code identity.
	 */
	if (!pyelf_symbol(elf, minor <= 10 ? "PyCode_NewWithPosOnlyArgs" : "_PyCode_New", &ctor)) {
		out->code_new_vaddr = ctor.st_value;
	} else if (minor >= 13) {
		/*
		 * Stripped distribution builds: found from what they export,
		 * else left 0 (the stack walker refuses the build, saying so).
		 */
		char why[256];
		uint64_t at;

		if (!pyelf_code_ctor(elf, fd, &at, why, sizeof(why)))
			out->code_new_vaddr = at;
		else if (getenv("SECIMPORT_DEBUG_PYELF"))
			fprintf(stderr, "secimport-bpf: %s: code object constructor: %s\n", path,
				why);
	}
	/* What makes a sub-interpreter (and, before 3.12, the main one too). */
	if (!pyelf_symbol(
		elf, minor <= 11 ? "PyInterpreterState_New" : "Py_NewInterpreterFromConfig", &ctor))
		out->interp_new_vaddr = ctor.st_value;
	/*
	 * 3.14+ shares code between interpreters by marshalling it: both ends
	 * are probed, so the copy keeps the original's identity (public API,
	 * so always exported).
	 */
	if (minor >= 14 && !pyelf_symbol(elf, "PyMarshal_WriteObjectToString", &ctor)) {
		out->marshal_dump_vaddr = ctor.st_value;
		if (!pyelf_symbol(elf, "PyMarshal_ReadObjectFromString", &ctor))
			out->marshal_load_vaddr = ctor.st_value;
	}
	if (minor < 13) {
		table = table_entry(major, minor);
		if (!table) {
			unsupported(major, minor, err, errlen);
			return -1;
		}
		out->off = *table;
	} else if (read_debug_offsets(elf, fd, path, &runtime, major, minor, &out->off, err,
				      errlen)) {
		return -1;
	}
	/* The walker reads interpreters.head and .main in one 16-byte read. */
	if (out->off.runtime_interpreters_main != out->off.runtime_interpreters_head + 8) {
		snprintf(err, errlen,
			 "%s: CPython %d.%d keeps interpreters.main at %u, not right after "
			 "interpreters.head (%u): the stack walker does not know this layout",
			 path, major, minor, out->off.runtime_interpreters_main,
			 out->off.runtime_interpreters_head);
		return -1;
	}
	return 0;
}

int pyruntime_read(const char *elf_path, int major, int minor, struct secimport_interp *out,
		   char *err, size_t errlen)
{
	Elf *elf;
	int fd, r;

	memset(out, 0, sizeof(*out));
	/* Refuse an unknown version before touching the file. */
	if (major != 3 || minor < PYRUNTIME_MIN_MINOR || minor > PYRUNTIME_MAX_MINOR ||
	    (minor < 13 && !table_entry(major, minor))) {
		unsupported(major, minor, err, errlen);
		return -1;
	}
	if (elf_version(EV_CURRENT) == EV_NONE) {
		snprintf(err, errlen, "libelf: %s", elf_errmsg(-1));
		return -1;
	}
	fd = open(elf_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open '%s': %s", elf_path, strerror(errno));
		return -1;
	}
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf) {
		snprintf(err, errlen, "'%s' is not a readable ELF file: %s", elf_path,
			 elf_errmsg(-1));
		close(fd);
		return -1;
	}
	r = read_elf(elf, fd, elf_path, major, minor, out, err, errlen);
	if (r)
		memset(out, 0, sizeof(*out));
	elf_end(elf);
	close(fd);
	return r;
}

/* libpython3.11.so.1.0, libpython3.13t.so, libpython3.so is the stable-ABI stub. */
static bool is_libpython(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	if (strncmp(base, "libpython3.", 11))
		return false;
	base += 11;
	if (*base < '0' || *base > '9')
		return false;
	return strstr(base, ".so") != NULL;
}

int pyruntime_find_libpython(pid_t pid, char *path, size_t len)
{
	char maps[128], *line = NULL;
	int error = ENOENT;
	size_t cap = 0;
	FILE *f;

	snprintf(maps, sizeof(maps), "/proc/%d/maps", (int)pid);
	f = fopen(maps, "re");
	if (!f)
		return -1;
	while (error == ENOENT && getline(&line, &cap, f) > 0) {
		char *p = line;
		size_t n;

		line[strcspn(line, "\n")] = '\0';
		/* address perms offset dev inode, then the path */
		for (int field = 0; field < 5 && p; field++) {
			p = strchr(p, ' ');
			if (p)
				p += strspn(p, " ");
		}
		if (!p || *p != '/' || !is_libpython(p))
			continue;
		/* Replaced on disk since it was mapped: read the mapped file. */
		n = strlen(p);
		if (n > 10 && !strcmp(p + n - 10, " (deleted)")) {
			snprintf(maps, sizeof(maps), "/proc/%d/map_files/%.*s", (int)pid,
				 (int)strcspn(line, " "), line);
			p = maps;
			n = strlen(p);
		}
		if (n >= len) {
			error = ENAMETOOLONG;
			break;
		}
		memcpy(path, p, n + 1);
		error = 0;
	}
	free(line);
	fclose(f);
	errno = error;
	return error ? -1 : 0;
}

int pyruntime_file_offset(const char *path, __u64 vaddr, __u64 *offset)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = -1;
	Elf *elf;
	size_t n;

	if (fd < 0)
		return -1;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (elf && !elf_getphdrnum(elf, &n)) {
		for (size_t i = 0; i < n; i++) {
			GElf_Phdr ph;

			if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD ||
			    vaddr < ph.p_vaddr || vaddr >= ph.p_vaddr + ph.p_filesz)
				continue;
			*offset = vaddr - ph.p_vaddr + ph.p_offset;
			ret = 0;
			break;
		}
	}
	if (elf)
		elf_end(elf);
	close(fd);
	return ret;
}

int pyruntime_symbol_offset(const char *path, const char *name, __u64 *offset)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = -1;
	GElf_Sym sym;
	Elf *elf;

	if (fd < 0)
		return -1;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (elf && !pyelf_symbol(elf, name, &sym) && sym.st_value)
		ret = 0;
	if (elf)
		elf_end(elf);
	close(fd);
	return ret ? -1 : pyruntime_file_offset(path, sym.st_value, offset);
}
