import socket
import sys

open(sys.argv[1] + "/child_started", "w").close()
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
open(sys.argv[1] + "/child_socket", "w").close()
