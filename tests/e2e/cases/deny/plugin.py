"""A confined module trying what its deny policy refuses; it catches the
PermissionError and goes on, as code under deny can."""
import os
import socket


def shell(marker_dir):
    import subprocess  # here, not at import: the open-policy case may not open files

    rc = os.system("touch %s/shell_ran" % marker_dir)
    try:
        subprocess.run(["touch", marker_dir + "/spawn_ran"])
        spawn = "ran"
    except PermissionError:
        spawn = "refused"
    return "system=%d spawn=%s" % (rc, spawn)


def new_socket():
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
        return "created"
    except PermissionError:
        return "refused"


def connect(sock, port):
    try:
        sock.connect(("127.0.0.1", port))
        return "connected"
    except PermissionError:
        return "refused"


def write_file(path):
    try:
        with open(path, "w") as f:
            f.write("changed by the module")
        return "written"
    except PermissionError:
        return "refused"
