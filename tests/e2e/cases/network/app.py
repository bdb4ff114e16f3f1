import socket  # noqa: F401  (imported first: netmod's own import is then a cache hit)

import netmod

print(netmod.open_socket())
