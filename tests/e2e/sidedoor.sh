# Side doors (issue #21, sourced by run.sh): a confined module that never
# makes a refused syscall itself, but reads or writes a descriptor that leads
# out: a socket the application opened, a process's memory. Each must be
# killed (or refused, under deny), and nothing must reach the other side.
# shellcheck shell=bash
# shellcheck disable=SC2034 # RC, SIDEDOOR_TESTS: read by run.sh

# door_case SCENARIO SYSCALL-REGEX: plugin tries SCENARIO; killed, judged as SYSCALL.
door_case() {
	fresh sidedoor
	confine policy.yaml -- "$M" "$1"
	expect_rc 137
	expect_file main_ran "the application's own os.system must work"
	expect_no_file "escaped_$1" "the plugin's I/O ran: it got out ($1)"
	expect_no_file peer_received "the plugin's data reached the other end ($1)"
	expect_err "kill .* module=plugin syscall=$2 "
}

t_door_sock_write() { door_case sock_write '<socket send>'; }
t_door_sock_writev() { door_case sock_writev '<socket send>'; }
t_door_sock_read() { door_case sock_read '<socket receive>'; }
t_door_sock_sendfile() { door_case sock_sendfile '<socket send>'; }
t_door_sock_found() { door_case sock_found '<socket send>'; }
t_door_sock_thread() { door_case sock_thread '<socket send>'; }
t_door_mem_write() { door_case mem_write '<process memory>'; }
t_door_mem_read() { door_case mem_read '<process memory>'; }
t_door_mem_dup_stdout() { door_case mem_dup_stdout '<process memory>'; }
t_door_mem_task() { door_case mem_task '<process memory>'; }
t_door_mem_child() { door_case mem_child '<process memory>'; }

# No false kills: what a module without the network may still do, and the
# application's own socket I/O; a module with the network may talk.
t_door_benign() {
	fresh sidedoor
	confine policy.yaml -- "$M" app_socket_io
	expect_rc 0
	expect_file benign_ran "files, pipes and /proc reads are not side doors"
	expect_file app_io_ok "the application's own socket I/O must work"
	expect_no_violation
}

t_door_net_allowed() {
	fresh sidedoor
	confine policy.yaml -- "$M" net_allowed
	expect_rc 0
	expect_file net_talked "a module allowed the network reads and writes sockets"
	expect_file peer_received "its data must arrive"
	expect_no_violation
}

# Under deny, the socket I/O is refused (BPF LSM socket_sendmsg); process
# memory has no hook that refuses it: the kill stands in, and says so.
t_door_deny() {
	fresh sidedoor
	confine policy.yaml --action deny --fallback kill -- "$M" sock_write
	if $LSM_LIVE; then
		expect_rc 1
		expect_err 'deny .* module=plugin syscall=<socket send> '
		expect_err 'PermissionError'
	else
		expect_rc 137
		expect_err 'kill .* module=plugin syscall=<socket send> .*deny_uncovered'
	fi
	expect_no_file escaped_sock_write "the plugin's write must not run"
	expect_no_file peer_received "nothing may reach the other end"
}

SIDEDOOR_TESTS="door_sock_write door_sock_writev door_sock_read door_sock_sendfile door_sock_found
door_sock_thread door_mem_write door_mem_read door_mem_dup_stdout door_mem_task door_mem_child
door_benign door_net_allowed door_deny"

DESC+=(
	[door_sock_write]="os.write on a socket the application opened is sending"
	[door_sock_writev]="os.writev on a borrowed socket is sending"
	[door_sock_read]="os.read on a borrowed socket is receiving"
	[door_sock_sendfile]="os.sendfile into a borrowed socket is sending"
	[door_sock_found]="a socket found in /proc/self/fd, written to, is sending"
	[door_sock_thread]="a thread the module starts writing to a socket is confined"
	[door_mem_write]="writing /proc/self/mem is refused to a confined module"
	[door_mem_read]="reading /proc/self/mem is refused to a confined module"
	[door_mem_dup_stdout]="positioning /proc/self/mem (lseek, dup2 onto stdout) is refused"
	[door_mem_task]="/proc/self/task/TID/mem from a module's thread is refused"
	[door_mem_child]="/proc/PID/mem of a worker the application forked is refused"
	[door_benign]="files, pipes, /proc reads by the module; the application's socket I/O: no violation"
	[door_net_allowed]="a module allowed the network does I/O on a socket it was handed"
	[door_deny]="action deny: socket I/O refused with EPERM where BPF LSM is live"
)
