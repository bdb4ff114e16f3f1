import sys

import plugin

plugin.run(sys.argv[1])
print("app: not reached")
