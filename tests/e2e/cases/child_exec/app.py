import os
import sys

import launcher

rc = launcher.launch(os.path.join(os.path.dirname(__file__), "child.py"), sys.argv[1])
with open(sys.argv[1] + "/child_rc", "w") as f:
    f.write(str(rc))
print("child exited with", rc)
