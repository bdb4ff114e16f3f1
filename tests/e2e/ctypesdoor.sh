# ctypes (issue #21, door 1; sourced by run.sh): raw memory from a confined
# module is a violation unless its policy says allow_ctypes: true. Importing
# ctypes, or using its types and buffers, is not.
# shellcheck shell=bash
# shellcheck disable=SC2034 # RC, CTYPES_TESTS: read by run.sh

# The probes are the stack walker's build probes (and the USDT engine's
# where it reads frames): the USDT engine on builds without them has none.
ctypes_case() {
	fresh ctypes_door
	confine policy.yaml -- "$M" "$1"
	expect_rc 137
	expect_file main_ran "the application's own os.system must work"
	expect_no_file "escaped_$1" "the plugin's ctypes operation ran: it got out ($1)"
	expect_err "kill .* module=plugin syscall=<ctypes> "
}

t_ctypes_memmove() { ctypes_case memmove; }
t_ctypes_from_address() { ctypes_case from_address; }
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
	[ctypes_from_address]="ctypes from_address (audit event ctypes.cdata) is killed"
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
