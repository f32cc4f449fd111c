"""What `train --resume` may change: it continues a run as it was made, so an option that
contradicts the run's run.json (another corpus, recipe or recipe field) is refused."""

from __future__ import annotations

from pathlib import Path

from charlm.common import atomic
from charlm.training import runfiles

# Recipe fields a resumed run may change: how long it goes on.
MAY_CHANGE = {"epochs"}


class NoRunError(ValueError):
    """The folder holds no run to resume."""


def conflicts(
    run_dir: Path,
    recipe: str | None,
    corpus: str | None,
    name: str | None,
    overrides: dict,
) -> list[str]:
    """The given options (None: not given) that contradict the run in `run_dir`, each as
    "--option value (the run's is X)"; NoRunError when there is no readable run.json."""
    run = atomic.read_json(Path(run_dir) / runfiles.RUN_FILE)
    if not isinstance(run, dict) or not isinstance(run.get("recipe"), dict):
        raise NoRunError(f"cannot resume: {run_dir} holds no run (no readable run.json)")
    made = run["recipe"]
    made_corpus = (run.get("corpus") or {}).get("path")
    found = []
    if recipe is not None and recipe != made.get("name"):
        found.append(f"--recipe {recipe} (the run's is {made.get('name')})")
    if corpus is not None and not _same_file(corpus, made_corpus):
        found.append(f"--corpus {corpus} (the run's is {made_corpus or 'nietzsche'})")
    if name is not None and name != run.get("name"):
        found.append(f"--name {name} (the run's is {run.get('name')})")
    for field, value in overrides.items():
        if value is not None and field not in MAY_CHANGE and value != made.get(field):
            option = "--" + field.replace("_", "-")
            found.append(f"{option} {value} (the run's is {made.get(field, 'not set')})")
    return found


def _same_file(given: str, recorded: str | None) -> bool:
    if recorded is None or recorded == "nietzsche":
        return given == "nietzsche"
    try:
        return Path(given).resolve() == Path(recorded).resolve()
    except OSError:
        return False
