"""The workload whose split is known by construction, shared by the cell tests and the script tests.

`heavy` and `light` have the same body; callers give `heavy` 7/3 of `light`'s work and time each
call with a plain clock in the same run, so the profile's share of `heavy` can be checked against
what the clock measured, whatever the sampling rate.
"""

HEAVY_WORK = 7000
LIGHT_WORK = 3000

FUNCTIONS = """
def heavy(n):
    s = 0
    for i in range(n):
        s += i * i
    return s

def light(n):
    s = 0
    for i in range(n):
        s += i * i
    return s
"""
