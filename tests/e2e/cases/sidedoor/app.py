# The trusted application hands the confined plugin what applications hand
# over (a connected socket, a worker's pid), or lets it run, and records what
# got through. Each scenario is one door of issue #21.
import os
import socket
import sys
import threading

import netplugin
import plugin
import rawplugin

marker_dir, scenario = sys.argv[1], sys.argv[2]


def connected_pair():
    """A TCP connection on loopback, as an application's client socket."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    cli = socket.create_connection(srv.getsockname())
    peer, _ = srv.accept()
    srv.close()
    return cli, peer


def received(peer):
    peer.settimeout(0.5)
    try:
        return peer.recv(100)
    except OSError:
        return b""


os.system("touch %s/main_ran" % marker_dir)
if scenario.startswith("sock_"):
    cli, peer = connected_pair()
    peer.sendall(b"from the peer")
    getattr(plugin if hasattr(plugin, scenario) else rawplugin, scenario)(marker_dir, cli)
    if received(peer):
        open(os.path.join(marker_dir, "peer_received"), "w").close()
elif scenario == "unix_write":
    # A connected UNIX socket of the application's (to a local daemon, say).
    cli, peer = socket.socketpair()
    plugin.sock_write(marker_dir, cli)
    if received(peer):
        open(os.path.join(marker_dir, "peer_received"), "w").close()
elif scenario.startswith("ext_"):
    # The other end is another process (here: the application's parent
    # half, which outlives a killed child): what reached it is counted
    # after the confined side is gone, not by the process that was killed.
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    addr = srv.getsockname()
    pid = os.fork()
    if pid == 0:
        srv.close()
        cli = socket.create_connection(addr)
        getattr(plugin, scenario[4:])(marker_dir, cli)
        sys.exit(0)  # atexit handlers run
    peer, _ = srv.accept()
    _, status = os.waitpid(pid, 0)
    print("child status %d" % (-os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)))
    if received(peer):
        open(os.path.join(marker_dir, "peer_received"), "w").close()
elif scenario == "mem_parent":
    # The plugin, in a worker the application forked, writes into the
    # application's memory (its parent): the bytes are checked afterwards.
    target = bytes(bytearray(b"untouched"))
    pid = os.fork()
    if pid == 0:
        plugin.mem_parent(marker_dir, os.getppid(), id(target) + 32)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    print("child status %d" % (-os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)))
    if target != b"untouched":
        open(os.path.join(marker_dir, "memory_changed"), "w").close()
elif scenario == "laundered":
    # The application's protocol writer, which the plugin gets to see.
    cli, peer = connected_pair()
    wfile = cli.makefile("wb")
    plugin.laundered(marker_dir, wfile)
    wfile.write(b"app data")
    wfile.flush()
    if b"secret" in received(peer):
        open(os.path.join(marker_dir, "peer_received"), "w").close()
elif scenario == "mp_pipe":
    import multiprocessing

    mine, theirs = multiprocessing.Pipe()
    plugin.report_progress(marker_dir, theirs)
    if mine.recv() == "50%":
        open(os.path.join(marker_dir, "app_got_report"), "w").close()
elif scenario == "stdout_socket":
    # stdout is a stream socket to a log collector, as under systemd.
    collector, out = socket.socketpair()
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(out.fileno(), 1)
    plugin.log_line(marker_dir)
    os.dup2(saved, 1)
    if b"working" in received(collector):
        open(os.path.join(marker_dir, "collector_got_line"), "w").close()
elif scenario == "signal_wakeup":
    # An asyncio server with a signal handler (its wakeup fd is the loop's
    # self-pipe, a socketpair); a signal arrives while the plugin computes.
    import asyncio
    import signal

    loop = asyncio.new_event_loop()
    loop.add_signal_handler(signal.SIGALRM, lambda: None)

    async def job():
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        plugin.crunch(marker_dir)

    loop.run_until_complete(job())
    loop.close()
elif scenario == "net_allowed":
    cli, peer = connected_pair()
    peer.sendall(b"from the peer")
    netplugin.talk(marker_dir, cli)
    if received(peer) == b"hello":
        open(os.path.join(marker_dir, "peer_received"), "w").close()
elif scenario == "app_socket_io":
    # The application's own socket I/O, before and after the plugin ran.
    cli, peer = connected_pair()
    plugin.benign(marker_dir)
    cli.sendall(b"ping")
    peer.sendall(peer.recv(4))
    if cli.recv(4) == b"ping":
        open(os.path.join(marker_dir, "app_io_ok"), "w").close()
elif scenario == "mem_child":
    # A worker the application forked; the plugin reaches into it.
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(w)
        os.read(r, 1)
        os._exit(0)
    os.close(r)
    try:
        plugin.mem_child(marker_dir, pid)
    finally:
        os.close(w)
        os.waitpid(pid, 0)
else:
    getattr(plugin, scenario)(marker_dir)
print("app finished")
