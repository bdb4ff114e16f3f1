# The confined module is the attacker: it never calls a socket syscall or
# ptrace, only read/write & co. on descriptors that lead out.
import os
import threading


def _got_out(marker_dir, what):
    open(os.path.join(marker_dir, "escaped_" + what), "w").close()


def sock_write(marker_dir, sock):
    os.write(sock.fileno(), b"secret")
    _got_out(marker_dir, "sock_write")


def sock_writev(marker_dir, sock):
    os.writev(sock.fileno(), [b"sec", b"ret"])
    _got_out(marker_dir, "sock_writev")


def sock_read(marker_dir, sock):
    os.read(sock.fileno(), 100)
    _got_out(marker_dir, "sock_read")


def sock_sendfile(marker_dir, sock):
    path = os.path.join(marker_dir, "payload")
    with open(path, "wb") as f:
        f.write(b"secret")
    fd = os.open(path, os.O_RDONLY)
    os.sendfile(sock.fileno(), fd, 0, 6)
    _got_out(marker_dir, "sock_sendfile")


def sock_found(marker_dir, sock):
    """Not handed a socket: finds the application's in /proc/self/fd."""
    for name in os.listdir("/proc/self/fd"):
        try:
            if os.readlink("/proc/self/fd/" + name).startswith("socket:"):
                os.write(int(name), b"secret")
        except OSError:
            pass
    _got_out(marker_dir, "sock_found")


def sock_thread(marker_dir, sock):
    t = threading.Thread(target=os.write, args=(sock.fileno(), b"secret"))
    t.start()
    t.join()
    _got_out(marker_dir, "sock_thread")


def _target():
    """Where the bytes of an object of ours are (PyBytesObject's ob_sval),
    to write back what is there: harmless if the door were open."""
    data = b"secimport side door target"
    return id(data) + 32, data


def _tried(marker_dir, what, op):
    """The door is open when the syscall ran at all, whatever it returned."""
    try:
        op()
    except OSError:
        pass
    _got_out(marker_dir, what)


def mem_write(marker_dir):
    addr, data = _target()
    fd = os.open("/proc/self/mem", os.O_RDWR)
    _tried(marker_dir, "mem_write", lambda: os.pwrite(fd, data, addr))


def mem_read(marker_dir):
    addr, data = _target()
    fd = os.open("/proc/self/mem", os.O_RDONLY)
    _tried(marker_dir, "mem_read", lambda: os.pread(fd, len(data), addr))


def mem_dup_stdout(marker_dir):
    """Positions the descriptor, to make it the application's stdout."""
    addr, _ = _target()
    fd = os.open("/proc/self/mem", os.O_RDWR)
    _tried(marker_dir, "mem_dup_stdout", lambda: os.lseek(fd, addr, os.SEEK_SET))
    _tried(marker_dir, "mem_dup_stdout2", lambda: os.dup2(fd, 1))


def mem_task(marker_dir):
    """The per-thread path, /proc/self/task/TID/mem, from a thread."""
    addr, data = _target()

    def run():
        fd = os.open("/proc/self/task/%d/mem" % threading.get_native_id(), os.O_RDWR)
        _tried(marker_dir, "mem_task", lambda: os.pwrite(fd, data, addr))

    t = threading.Thread(target=run)
    t.start()
    t.join()


def mem_child(marker_dir, pid):
    fd = os.open("/proc/%d/mem" % pid, os.O_RDWR)
    _tried(marker_dir, "mem_child", lambda: os.pwrite(fd, b"\0", 4096))


def benign(marker_dir):
    """What a no-network module may do: files, pipes, /proc reads."""
    path = os.path.join(marker_dir, "file")
    with open(path, "w") as f:
        f.write("data")
    with open(path) as f:
        f.read()
    r, w = os.pipe()
    os.write(w, b"x")
    os.read(r, 1)
    os.close(r)
    os.close(w)
    with open("/proc/self/status") as f:
        f.read()
    with open("/proc/self/maps") as f:
        f.read()
    open(os.path.join(marker_dir, "benign_ran"), "w").close()


# --- red team ---
# Each takes (marker_dir, sock) like sock_*: the application's connected
# socket; none calls a socket syscall itself.


def sock_bigfd(marker_dir, sock):
    """The socket at a descriptor number above 2**24: the hook reads the fd
    table at fd & 0xffffff, where a pipe of ours is."""
    import resource

    r, w = os.pipe()
    big = (1 << 24) + w
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (big + 1, hard))
    os.dup2(sock.fileno(), big)
    os.write(big, b"secret")
    _got_out(marker_dir, "sock_bigfd")


def mem_parent(marker_dir, pid, addr):
    """The application's memory, from the worker it forked (the plugin runs
    there): the write must not land, even though a kill is not a refusal."""
    fd = os.open("/proc/%d/mem" % pid, os.O_RDWR)
    _tried(marker_dir, "mem_parent", lambda: os.pwrite(fd, b"OVERWRITE", addr))


def laundered(marker_dir, wfile):
    """Bytes put into the application's buffered socket file: no syscall
    here; the application's own flush sends them later."""
    wfile.write(b"secret")
    _got_out(marker_dir, "laundered")


def sock_deferred(marker_dir, sock):
    """A builtin the interpreter calls at exit: no frame of ours then."""
    import atexit

    atexit.register(os.write, sock.fileno(), b"secret")
    _got_out(marker_dir, "sock_deferred")


# False kills: what a module without the network does that is not network.


def report_progress(marker_dir, conn):
    """A worker reporting to the application over the multiprocessing
    connection it was handed (Pipe(): a socketpair)."""
    conn.send("50%")
    open(os.path.join(marker_dir, "reported"), "w").close()


def log_line(marker_dir):
    """print(), where the program's stdout is a socket (systemd's journal,
    inetd, a supervisor)."""
    import sys

    print("plugin: working")
    sys.stdout.flush()
    open(os.path.join(marker_dir, "logged"), "w").close()


def crunch(marker_dir):
    """Pure computation (no I/O), long enough for a signal to arrive."""
    import time

    end = time.monotonic() + 0.5
    n = 0
    while time.monotonic() < end:
        n += 1
    open(os.path.join(marker_dir, "crunched"), "w").close()


def terminal_input(marker_dir):
    """ioctl(TIOCSTI) types into a terminal's input: the shell reading that
    terminal runs it (here a pty of our own; the request is what counts)."""
    import fcntl
    import termios

    master, slave = os.openpty()
    _tried(marker_dir, "terminal_input", lambda: fcntl.ioctl(slave, termios.TIOCSTI, b"x"))
