import os
import sys

import tmod

marker_dir, mode = sys.argv[1], sys.argv[2]
print(tmod.work(marker_dir, mode))
os.system("true")  # main's own spawn: not tmod's business
print("app done")
