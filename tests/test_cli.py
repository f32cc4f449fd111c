import pytest

from charlm.cli import main


def generate(capsys, model, *argv):
    return run(capsys, "generate", "--model", str(model), *argv)


def run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_generate_prints_one_labelled_sample_per_temperature(capsys, tiny_seed_model):
    argv = [
        "--temperature",
        "0.2",
        "1.2",
        "--length",
        "50",
        "--seed-text",
        "the man",
        "--seed",
        "1",
    ]
    code, out, _ = generate(capsys, tiny_seed_model, *argv)
    assert code == 0
    assert "--- T = 0.2 ---" in out and "--- T = 1.2 ---" in out
    assert generate(capsys, tiny_seed_model, *argv)[1] == out  # the same seed prints the same text


def test_greedy_top_k_top_p_flags(capsys, tiny_seed_model):
    short = ["--length", "20", "--seed-text", "the"]
    code, out, _ = generate(capsys, tiny_seed_model, "--greedy", *short)
    assert code == 0 and "--- greedy ---" in out
    filters = ["--top-k", "3", "--top-p", "0.9", "--seed", "2"]
    code, out, _ = generate(capsys, tiny_seed_model, *filters, *short)
    assert code == 0 and out.count("--- T =") == 4


@pytest.mark.parametrize(
    "argv",
    [
        ["--temperature", "0"],
        ["--temperature", "nan"],
        ["--temperature", "-1"],
        ["--length", "0"],
        ["--top-p", "1.5"],
        ["--top-k", "zero"],
    ],
)
def test_bad_values_get_one_line_and_exit_2(capsys, tiny_seed_model, argv):
    code, out, err = generate(capsys, tiny_seed_model, *argv)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("error:")


def test_unknown_model_exits_2(capsys):
    code, _, err = run(capsys, "generate", "--model", "no-such-model")
    assert code == 2 and "no model named" in err


def test_unknown_seed_characters_are_reported_not_fatal(capsys, tiny_seed_model):
    argv = ["--length", "10", "--seed-text", "Zebra #1", "--temperature", "1"]
    code, out, err = generate(capsys, tiny_seed_model, *argv)
    assert code == 0 and "dropped" in err


def test_evaluate_prints_nats_and_bits(capsys, tiny_seed_model, tiny_corpus):
    code, out, _ = run(
        capsys, "evaluate", "--model", str(tiny_seed_model), "--corpus", str(tiny_corpus)
    )
    assert code == 0 and "nats/char" in out and "bits/char" in out


def test_bad_recipe_field_exits_2(capsys, tmp_path):
    code, _, err = run(
        capsys, "train", "--recipe", "seed", "--units", "-3", "--out", str(tmp_path / "x")
    )
    assert code == 2 and "error:" in err
    code, _, err = run(
        capsys, "train", "--recipe", "seed", "--layers", "2", "--out", str(tmp_path / "x")
    )
    assert code == 2 and "no field" in err


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "empty"),
        (b"tiny text", "at least 10,000"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20000, "binary"),
        ("long enough text ".encode("utf-16-le") * 1000, "UTF-16"),
        ("café latte ".encode("latin-1") * 2000, "not UTF-8"),
        (b"a" * 20_000, "only 1 distinct character"),
    ],
)
def test_train_refuses_bad_corpus_files_before_making_a_run(capsys, tmp_path, content, reason):
    corpus = tmp_path / "corpus.txt"
    corpus.write_bytes(content)
    out_dir = tmp_path / "runs" / "r"
    code, _, err = run(capsys, "train", "--corpus", str(corpus), "--out", str(out_dir))
    assert code == 2 and reason in err and "Traceback" not in err
    assert not out_dir.exists()


def test_train_refuses_an_empty_out_and_an_unwritable_folder(capsys, tmp_path):
    code, _, err = run(capsys, "train", "--out", "")
    assert code == 2 and "--out" in err
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run(capsys, "train", "--out", str(blocker / "runs" / "r"))
    assert code == 2 and "cannot be written" in err


