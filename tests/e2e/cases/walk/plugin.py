import socket


def touch():
    socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()


def gen(n):
    for i in range(n):
        touch()
        yield i


def drive(g):
    """Resume someone else's generator from confined code."""
    return list(g)


def sort_with(key, items):
    """A C builtin (sorted) calling back into the caller's Python."""
    return sorted(items, key=key)


def json_with(hook):
    import json

    return json.loads('[{"a": 1}, {"b": 2}]', object_hook=hook)


def key(x):
    touch()
    return x
