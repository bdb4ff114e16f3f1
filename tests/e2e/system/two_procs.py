# Two processes, one module, two policies: each is judged by its own.
import os
import sys
import time

from secimport import secure_import

markers, allow, go = sys.argv[1], sys.argv[2] == "allow", sys.argv[3]
shellmod = secure_import("shellmod", allow_shell=allow, allow_networking=False)
open(os.path.join(markers, "registered_%s" % sys.argv[2]), "w").close()
while not os.path.exists(go):
    time.sleep(0.02)
shellmod.spawn(markers + "/" + sys.argv[2])
