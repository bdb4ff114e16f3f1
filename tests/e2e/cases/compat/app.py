import sys

import int80
import plugin

fd = int80.ia32_socket()
print("unconfined ia32 socket fd", fd)
with open(sys.argv[1] + "/main_fd", "w") as f:
    f.write(str(fd))
plugin.run()
print("app: not reached")
