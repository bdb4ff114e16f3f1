# Started before load: waits, then lets json call back into code that spawns.
import json
import os
import sys
import time

markers, go = sys.argv[1], sys.argv[2]
with open(os.path.join(markers, "waiting.tmp"), "w") as f:
    f.write(str(os.getpid()))
os.rename(os.path.join(markers, "waiting.tmp"), os.path.join(markers, "waiting"))
while not os.path.exists(go):
    time.sleep(0.02)
json.loads("{}", object_hook=lambda d: os.system("touch %s/adopted_spawned" % markers))
