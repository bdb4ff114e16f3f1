import sys

import helper
import plugin

helper.spawn(sys.argv[1])  # unconfined: works
import os  # noqa: E402

os.rename(sys.argv[1] + "/helper_ran", sys.argv[1] + "/main_helper_ran")
plugin.run(sys.argv[1])  # confined through plugin: killed
print("app: not reached")
