import os
import sys

marker_dir = sys.argv[1]
os.system("touch %s/main_ran" % marker_dir)
import example  # noqa: E402,F401  (runs os.system at import)
print("app: not reached")
