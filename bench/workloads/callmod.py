"""Per-call workloads; the benchmarks confine this module (or another one)."""


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


class Counter:
    def __init__(self):
        self.n = 0

    def inc(self, k):
        self.n += k
        return self.n


def methods(n):
    c = Counter()
    for _ in range(n):
        c.inc(1)
    return c.n


def _source(n):
    yield from range(n)


def _square(items):
    for x in items:
        yield x * x


def _odd(items):
    for x in items:
        if x & 1:
            yield x


def pipeline(n):
    """Three generators chained: every item resumes each of them."""
    return sum(_odd(_square(_source(n))))
