# subprocess confined: main's os.system("ps") works, subprocess.check_call("ps") is killed.
import os
import sys

from secimport import secure_import

subprocess = secure_import("subprocess")
if os.system("ps >/dev/null") == 0:
    open(os.path.join(sys.argv[1], "main_ps"), "w").close()
subprocess.check_call("ps")
open(os.path.join(sys.argv[1], "confined_ps"), "w").close()
