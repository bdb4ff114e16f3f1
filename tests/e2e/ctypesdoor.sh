# ctypes (issue #21, door 1; sourced by run.sh): raw memory from a confined
# module is a violation unless its policy says allow_ctypes: true. Importing
# ctypes, or using its types and buffers, is not.
# shellcheck shell=bash
# shellcheck disable=SC2034 # RC, CTYPES_TESTS: read by run.sh

# The probes are the stack walker's build probes (and the USDT engine's
# where it reads frames): the USDT engine on builds without them has none.
CTYPES_WALKER_ONLY="the ctypes probe judges on the stack walker's walk; the USDT engine does not judge it"
ctypes_case() {
	walker_only "$CTYPES_WALKER_ONLY" || return
	fresh ctypes_door
	confine policy.yaml -- "$M" "$1"
	expect_rc 137
	expect_file main_ran "the application's own os.system must work"
	expect_no_file "escaped_$1" "the plugin's ctypes operation ran: it got out ($1)"
	expect_err "kill .* module=plugin syscall=<ctypes> "
}

t_ctypes_memmove() { ctypes_case memmove; }
# Raw addresses without a foreign call raise audit events only, through
# PySys_Audit, which every audited call of every process of the build (open,
# os.*, import) goes through too: a probe there would cost them all.
AUDIT_ONLY="no foreign call; its audit event is not probed (PySys_Audit would cost every process)"
t_ctypes_from_address() {
	known_escape "$AUDIT_ONLY"
	ctypes_case from_address
}
t_ctypes_string_at() { ctypes_case string_at; }
t_ctypes_cdll() { ctypes_case cdll; }
t_ctypes_app_imported() { ctypes_case app_imported; }
t_ctypes_thread() { ctypes_case thread; }

t_ctypes_pointer_oob() {
	known_escape "ctypes objects reach raw memory without a foreign call or an audit event"
	ctypes_case pointer_oob
}

t_ctypes_buffer_pointer() {
	known_escape "ctypes objects reach raw memory without a foreign call or an audit event"
	ctypes_case buffer_pointer
}

# No false kills.
t_ctypes_import_only() {
	fresh ctypes_door
	confine policy.yaml -- "$M" import_only
	expect_rc 0
	expect_file import_only_ran "importing ctypes and using its types is not a violation"
	expect_no_violation
}

t_ctypes_allowed() {
	fresh ctypes_door
	confine policy.yaml -- "$M" allowed
	expect_rc 0
	expect_file ctypes_used "allow_ctypes: true allows foreign calls and raw addresses"
	expect_no_violation
}

t_ctypes_numpy() {
	if ! "$PY" -c 'import numpy; numpy.arange' 2>/dev/null; then
		skip "$PY has no numpy (python3-numpy is Debian's 3.11's)"
		return
	fi
	fresh ctypes_door
	confine policy.yaml -- "$M" numpy
	expect_rc 0
	expect_file numpy_ran "a confined numpy with default settings imports and computes"
	expect_no_violation
}

CTYPES_TESTS="ctypes_memmove ctypes_from_address ctypes_string_at ctypes_cdll ctypes_app_imported
ctypes_thread ctypes_pointer_oob ctypes_buffer_pointer ctypes_import_only ctypes_allowed ctypes_numpy"

DESC+=(
	[ctypes_memmove]="ctypes.memmove to a raw address by a confined module is killed"
	[ctypes_from_address]="ctypes from_address by a confined module is killed"
	[ctypes_string_at]="ctypes.string_at (a foreign call) is killed"
	[ctypes_cdll]="a C library function called through ctypes.CDLL is killed"
	[ctypes_app_imported]="ctypes the application imported, used by the module, is killed"
	[ctypes_thread]="a thread the module starts with target=ctypes.memmove is killed"
	[ctypes_pointer_oob]="a ctypes pointer indexed out of bounds by a confined module is killed"
	[ctypes_buffer_pointer]="a ctypes pointer field forged through the buffer protocol is killed"
	[ctypes_import_only]="importing ctypes, its types and buffers: no violation"
	[ctypes_allowed]="allow_ctypes: true: foreign calls and raw addresses run"
	[ctypes_numpy]="a confined numpy (it imports ctypes) imports and computes"
)

# --- red team ---

# A confined module other than plugin, killed at <ctypes> before SCENARIO's
# operation ran: ctypes_case_of MODULE SCENARIO.
ctypes_case_of() {
	walker_only "$CTYPES_WALKER_ONLY" || return
	fresh ctypes_door
	confine policy.yaml -- "$M" "$2"
	expect_rc 137
	expect_file main_ran "the application's own os.system must work"
	expect_no_file "escaped_$2" "the module's raw memory access ran: it got out ($2)"
	expect_err "kill .* module=$1 syscall=<ctypes> "
}

# _ctypes.PyObj_FromPtr makes no foreign call: a forged bytearray over all
# of memory.
t_ctypes_pyobj_fromptr() {
	known_escape "$AUDIT_ONLY"
	ctypes_case pyobj_fromptr
}

