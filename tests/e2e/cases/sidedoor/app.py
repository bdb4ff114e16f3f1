# The trusted application hands the confined plugin what applications hand
# over (a connected socket, a worker's pid), or lets it run, and records what
# got through. Each scenario is one door of issue #21.
import os
import socket
import sys
import threading

import netplugin
import plugin

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
    getattr(plugin, scenario)(marker_dir, cli)
    if received(peer):
        open(os.path.join(marker_dir, "peer_received"), "w").close()
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
