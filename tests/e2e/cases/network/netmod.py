import socket


def open_socket():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.close()
    return "socket ok"
