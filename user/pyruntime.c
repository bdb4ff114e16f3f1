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

#define PY_DEBUG_COOKIE "xdebugpy"
/* enum _frameowner in 3.13's pycore_frame.h; not in the debug offsets. */
#define PY313_FRAME_OWNED_BY_CSTACK 3
/* PyCompactUnicodeObject: PyASCIIObject, then utf8_length and utf8 pointer. */
#define PY313_COMPACT_EXTRA (sizeof(int64_t) + sizeof(uint64_t))
/* PyUnicodeObject: PyCompactUnicodeObject, then the data pointer. */
#define PY313_UNICODE_EXTRA sizeof(uint64_t)

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

int pyruntime_parse_debug_offsets(const void *buf, size_t len, int major, int minor,
				  struct secimport_py_offsets *off, char *err, size_t errlen)
{
	struct py313_debug_offsets d;
	unsigned int vmajor, vminor;
	int r = 0;

	if (major != 3 || minor != 13) {
		unsupported(major, minor, err, errlen);
		return -1;
	}
	if (len < sizeof(d)) {
		snprintf(err, errlen, "_Py_DebugOffsets: %zu bytes, need %zu", len, sizeof(d));
		return -1;
	}
	memcpy(&d, buf, sizeof(d));
	if (memcmp(d.cookie, PY_DEBUG_COOKIE, sizeof(d.cookie))) {
		snprintf(err, errlen,
			 "_PyRuntime does not start with the _Py_DebugOffsets cookie \"%s\": "
			 "not CPython 3.13 or later",
			 PY_DEBUG_COOKIE);
		return -1;
	}
	vmajor = (d.version >> 24) & 0xff;
	vminor = (d.version >> 16) & 0xff;
	if ((int)vmajor != major || (int)vminor != minor) {
		snprintf(err, errlen,
			 "_Py_DebugOffsets describes CPython %u.%u (version 0x%llx), not %d.%d",
			 vmajor, vminor, (unsigned long long)d.version, major, minor);
		return -1;
	}
	if (d.free_threaded) {
		snprintf(err, errlen,
			 "free-threaded CPython %d.%d builds are not supported by the "
			 "stack-walking engine",
			 major, minor);
		return -1;
	}
	/* Derived, not in the blob: check it against what the blob does say. */
	if (d.unicode_object.size !=
	    d.unicode_object.asciiobject_size + PY313_COMPACT_EXTRA + PY313_UNICODE_EXTRA) {
		snprintf(err, errlen,
			 "_Py_DebugOffsets: sizeof(PyUnicodeObject) %llu does not fit "
			 "sizeof(PyASCIIObject) %llu",
			 (unsigned long long)d.unicode_object.size,
			 (unsigned long long)d.unicode_object.asciiobject_size);
		return -1;
	}

	memset(off, 0, sizeof(*off));
	off->major = major;
	off->minor = minor;
	r |= narrow(d.runtime_state.interpreters_head, d.runtime_state.size, "interpreters_head",
		    &off->runtime_interpreters_head, err, errlen);
	/*
	 * interpreters.main is not in the blob: it follows .head in struct
	 * pyinterpreters (mutex, head, main, next_id), unchanged since 3.8.
	 */
	if (!r)
		r |= narrow(d.runtime_state.interpreters_head + 8, d.runtime_state.size,
			    "interpreters_main", &off->runtime_interpreters_main, err, errlen);
	r |= narrow(d.interpreter_state.next, d.interpreter_state.size, "interpreter next",
		    &off->interp_next, err, errlen);
	r |= narrow(d.interpreter_state.threads_head, d.interpreter_state.size, "threads_head",
		    &off->interp_threads_head, err, errlen);
	r |= narrow(d.thread_state.next, d.thread_state.size, "tstate next", &off->tstate_next, err,
		    errlen);
	r |= narrow(d.thread_state.native_thread_id, d.thread_state.size, "native_thread_id",
		    &off->tstate_native_thread_id, err, errlen);
	r |= narrow(d.thread_state.thread_id, d.thread_state.size, "thread_id",
		    &off->tstate_thread_id, err, errlen);
	r |= narrow(d.thread_state.current_frame, d.thread_state.size, "current_frame",
		    &off->tstate_frame, err, errlen);
	off->tstate_cframe = SECIMPORT_PY_NONE;
	off->cframe_current_frame = SECIMPORT_PY_NONE;
	r |= narrow(d.interpreter_frame.previous, d.interpreter_frame.size, "frame previous",
		    &off->frame_previous, err, errlen);
	r |= narrow(d.interpreter_frame.executable, d.interpreter_frame.size, "f_executable",
		    &off->frame_code, err, errlen);
	r |= narrow(d.interpreter_frame.owner, d.interpreter_frame.size, "frame owner",
		    &off->frame_owner, err, errlen);
	off->frame_owner_cstack = PY313_FRAME_OWNED_BY_CSTACK;
	r |= narrow(d.code_object.filename, d.code_object.size, "co_filename", &off->code_filename,
		    err, errlen);
	r |=
	    narrow(d.code_object.name, d.code_object.size, "co_name", &off->code_name, err, errlen);
	r |= narrow(d.code_object.firstlineno, d.code_object.size, "co_firstlineno",
		    &off->code_firstlineno, err, errlen);
	r |= narrow(d.unicode_object.length, d.unicode_object.size, "unicode length",
		    &off->unicode_length, err, errlen);
	r |= narrow(d.unicode_object.state, d.unicode_object.size, "unicode state",
		    &off->unicode_state, err, errlen);
	r |= narrow(d.unicode_object.asciiobject_size, d.unicode_object.size, "asciiobject_size",
		    &off->unicode_ascii_data, err, errlen);
	r |= narrow(d.unicode_object.asciiobject_size + PY313_COMPACT_EXTRA, d.unicode_object.size,
		    "compact size", &off->unicode_compact_data, err, errlen);
	return r ? -1 : 0;
}

