"""Stack bookkeeping under load: coroutines, many threads, deep stacks.
Every confined touch() is one event; every unconfined one must be none."""
import asyncio
import socket
import threading

import lm2


def unconfined():
    socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()


async def main_async():
    tasks = [asyncio.create_task(lm2.coro(i)) for i in range(10)]
    for _ in range(5):
        unconfined()
        await asyncio.sleep(0.001)
    return await asyncio.gather(*tasks)


asyncio.run(main_async())  # 10 events (the loop itself is unconfined)


def thread_body():
    for _ in range(5):
        lm2.work()  # 1 event each
        unconfined()


threads = [threading.Thread(target=thread_body) for _ in range(16)]
for t in threads:
    t.start()
for t in threads:
    t.join()  # 80 events

lm2.deep(900)  # 1 event


def nest(n):
    return lm2.work() if n == 0 else nest(n - 1)


nest(300)  # 1 event, the confined frame 300 frames deep
unconfined()
print("stress done")
