"""Python called back from C: the workloads of the profiles in this folder.

Each spends its time in Python code that a C function calls (sorted's key,
map's function, a generator consumed by sum, a Python __lt__ called by
list.sort, a numpy ufunc made from a Python function), so that native-mode
stacks must interleave C and Python frames. Each runs for SECONDS of CPU,
enough samples (~2000 at vmprof's usual 4 ms) for shares to be known within
about a point.
"""
import time

SECONDS = 8.0


def spin(fn, *args, seconds=SECONDS):
    end = time.process_time() + seconds
    while time.process_time() < end:
        fn(*args)


def sort_by_key(data):
    return sorted(data, key=lambda x: -x)


def sort_with_key():
    spin(sort_by_key, list(range(3000)))


def map_list(data):
    return list(map(lambda x: x * 3 + 1, data))


def map_lambda():
    spin(map_list, range(3000))


def squares(n):
    return sum(x * x for x in range(n))


def sum_generator():
    spin(squares, 3000)


class Key:
    __slots__ = ('v',)

    def __init__(self, v):
        self.v = v

    def __lt__(self, other):
        return self.v < other.v


def python_lt():
    keys = [Key((i * 7919) % 1000) for i in range(2000)]
    spin(sorted, keys)


def numpy_callback():
    import numpy as np
    plus = np.frompyfunc(lambda x: x * 3 + 1, 1, 1)
    a = np.arange(3000)
    spin(plus, a)


WORKLOADS = {f.__name__: f for f in (sort_with_key, map_lambda, sum_generator, python_lt, numpy_callback)}
