import os
import sys

import plugin

t = plugin.start(sys.argv[1])
# plugin has returned; main itself may still spawn
os.system("touch %s/main_ran" % sys.argv[1])
plugin.go.set()
t.join()
print("app: not reached")
