# secure_import("example", allow_shell=False): killed at import, nothing ran.
import os
import sys

from secimport import secure_import

os.system("touch %s/main_ran" % sys.argv[1])
example = secure_import("example", allow_shell=False)
open(os.path.join(sys.argv[1], "imported"), "w").close()