/* A defined symbol @name from .dynsym, else .symtab (3.13 keeps
 * _PyRuntime_Initialize local, so only .symtab has it). */
static int find_symbol(Elf *elf, const char *name, GElf_Sym *out)
{
	static const Elf64_Word types[] = { SHT_DYNSYM, SHT_SYMTAB };

	for (size_t t = 0; t < ARRAY_SIZE(types); t++) {
		Elf_Scn *scn = NULL;

		while ((scn = elf_nextscn(elf, scn))) {
			GElf_Shdr shdr;
			Elf_Data *data;

			if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != types[t] ||
			    !shdr.sh_entsize)
				continue;
			data = elf_getdata(scn, NULL);
			if (!data)
				continue;
			for (size_t i = 0; i < shdr.sh_size / shdr.sh_entsize; i++) {
				GElf_Sym sym;
				const char *s;

				if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF ||
				    !sym.st_value)
					continue;
				s = elf_strptr(elf, shdr.sh_link, sym.st_name);
				if (s && !strcmp(s, name)) {
					*out = sym;
					return 0;
				}
			}
		}
	}
	return -1;
}

/* Copy @len bytes at ELF address @vaddr from the file: initialized data only. */
static int read_vaddr(Elf *elf, int fd, uint64_t vaddr, void *buf, size_t len)
{
	size_t phnum;

	if (elf_getphdrnum(elf, &phnum))
		return -1;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (vaddr < ph.p_vaddr || vaddr - ph.p_vaddr > ph.p_filesz ||
		    len > ph.p_filesz - (vaddr - ph.p_vaddr))
			continue;
		if (pread(fd, buf, len, (off_t)(ph.p_offset + (vaddr - ph.p_vaddr))) !=
		    (ssize_t)len)
			return -1;
		return 0;
	}
	return -1;
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

/* Py_Version (3.11+) is PY_VERSION_HEX: refuse a file of another version. */
static int check_py_version(Elf *elf, int fd, const char *path, int major, int minor, char *err,
			    size_t errlen)
{
	GElf_Sym sym;
	uint32_t hex;
	unsigned int vmajor, vminor;

	if (find_symbol(elf, "Py_Version", &sym) || sym.st_size < sizeof(hex))
		return 0; /* before 3.11: nothing to check against */
	/* An unsigned long; the file's byte order is the host's (checked). */
	if (sym.st_size == 8) {
		uint64_t v;

		if (read_vaddr(elf, fd, sym.st_value, &v, sizeof(v)))
			return 0;
		hex = (uint32_t)v;
	} else if (read_vaddr(elf, fd, sym.st_value, &hex, sizeof(hex))) {
		return 0;
	}
	vmajor = hex >> 24;
	vminor = (hex >> 16) & 0xff;
	if ((int)vmajor != major || (int)vminor != minor) {
		snprintf(err, errlen, "%s is CPython %u.%u (Py_Version 0x%x), not %d.%d", path,
			 vmajor, vminor, hex, major, minor);
		return -1;
	}
	return 0;
}

/* 3.13: _Py_DebugOffsets is initialized data at the start of _PyRuntime. */
static int read_debug_offsets(Elf *elf, int fd, const char *path, const GElf_Sym *runtime,
			      int major, int minor, struct secimport_py_offsets *off, char *err,
			      size_t errlen)
{
	struct py313_debug_offsets d;
	char msg[512];

	if (runtime->st_size && runtime->st_size < sizeof(d)) {
		snprintf(err, errlen, "%s: _PyRuntime is %llu bytes, too small for CPython %d.%d",
			 path, (unsigned long long)runtime->st_size, major, minor);
		return -1;
	}
	if (read_vaddr(elf, fd, runtime->st_value, &d, sizeof(d))) {
		snprintf(err, errlen,
			 "%s: cannot read _PyRuntime from the file (not initialized data?)", path);
		return -1;
	}
	if (!pyruntime_parse_debug_offsets(&d, sizeof(d), major, minor, off, msg, sizeof(msg)))
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
	if (find_symbol(elf, "_PyRuntime", &runtime)) {
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
	if (find_symbol(elf, "_PyRuntime_Initialize", &init) &&
	    find_symbol(elf, "Py_InitializeFromConfig", &init)) {
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
	if (!find_symbol(elf, minor <= 10 ? "PyCode_NewWithPosOnlyArgs" : "_PyCode_New", &ctor))
		out->code_new_vaddr = ctor.st_value;
	/* What makes a sub-interpreter (and, before 3.12, the main one too). */
	if (!find_symbol(
		elf, minor <= 11 ? "PyInterpreterState_New" : "Py_NewInterpreterFromConfig", &ctor))
		out->interp_new_vaddr = ctor.st_value;
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
	if (elf && !find_symbol(elf, name, &sym) && sym.st_value)
		ret = 0;
	if (elf)
		elf_end(elf);
	close(fd);
	return ret ? -1 : pyruntime_file_offset(path, sym.st_value, offset);
}
