import netmod

print(netmod.open_socket())
