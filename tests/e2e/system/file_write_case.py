import os
import sys

from secimport import secure_import

# argv[2] "refused": secure_import(..., allow_file_write=False); else the default.
fwmod = secure_import("fwmod", allow_shell=False,
                      allow_file_write=False if sys.argv[2] == "refused" else None)
fwmod.store(sys.argv[1])
open(os.path.join(sys.argv[1], "returned"), "w").close()
print("stored")
