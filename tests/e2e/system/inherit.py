# A registered module's confinement follows its threads and forked children.
import os
import socket
import sys

from secimport import secure_import

markers, how = sys.argv[1], sys.argv[2]
if how == "thread":
    spawner = secure_import("spawner", allow_shell=False)
    spawner.start_thread(markers).join()
elif how == "fork":
    # Forking is allowed; the child, back in main's code, still may not network.
    spawner = secure_import("spawner", allow_shell=True, allow_networking=False)
    pid = spawner.fork_child()
    if pid == 0:
        socket.socket().close()
        open(os.path.join(markers, "child_networked"), "w").close()
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    print("child status", status)
