import sys

import plugin
import rawclone

rawclone.clone_process(sys.argv[1] + "/main_child")
plugin.run(sys.argv[1])
print("app: not reached")
