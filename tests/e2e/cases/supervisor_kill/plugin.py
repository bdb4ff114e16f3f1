"""A confined module that tries to take the enforcer down first."""
import os
import signal
import sys

marker_dir = sys.argv[1]
try:
    os.kill(os.getppid(), signal.SIGKILL)  # the parent is secimport-bpf run
    open(marker_dir + "/supervisor_killed", "w").close()
except PermissionError:
    open(marker_dir + "/kill_refused", "w").close()
os.system("touch %s/module_ran" % marker_dir)
