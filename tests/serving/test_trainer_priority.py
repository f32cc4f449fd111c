"""A trainer started from the page runs at idle priority: it never takes CPU from the page."""

import os
import subprocess
import sys

import pytest

from charlm.common.settings import PROJECT_ROOT, load_settings
from charlm.serving.trainer_process import trainer_environment

PROBE = (
    "import os; from charlm.cli import lower_priority; lower_priority(); "
    "print(os.sched_getscheduler(0), os.getpriority(os.PRIO_PROCESS, 0))"
)


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="Linux only")
def test_the_trainer_lowers_itself_to_sched_idle():
    env = {**os.environ, **trainer_environment(load_settings())}
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert int(out[0]) == os.SCHED_IDLE
    assert int(out[1]) >= 10


def test_idle_priority_can_be_switched_off(monkeypatch):
    monkeypatch.setenv("CHARLM_TRAINER_IDLE", "off")
    assert trainer_environment(load_settings())["CHARLM_TRAINER_IDLE"] == "0"
