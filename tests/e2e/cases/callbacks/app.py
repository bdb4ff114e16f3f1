import os
import sys

import plugin

marker_dir, scenario = sys.argv[1], sys.argv[2]
if scenario == "callee":
    # main's own function, called by the confined module: still confined
    plugin.call_me_back(lambda: os.system("touch %s/callback_ran" % marker_dir))
elif scenario == "closure":
    # the module's function, called later by main: its frame confines
    fn = plugin.make_closure(marker_dir)
    os.system("touch %s/main_ran" % marker_dir)
    fn()
print("app: not reached")
