import os
import sys

import plugin

print("plugin says", plugin.compute())
os.system("touch %s/main_ran" % sys.argv[1])
print("after return ok")
