import os
import sys

os.system("touch %s/module_ran" % sys.argv[1])