# The same forged bytearray read from a Union's py_object field (O_get):
# ctypes objects alone, like a pointer indexed out of bounds.
t_ctypes_union_pyobject() {
	known_escape "ctypes objects reach raw memory without a foreign call or an audit event"
	ctypes_case union_pyobject
}

# c_char_p(int).value reads the string at any address (z_set, z_get).
t_ctypes_charp_read() {
	known_escape "ctypes objects reach raw memory without a foreign call or an audit event"
	ctypes_case charp_read
}

# The module copies libffi (a new inode: the uprobe is on the system file's),
# loads the copy with ExtensionFileLoader (the failed PyInit lookup leaves it
# mapped), then imports ctypes: _ctypes binds ffi_call to the copy by soname.
# Fixable: probe ffi_call in every libffi the process maps (or judge where
# _ctypes calls it, in the interpreter), or refuse a confined module's load
# of a shared object it wrote.
t_ctypes_libffi_copy() {
	known_escape "a module's own copy of libffi (or any shared object it loads) is native code: not probed"
	ctypes_case_of ffiplugin libffi_copy
}

# cffi's backend (Debian's python3-cffi-backend, no cffi needed): cast()
# makes a char * of any address; no foreign call, no audit event. Fixable:
# judge _cffi_backend's cast/from_buffer entry points (through its method
# table) as <ctypes>, or its import by a confined module.
t_ctypes_cffi_cast() {
	if ! "$PY" -c 'import _cffi_backend' 2>/dev/null; then
		skip "$PY has no _cffi_backend"
		return
	fi
	known_escape "C extensions other than _ctypes (cffi's backend) reach raw memory unprobed"
	ctypes_case cffi_cast
}

# numpy (confined with the defaults) makes an array at any address from an
# __array_interface__ dict: raw memory with no ctypes at all. Fixable: judge
# numpy's PyArray_FromInterface (C-API table slot) with a foreign data
# pointer as <ctypes>.
t_ctypes_np_array_interface() {
	if ! "$PY" -c 'import numpy; numpy.asarray' 2>/dev/null; then
		skip "$PY has no numpy (python3-numpy is Debian's 3.11's)"
		return
	fi
	known_escape "C extensions other than _ctypes (numpy's __array_interface__) reach raw memory unprobed"
	ctypes_case_of npattack np_array_interface
}

# False kills: benign code, default policy.
ctypes_benign() {
	fresh ctypes_door
	confine policy.yaml -- "$M" "b_$1"
	expect_rc 0
	expect_file "$1_ran" "$2"
	expect_no_violation
}

# from_buffer over the module's own buffer: no foreign call, no violation.
t_ctypes_from_buffer() {
	ctypes_benign from_buffer "a Structure over the module's own bytearray is not raw memory"
}

# sharedctypes memsets its own shared memory through ctypes (a foreign
# call), and PyGObject calls C through libffi: both need allow_ctypes: true
# (POLICY.md), with which they run (benignffi).
ctypes_benign_ffi() {
	fresh ctypes_door
	confine policy.yaml -- "$M" "f_$1"
	expect_rc 0
	expect_file "$1_ran" "$2"
	expect_no_violation
}

t_ctypes_mp_value() {
	ctypes_benign_ffi mp_value "multiprocessing.Value runs in a module allowed ctypes"
}

t_ctypes_gi_glib() {
	if ! "$PY" -c 'import gi; gi.require_version("GLib", "2.0")' 2>/dev/null; then
		skip "$PY has no PyGObject"
		return
	fi
	ctypes_benign_ffi gi_glib "PyGObject runs in a module allowed ctypes"
}

CTYPES_TESTS="$CTYPES_TESTS ctypes_pyobj_fromptr ctypes_union_pyobject ctypes_charp_read
ctypes_libffi_copy ctypes_cffi_cast ctypes_np_array_interface ctypes_from_buffer ctypes_mp_value
ctypes_gi_glib"

DESC+=(
	[ctypes_pyobj_fromptr]="_ctypes.PyObj_FromPtr on a forged object by a confined module is killed"
	[ctypes_union_pyobject]="a py_object read from a forged Union field by a confined module is killed"
	[ctypes_charp_read]="c_char_p(address).value by a confined module is killed"
	[ctypes_libffi_copy]="ctypes bound to the module's own copy of libffi is killed"
	[ctypes_cffi_cast]="_cffi_backend.cast to a raw address by a confined module is killed"
	[ctypes_np_array_interface]="a numpy array over a raw address by a confined module is killed"
	[ctypes_from_buffer]="ctypes from_buffer over the module's own bytearray: no violation"
	[ctypes_mp_value]="multiprocessing.Value in a module with allow_ctypes: no violation"
	[ctypes_gi_glib]="PyGObject (GLib through libffi) in a module with allow_ctypes: no violation"
)
