import os
import sys

import plugin

marker_dir = sys.argv[1]
pid = os.fork()  # unconfined code forks...
if pid == 0:
    plugin.spawn(marker_dir)  # ...and the child calls the confined module
    os._exit(0)
_, status = os.waitpid(pid, 0)
with open(marker_dir + "/child_status", "w") as f:
    f.write("signal %d" % os.WTERMSIG(status) if os.WIFSIGNALED(status) else "exit")
print("parent done")