def test_generate_names_the_seed_flag_and_bounds_the_work(capsys, tiny_seed_model):
    code, _, err = generate(capsys, tiny_seed_model, "--seed", "-1")
    assert code == 2 and "--seed" in err
    temps = ["1.0"] * 100
    code, _, err = generate(capsys, tiny_seed_model, "--length", "100000", "--temperature", *temps)
    assert code == 2 and "too much work" in err


def test_neurons_writes_a_report_into_the_model_folder(
    capsys, tmp_path, tiny_fast_model, tiny_corpus
):
    import json
    import shutil

    folder = tmp_path / "model"
    shutil.copytree(tiny_fast_model, folder)
    (folder / "neurons.json").unlink(missing_ok=True)
    code, out, _ = run(capsys, "neurons", "--model", str(folder), "--corpus", str(tiny_corpus))
    assert code == 0, out
    report = json.loads((folder / "neurons.json").read_text(encoding="utf-8"))
    assert report["source"] == "validation split" and report["characters"] > 1000
    assert "since_space" in report["features"] and "since_space" in out
    assert 0 <= report["memory"]["span"] <= len(report["memory"]["curve"])


def test_seed_recipe_refuses_a_large_alphabet_with_the_count(capsys, tmp_path):
    corpus = tmp_path / "hanzi.txt"
    corpus.write_text("".join(chr(0x4E00 + i) for i in range(300)) * 40, encoding="utf-8")
    code, _, err = run(
        capsys, "train", "--recipe", "seed", "--corpus", str(corpus), "--out", str(tmp_path / "r")
    )
    assert code == 2 and "300 distinct characters" in err and "quick or fast" in err
    assert not (tmp_path / "r").exists()


def test_export_keeps_chosen_snapshots_in_float16(capsys, tmp_path, tiny_fast_model):
    from pathlib import Path

    run_dir = Path(tiny_fast_model).parent
    out = tmp_path / "half"
    argv = ["export", str(run_dir), "--to", str(out), "--snapshot-epochs", "1"]
    code, _, err = run(capsys, *argv, "--snapshot-dtype", "float16")
    assert code == 0, err
    assert [p.name for p in (out / "snapshots").iterdir()] == ["epoch_001.weights.h5"]
    code, _, err = run(capsys, "export", str(run_dir), "--to", str(out), "--snapshot-epochs", "9")
    assert code == 2 and "no completed epoch(s) [9]" in err


