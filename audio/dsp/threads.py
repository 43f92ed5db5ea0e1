"""Keeping numpy's BLAS out of the way of our own threads.

The analysis runs its stages on two threads of its own. OpenBLAS would otherwise start its own
threads inside every matrix product, on the same two cores, and the products (small, one per
block) get slower, not faster. OpenBLAS 0.3.27+ can limit this per calling thread; where that
is not available nothing is changed (threads are a speed matter, never a correctness one).
"""

from __future__ import annotations

import ctypes
import functools


@functools.cache
def _per_thread_setters() -> tuple:
    """The per-thread setter of every OpenBLAS loaded: numpy and scipy each bundle their own,
    and numpy's matrix products go to numpy's."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:
        return ()
    setters = []
    for path in sorted(paths):
        try:
            setter = ctypes.CDLL(path).openblas_set_num_threads_local
        except (OSError, AttributeError):
            continue
        setter.argtypes = [ctypes.c_int]
        setter.restype = ctypes.c_int
        setters.append(setter)
    return tuple(setters)


def single_threaded_blas_here() -> None:
    """Make BLAS calls from the current thread run on this thread alone."""
    for setter in _per_thread_setters():
        setter(1)
