"""One BLAS thread for the page's server process.

The page's matrices are small (one character step of the 2x384 model multiplies a (1-20, 384)
by a (384, 1536) matrix), and OpenBLAS splits even those over its threads. On a shared 2-core
machine those threads then wait on each other through the scheduler: the same generation took
several times longer with OpenBLAS's default threads than with one while the machine was
loaded (benchmarks/blas_threads.py), and its second thread used 23-24 s of CPU per class
(issue 17). Pages run one at a time (charlm/ui/gate.py), so one thread is all a run can use.

NumPy ships OpenBLAS as a private library; this finds it and calls its own
`*_set_num_threads*` function (what threadpoolctl does), leaving other processes alone.
"""

from __future__ import annotations

import ctypes
from pathlib import Path

_SETTERS = (
    "scipy_openblas_set_num_threads64_",
    "scipy_openblas_set_num_threads",
    "openblas_set_num_threads64_",
    "openblas_set_num_threads",
)
_GETTERS = tuple(name.replace("set_", "get_") for name in _SETTERS)


def _openblas() -> ctypes.CDLL | None:
    import numpy

    folder = Path(numpy.__file__).resolve().parent.parent / "numpy.libs"
    for path in sorted(folder.glob("lib*openblas*.so*")):
        try:
            return ctypes.CDLL(str(path))
        except OSError:
            continue
    return None


def _function(library, names):
    for name in names:
        found = getattr(library, name, None)
        if found is not None:
            return found
    return None


def set_blas_threads(count: int) -> bool:
    """Set NumPy's OpenBLAS thread count in this process; False where it cannot be found."""
    library = _openblas()
    setter = _function(library, _SETTERS) if library is not None else None
    if setter is None:
        return False
    setter(ctypes.c_int(count))
    return True


def blas_threads() -> int | None:
    """NumPy's OpenBLAS thread count in this process (None where unknown)."""
    library = _openblas()
    getter = _function(library, _GETTERS) if library is not None else None
    return int(getter()) if getter is not None else None
