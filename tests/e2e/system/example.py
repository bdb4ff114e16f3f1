# The seed's Quick Start module: it spawns a shell the moment it is imported.
import os
import sys

os.system("touch %s/module_ran" % sys.argv[1])
