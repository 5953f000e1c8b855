"""Profiling a whole notebook without a browser (`jupyter vmprof run`), and its outputs.

cells.py chooses and wraps the cells, runner.py drives a kernel through nbclient,
results.py turns each cell's profile into numbers, compare.py checks them against a
baseline, report.py and flamegraph.py write the offline HTML page.
"""
