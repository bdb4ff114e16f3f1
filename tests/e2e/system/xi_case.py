# Under a loaded system: the confined ximod hands over a stateless function
# whose code claims to be json's; the application runs it in a
# sub-interpreter (3.14+ marshals it there). It stays ximod's. With a
# second argument ximod is confined by secure_import() instead.
import os
import sys

from concurrent import interpreters

if len(sys.argv) > 2:  # registering: the system covers this interpreter now
    from secimport import secure_import

    ximod = secure_import("ximod", allow_shell=False)
else:
    import ximod

os.system("touch %s/main_ran" % sys.argv[1])
interpreters.create().call(ximod.task(sys.argv[1]))
