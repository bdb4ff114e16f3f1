# json calls back into code that spawns: confined when a system policy
# confines json. Marks main_ran first (main itself may spawn).
import json
import os
import sys

os.system("touch %s/main_ran" % sys.argv[1])
json.loads("{}", object_hook=lambda d: os.system("touch %s/json_ran" % sys.argv[1]))
