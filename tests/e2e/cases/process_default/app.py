import socket

socket.socket(socket.AF_INET, socket.SOCK_STREAM)
print("app: not reached")
