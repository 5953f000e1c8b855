"""One numpy workload profiled by real vmprof with native frames, for
match-keys.test.ts, which runs this file twice, each copy in its own
temporary folder: two processes, two folders, two sets of addresses.

    python diff_workload.py OUT_FOLDER

writes OUT_FOLDER/profile.prof and OUT_FOLDER/maps.txt (the process's
/proc/self/maps, for the converter's --maps), and runs until the profile
holds at least MIN_SAMPLES samples, whatever the timer's rate.
"""

import os
import sys
import time

import numpy as np
import vmprof

MIN_SAMPLES = 150


def multiply(a):
    b = a @ a
    return b / b.max()


def spin(cpu_seconds, matrix):
    end = time.process_time() + cpu_seconds
    while time.process_time() < end:
        matrix = multiply(matrix)
    return matrix


def main(out):
    path = os.path.join(out, "profile.prof")
    matrix = np.random.default_rng(1).random((160, 160))
    cpu = 0.5
    while True:
        with open(path, "w+b") as f:
            vmprof.enable(f.fileno(), period=0.001, native=True)
            matrix = spin(cpu, matrix)
            vmprof.disable()
        with open(os.path.join(out, "maps.txt"), "w") as maps:
            maps.write(open("/proc/self/maps").read())
        stats = vmprof.read_profile(path)
        if len(stats.profiles) >= MIN_SAMPLES:
            print(len(stats.profiles))
            return
        cpu *= 2


if __name__ == "__main__":
    main(sys.argv[1])
