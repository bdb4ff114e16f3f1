# A tight syscall loop inside the confined module, for policy apply: runs
# until told to stop, then prints how many refused calls it made.
import sys

import looper  # confined by the system policy

ready, stop = sys.argv[1], sys.argv[2]
open(ready, "w").close()
print("calls", looper.run_until(stop))
