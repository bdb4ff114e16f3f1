# Started before load: waits, then lets json call back into code that spawns.
import json
import os
import sys
import time

markers, go = sys.argv[1], sys.argv[2]
open(os.path.join(markers, "waiting"), "w").close()
while not os.path.exists(go):
    time.sleep(0.02)
json.loads("{}", object_hook=lambda d: os.system("touch %s/adopted_spawned" % markers))
