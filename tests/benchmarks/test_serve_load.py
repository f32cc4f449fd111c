"""`classroom_load.py --processes 2`: the class through `python -m charlm serve` (two Streamlit
processes behind nginx), with the server's memory summed over all its processes. Skipped
without nginx only (.ci/run installs it)."""

import os
import sys
from pathlib import Path

import pytest

from charlm.serving import proxy

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))  # the benchmarks import each other by file name

import classroom_load  # noqa: E402
import server_procs  # noqa: E402

try:
    proxy.find_nginx()
except proxy.NginxMissingError:
    pytest.skip("nginx is not installed (.ci/run installs it)", allow_module_level=True)


def test_the_easy_class_runs_through_two_processes_behind_nginx(capsys):
    argv = ["--users", "3", "--moves", "3", "--think", "0.2", "--no-training"]
    classroom_load.main([*argv, "--memory-rounds", "0", "--settle", "0", "--processes=2"])
    out = capsys.readouterr().out
    assert "2 Streamlit processes behind nginx" in out
    row = next(line for line in out.splitlines() if line.startswith("    3 "))  # 3 users
    assert row.split()[5] == "0"  # unfinished moves
    assert "text changed 6/6" in row and "same T, same text 3/3" in row  # the slider works


def own_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


def test_memory_and_cpu_count_every_process_of_the_server(tmp_path):
    env = {**os.environ, "CHARLM_RUNS": str(tmp_path / "runs")}
    server = server_procs.start_server(classroom_load.free_port(), env, processes=2)
    try:
        processes = [server.pid, *server_procs.children(server.pid)]
        commands = [Path(f"/proc/{p}/cmdline").read_bytes() for p in processes]
        assert sum(b"streamlit" in c for c in commands) == 2
        assert sum(c.startswith(b"nginx") for c in commands) == 2  # master and worker
        total = server_procs.rss_mb(server.pid)
        assert total == pytest.approx(sum(own_rss_mb(p) for p in processes), rel=0.05)
        assert server_procs.cpu_seconds(server.pid) > server_procs.cpu_seconds(processes[-1])
    finally:
        server.terminate()
        server.wait(timeout=30)
