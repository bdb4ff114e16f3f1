import os


def talk(marker_dir, sock):
    """May use the network: I/O on a socket it was handed is fine."""
    os.write(sock.fileno(), b"hello")
    if os.read(sock.fileno(), 100):
        open(os.path.join(marker_dir, "net_talked"), "w").close()
