import int80


def run():
    return int80.ia32_socket()
