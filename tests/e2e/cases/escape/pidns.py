# The application started in a PID namespace of its own (as in a container):
# CPython's thread ids there are the namespace's, not the kernel's.
import subprocess
import sys

r = subprocess.run(["unshare", "--pid", "--fork", sys.executable, "app.py", sys.argv[1], "attack"])
print("child status %d" % r.returncode)
