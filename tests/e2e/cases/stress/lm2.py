import asyncio
import socket


def touch():
    socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()


def work():
    touch()


async def coro(i):
    await asyncio.sleep(0)
    touch()
    await asyncio.sleep(0.001)
    return i


def deep(n):
    if n == 0:
        touch()
        return 0
    return deep(n - 1) + 1
