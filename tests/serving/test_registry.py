"""The run records (charlm.serving.registry): privacy fails closed, records follow their folders."""

from pathlib import Path

from charlm.common import atomic
from charlm.serving import jobs, ownership, quotas, registry, run_queue

STUDENT, STRANGER = ownership.Viewer("s" * 32), ownership.Viewer("x" * 32)
TEACHER = ownership.Viewer(None, teacher=True)


def seen_by(run: Path) -> set[str]:
    access = ownership.read_access(run)
    viewers = {"student": STUDENT, "stranger": STRANGER, "teacher": TEACHER}
    return {name for name, viewer in viewers.items() if access.can_see(viewer)}


def test_uploaded_text_without_its_record_is_seen_by_the_teacher_only(isolated_runs):
    run = isolated_runs / "diary"
    atomic.write_text(run / ownership.UPLOADED_TEXT, "my diary " * 2000)
    atomic.write_json(run / "progress.json", {"status": "done"})
    assert seen_by(run) == {"teacher"}


def test_an_unreadable_access_record_is_seen_by_the_teacher_only(isolated_runs):
    run = isolated_runs / "old-style"
    atomic.write_json(run / "run.json", {"name": "old-style"})
    (run / ownership.ACCESS_FILE).write_text('{"owner": "sss', encoding="utf-8")  # cut short
    assert seen_by(run) == {"teacher"}


def test_a_damaged_records_file_hides_every_run_but_from_the_teacher(isolated_runs):
    run = isolated_runs / "public-run"
    atomic.write_json(run / "run.json", {"name": "public-run"})
    ownership.write_access(run, ownership.new_access(STUDENT.owner, private=False))
    assert seen_by(run) == {"student", "stranger", "teacher"}
    registry.db_path(isolated_runs).write_bytes(b"not a database" * 100)
    for suffix in ("-wal", "-shm"):
        Path(str(registry.db_path(isolated_runs)) + suffix).unlink(missing_ok=True)
    registry._open.clear()  # as a freshly started server process
    assert seen_by(run) == {"teacher"}
    assert jobs.read_run(run).status == "unknown"  # the page still draws


def test_a_command_line_run_is_public_and_nobodys(isolated_runs):
    run = isolated_runs / "cli-run"
    atomic.write_json(run / "run.json", {"name": "cli-run"})
    assert seen_by(run) == {"student", "stranger", "teacher"}
    assert not ownership.read_access(run).can_control(STUDENT)


def test_deleting_a_run_takes_its_record_and_a_queued_run_is_never_evicted(isolated_runs):
    queued = isolated_runs / "waiting"
    queued.mkdir(parents=True)
    (queued / "weights.bin").write_bytes(b"x" * 50_000)
    ownership.write_access(queued, ownership.new_access(STUDENT.owner, private=True))
    assert run_queue.enqueue(isolated_runs, queued, ["--resume"], STUDENT.owner, 10) == 1
    assert quotas.trim_to_budget(isolated_runs, budget_mb=0.001) == []
    assert jobs.read_run(queued).status == "queued" and queued.is_dir()
    assert jobs.cancel_run(queued)  # withdrawn
    assert jobs.read_run(queued).status == "cancelled"
    assert jobs.cancel_run(queued) is False  # nothing left to stop
    assert jobs.delete_run(queued) and not queued.exists()
    assert registry.record(isolated_runs, "waiting") is None