def test_generate_writes_utf8_to_a_cp1252_redirect(tmp_path, tiny_seed_model):
    """A Windows redirect (cp1252) gets UTF-8, not UnicodeEncodeError and an empty file."""
    import json
    import os
    import shutil
    import subprocess
    import sys

    folder = tmp_path / "model"
    shutil.copytree(tiny_seed_model, folder)
    vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
    vocab["chars"][vocab["chars"].index(" ")] = "한"  # every space comes out as 한
    vocab["chars"].sort()
    (folder / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    out_file = tmp_path / "out.txt"
    env = {**os.environ, "PYTHONIOENCODING": "cp1252"}
    argv = ["generate", "--model", str(folder), "--length", "200", "--seed", "1"]
    with open(out_file, "wb") as out:
        done = subprocess.run(
            [sys.executable, "-m", "charlm", *argv, "--seed-text", "the man 사람 "],
            stdout=out,
            stderr=subprocess.PIPE,
            env=env,
            timeout=120,
        )
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    text = out_file.read_bytes().decode("utf-8")
    assert "한" in text and "--- T = 0.5 ---" in text
    assert "사" in done.stderr.decode("utf-8")  # the dropped-characters note, in UTF-8 too


def test_train_checks_the_context_against_the_text_before_making_a_run(capsys, tmp_path):
    from tests.conftest import make_text

    corpus = tmp_path / "ten-thousand.txt"
    corpus.write_text(make_text(3000)[:10_000], encoding="utf-8")
    out_dir = tmp_path / "runs" / "r"
    argv = ["train", "--recipe", "fast", "--seq-len", "2000", "--corpus", str(corpus)]
    code, _, err = run(capsys, *argv, "--out", str(out_dir))
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "--seq-len 2000" in err and "validation part" in err and "1,000" in err
    assert not out_dir.exists()


def test_a_run_stopped_before_its_first_epoch_says_nothing_was_saved(capsys, tmp_path, tiny_corpus):
    import json

    out_dir = tmp_path / "runs" / "r"
    argv = ["train", "--recipe", "fast", "--corpus", str(tiny_corpus), "--out", str(out_dir)]
    slow = ["--units", "64", "--seq-len", "40", "--batch-size", "1", "--epochs", "1"]
    code, out, err = run(capsys, *argv, *slow, "--max-seconds", "1")
    assert code == 1 and "nothing was saved" in out and "run done" not in out
    progress = json.loads((out_dir / "progress.json").read_text())
    assert progress["status"] == "cancelled" and "nothing was saved" in progress["message"]
    assert not (out_dir / "model").exists()


@pytest.mark.parametrize(
    "change, named",
    [
        (["--units", "64"], "--units 64"),
        (["--corpus", "other.txt"], "--corpus"),
        (["--recipe", "fast"], "--recipe fast"),
    ],
)
def test_resume_refuses_options_that_contradict_the_run(
    capsys, tmp_path, tiny_seed_model, change, named
):
    from pathlib import Path

    (tmp_path / "other.txt").write_text("other text " * 2000, encoding="utf-8")
    run_dir = Path(tiny_seed_model).parent
    before = (run_dir / "run.json").read_text()
    change = [str(tmp_path / c) if c.endswith(".txt") else c for c in change]
    code, _, err = run(capsys, "train", "--resume", "--out", str(run_dir), *change)
    assert code == 2 and len(err.strip().splitlines()) == 1 and named in err, err
    assert (run_dir / "run.json").read_text() == before


def test_resume_of_a_folder_without_a_run_is_one_line(capsys, tmp_path):
    code, _, err = run(capsys, "train", "--resume", "--out", str(tmp_path / "nothing"))
    assert code == 2 and "holds no run" in err


def test_export_of_a_missing_run_or_to_a_read_only_folder_is_one_line(
    capsys, tmp_path, tiny_seed_model
):
    import os
    from pathlib import Path

    code, _, err = run(capsys, "export", str(tmp_path / "no-run"), "--to", str(tmp_path / "m"))
    assert code == 2 and "not a run folder" in err and len(err.strip().splitlines()) == 1
    run_dir = Path(tiny_seed_model).parent
    blocker = tmp_path / "a-file"  # no one, root included, can make a folder inside a file
    blocker.write_text("x")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        targets = [blocker / "model"] + ([] if os.access(locked, os.W_OK) else [locked / "m"])
        for target in targets:
            code, _, err = run(capsys, "export", str(run_dir), "--to", str(target))
            assert code == 2 and "cannot write" in err, err
            assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    finally:
        locked.chmod(0o700)


def test_option_like_values_are_values(capsys, tiny_seed_model):
    code, out, err = generate(capsys, tiny_seed_model, "--seed-text=--help", "--length", "5")
    assert code == 0 and 'seed: "' in out, err


def test_settings_refuses_a_weak_teacher_passphrase(capsys, monkeypatch):
    monkeypatch.setenv("CHARLM_TEACHER_PASSPHRASE", " ")
    code, out, err = run(capsys, "settings")
    assert code == 2 and "teacher mode: off" in err and "blank" in err
    monkeypatch.setenv("CHARLM_TEACHER_PASSPHRASE", "owl-lantern-42")
    monkeypatch.setenv("CHARLM_TRAINING", "disabled")
    code, out, err = run(capsys, "settings")
    assert code == 0 and "teacher mode: on" in out and "training: off" in out
