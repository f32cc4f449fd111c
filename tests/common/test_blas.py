"""NumPy's OpenBLAS thread count can be set in-process (the page's server runs on one)."""

import subprocess
import sys

from charlm.common.settings import PROJECT_ROOT

PROBE = (
    "from charlm.common.blas import blas_threads, set_blas_threads; "
    "assert set_blas_threads(1); print(blas_threads())"
)


def test_one_blas_thread_is_set_in_this_process_only():
    env_threads = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    assert env_threads.stdout.strip() == "1"
