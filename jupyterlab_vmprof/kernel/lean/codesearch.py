"""Finding the live code objects behind the code ids a profile's samples hold (leanvmprof.py).

vmprof names a code object in the profile when it dies while profiling; the ones still
alive at the stop are named by the stop, from what this finds. It searches cheapest first:
a cache of code found before, the running frames, the young objects, and only when
needed every object the GC tracks (find_code_objects). The last search may be left for
after the cell (search_every_function, run by leanvmprof.DeferredSearch).
"""

from __future__ import annotations

import gc
import sys
import types
import weakref
from typing import Callable, Iterable

from . import births

# Objects the GC tracks, other than functions, that hold a code object, and the attribute.
_OTHER_CODE_HOLDERS = {
    types.FrameType: "f_code",
    types.GeneratorType: "gi_code",
    types.CoroutineType: "cr_code",
    types.AsyncGeneratorType: "ag_code",
}

# Code objects found by earlier stops in this process, by id: profiling the same code
# again finds them here (an entry goes when its code object dies, so an id in it is
# always the object living at that address).
_known_codes: "weakref.WeakValueDictionary[int, types.CodeType]" = weakref.WeakValueDictionary()


# True until the cache holds every function's code, and again after a stop had to search
# every object (it met code the cache did not have): refresh_known_codes() then refills it.
_cache_incomplete = True


def refresh_known_codes() -> bool:
    """Put every function's code in the cache, if a stop found it wanting; True if it did.

    Costs 10–30 ms in a kernel: meant for a thread after the cell (summary.py), so that
    the next stops find the code they sampled without searching every object.
    """
    global _cache_incomplete
    if not _cache_incomplete:
        return False
    _remember_all(_all_function_codes(gc.get_objects()))
    return True


def _remember_all(codes: list) -> None:
    global _cache_incomplete
    _known_codes.update(zip(map(id, codes), codes))
    _cache_incomplete = False


def remember_code(code: types.CodeType) -> None:
    """Code made by this package while profiling (the Numba trampolines): found at once."""
    _known_codes[id(code)] = code
    births.note(code)  # its address may have held code that died while profiling


def find_code_objects(
    wanted: set, unnamed: set, young_only: bool = False, defer_full_search: bool = False
) -> tuple[dict, set]:
    """Live code objects whose id is in `wanted`, searched cheapest first; returns them
    and the ids whose search among all objects was left to a DeferredSearch.

    Every live one is wanted, not only the `unnamed` ones: an id vmprof named when
    its code object died may since hold a new code object, sampled too, and vmprof's
    own stop names it again; e.g. a Numba compile frees many code objects, and the
    cell's trampoline then reuses one's address. Searched in order: a cache of code
    found before (refreshed after cells, refresh_known_codes), the running frames, the
    young functions (generations 0 and 1, which hold every function made while profiling
    if `young_only`), and only while some id is unnamed, or to check reused addresses
    when not `young_only`, every function (~20k in a kernel: 15–50 ms with the CPU caches
    cold after a cell); that last check is left for later with `defer_full_search`.
    Other holders of code, and nested code, are searched only while some id is unnamed.
    """
    global _cache_incomplete
    found = {uid: code for uid in wanted if (code := _known_codes.get(uid)) is not None}
    _take(found, wanted, list(_frame_codes()))
    _take_nested(found, wanted, list(found.values()))
    if young_only or unnamed - found.keys():
        _take(found, wanted, _function_codes(_young_objects(), wanted))
        _take_nested(found, wanted, list(found.values()))
    everything = bool(unnamed - found.keys()) or not (young_only or defer_full_search)
    if everything:
        _cache_incomplete = _cache_incomplete or bool(unnamed - found.keys())
        objects = gc.get_objects()
        _take(found, wanted, _function_codes(objects, wanted))
        _take_nested(found, wanted, list(found.values()))
        if unnamed - found.keys():
            # Frames kept by a traceback, suspended generators and coroutines.
            _take(found, wanted, _codes_of_other_holders(objects))
            _take_nested(found, wanted, list(found.values()))
        if unnamed - found.keys():
            # Nested code (a lambda, a comprehension) whose outer function was not sampled.
            roots = _all_function_codes(objects)
            _take_nested(found, wanted, roots, stop_when=lambda: not unnamed - found.keys())
    remember(found)
    unchecked = set() if everything or young_only else wanted - found.keys()
    return found, unchecked


def search_every_function(ids: set) -> dict:
    """The code objects with these ids among every function and its nested code (id -> code).

    The search of every object is done anyway: it refills the cache (refresh_known_codes).
    """
    codes = _all_function_codes(gc.get_objects())
    _remember_all(codes)
    found: dict = {}
    _take(found, ids, [code for code in codes if id(code) in ids])
    _take_nested(found, ids, list(found.values()))
    return found


def remember(found: dict) -> None:
    """Keep `found` (id -> code object) in the cache for the next stops."""
    for uid, code in found.items():
        _known_codes[uid] = code


def _young_objects() -> list:
    return gc.get_objects(generation=0) + gc.get_objects(generation=1)


def _all_function_codes(objects: list) -> list:
    function = types.FunctionType
    return [obj.__code__ for obj in objects if type(obj) is function]


def _function_codes(objects: list, wanted: set) -> list:
    function = types.FunctionType
    # One pass that keeps only the matches: this runs over every object the GC tracks.
    return [obj.__code__ for obj in objects if type(obj) is function and id(obj.__code__) in wanted]


def _take(found: dict, wanted: set, codes: Iterable) -> None:
    by_id = dict(zip(map(id, codes), codes))
    for uid in wanted.intersection(by_id):
        found[uid] = by_id[uid]


def _take_nested(found: dict, wanted: set, roots: list, stop_when: Callable[[], bool] = lambda: False) -> None:
    """Add the code objects nested in the constants of `roots`, at any depth."""
    pending = list(roots)
    visited: set = set()
    while pending and not stop_when():
        code = pending.pop()
        if id(code) in visited:
            continue
        visited.add(id(code))
        for const in code.co_consts:
            if type(const) is types.CodeType:
                if id(const) in wanted:
                    found[id(const)] = const
                pending.append(const)


def _frame_codes() -> Iterable:
    for frame in sys._current_frames().values():
        while frame is not None:
            yield frame.f_code
            frame = frame.f_back


def _codes_of_other_holders(objects: list) -> list:
    kinds = _OTHER_CODE_HOLDERS
    return [getattr(obj, kinds[type(obj)]) for obj in objects if type(obj) in kinds]
