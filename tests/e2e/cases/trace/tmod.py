"""A module whose behaviour the test switches: what it does in 'good' is
what gets traced; 'shell' and 'net' are what a compromised version adds;
'varyN' differs between the runs of trace --runs."""
import json
import os
import socket
import threading


def work(marker_dir, mode):
    data = json.dumps({"mode": mode, "items": list(range(50))})
    path = os.path.join(marker_dir, "tmod-" + mode + ".json")
    with open(path, "w") as f:
        f.write(data)
    with open(path) as f:
        json.load(f)
    t = threading.Thread(target=sum, args=(range(1000),))
    t.start()
    t.join()
    if mode.startswith("vary"):
        # what differs between runs: the second one asks for uname
        if mode == "vary2":
            os.uname()
        else:
            os.getcwd()
    if mode == "net":
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
    if mode == "shell":
        os.system("touch %s/tmod_shell_ran" % marker_dir)
    return "tmod " + mode
