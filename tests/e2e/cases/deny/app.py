import os
import socket
import sys

import plugin

marker_dir, scenario = sys.argv[1], sys.argv[2]
out = []
if scenario == "shell":
    out.append("module " + plugin.shell(marker_dir))
    os.system("touch %s/main_ran" % marker_dir)
elif scenario == "socket":
    out.append("module " + plugin.new_socket())
    socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
    out.append("main created")
elif scenario == "connect":
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    out.append("module " + plugin.connect(client, port))
    try:
        listener.accept()
        out.append("listener got a connection")
    except socket.timeout:
        out.append("listener saw nothing")
    main_client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    main_client.connect(("127.0.0.1", port))
    listener.accept()
    out.append("main connected")
elif scenario == "open":
    path = os.path.join(marker_dir, "file")
    with open(path, "w") as f:
        f.write("original")
    out.append("module " + plugin.write_file(path))
    with open(path) as f:
        out.append("file " + f.read())
    with open(path + ".main", "w") as f:
        f.write("main")
    out.append("main wrote")
print("\n".join(out))
