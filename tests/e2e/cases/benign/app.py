import os
import sys

import worker

n = worker.work(os.path.join(sys.argv[1], "data.json"))
print("benign ok", n)
