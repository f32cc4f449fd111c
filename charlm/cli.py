"""python -m charlm train / generate / evaluate / export / models / serve."""

from __future__ import annotations

import argparse
import errno
import os
import sys
import time
from pathlib import Path

from charlm.training import runfiles
from charlm.training.recipes import RECIPES, make_recipe, recipe_fields

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


class CliError(Exception):
    """A bad argument: printed as one line, exit code 2."""


def _temperature_arg(text: str):
    # NumPy only for the commands that compute: `serve` stays a 15 MB supervisor, not 37 MB.
    from charlm.generation import temperature as tmath

    if text.lower() == tmath.GREEDY:
        return tmath.GREEDY
    try:
        return tmath.check_temperature(float(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number (got {text!r})") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1 (got {value})")
    return value


def _seed_arg(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--seed must be a whole number (got {text!r})") from None
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"--seed must be between 0 and 2**32-1 (got {value})")
    return value


def _epoch_list(text: str) -> list[int]:
    try:
        epochs = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected epochs like 1,2,4 (got {text!r})") from None
    if not epochs or min(epochs) < 1:
        raise argparse.ArgumentTypeError(f"epochs must be >= 1 (got {text!r})")
    return epochs


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number (got {text!r})") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1] (got {value})")
    return value


class OneLineErrorParser(argparse.ArgumentParser):
    """Bad values get one line on stderr and exit code 2, not the whole usage text."""

    def error(self, message):
        self.exit(2, f"error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineErrorParser(prog="python -m charlm", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineErrorParser)
    _add_train(commands)
    _add_generate(commands)
    _add_evaluate_export_models(commands)
    _add_serve(commands)
    return parser


def _whole_number_in(low: int, high: int, what: str):
    """An argparse type: a whole number in [low, high] (`what` names it in the error)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what} (got {text!r})") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high} (got {value})")
        return value

    return parse


def _ip_address(text: str) -> str:
    from charlm.serving.proxy import check_address

    try:
        check_address(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _add_serve(commands) -> None:
    serve = commands.add_parser(
        "serve", help="serve a class from several Streamlit processes behind nginx"
    )
    serve.add_argument(
        "--processes",
        type=_whole_number_in(1, 64, "a number of processes"),
        default=None,
        help="Streamlit processes (default: one per core, at most 8)",
    )
    serve.add_argument(
        "--port",
        type=_whole_number_in(1, 65535, "a port"),
        default=8501,
        help="public port (default 8501)",
    )
    serve.add_argument(
        "--address", type=_ip_address, default=None, help="IP address to listen on (default: all)"
    )
    serve.add_argument(
        "--run-dir",
        type=Path,
        default=None,
        help="folder for nginx.conf and the logs, kept (default: a temporary one, removed)",
    )


def _add_train(commands) -> None:
    train = commands.add_parser("train", help="train a recipe into a run folder")
    train.add_argument(
        "--recipe", choices=sorted(RECIPES), default=None, help="model recipe (default: seed)"
    )
    train.add_argument("--out", required=True, type=Path, help="run folder, e.g. runs/NAME")
    train.add_argument(
        "--corpus", default=None, help="text file to train on (default: the Nietzsche corpus)"
    )
    train.add_argument("--resume", action="store_true", help="continue the run in --out")
    train.add_argument(
        "--strategy",
        choices=["default", "mirrored"],
        default="default",
        help="tf.distribute strategy: mirrored uses every local GPU",
    )
    train.add_argument("--name", default=None, help="display name of the run")
    train.add_argument(
        "--max-seconds",
        type=_positive_int,
        default=None,
        help="stop (as done) after this many seconds of training time",
    )
    for field, kind in recipe_fields().items():
        train.add_argument(
            f"--{field.replace('_', '-')}",
            dest=field,
            default=None,
            type=_positive_int if kind is int else (str if kind is str else float),
            help=f"override the recipe's {field}",
        )


def _add_generate(commands) -> None:
    generate = commands.add_parser("generate", help="sample text at one or more temperatures")
    generate.add_argument("--model", default="nietzsche-seed", help="bundled model name or folder")
    generate.add_argument(
        "--temperature",
        nargs="+",
        type=_temperature_arg,
        default=[0.2, 0.5, 1.0, 1.2],
        help="temperatures (or 'greedy')",
    )
    generate.add_argument(
        "--length", type=_positive_int, default=400, help="characters to generate"
    )
    generate.add_argument(
        "--seed-text", default=None, help="text to start from (default: a corpus passage)"
    )
    generate.add_argument(
        "--seed", type=_seed_arg, default=None, help="random seed (reproducible output)"
    )
    generate.add_argument("--top-k", type=_positive_int, default=None, help="keep the k likeliest")
    generate.add_argument("--top-p", type=_fraction, default=None, help="nucleus mass to keep")
    generate.add_argument(
        "--min-p", type=_fraction, default=None, help="keep chars >= this share of the likeliest"
    )
    generate.add_argument("--greedy", action="store_true", help="argmax instead of sampling")
    generate.add_argument("--epoch", type=_positive_int, default=None, help="use an epoch snapshot")


def _add_evaluate_export_models(commands) -> None:
    evaluate = commands.add_parser("evaluate", help="validation loss on the standard split")
    evaluate.add_argument("--model", default="nietzsche-seed", help="bundled model name or folder")
    evaluate.add_argument("--corpus", default=None, help="corpus (default: the model's own)")

    export = commands.add_parser("export", help="copy a run's model into a model folder")
    export.add_argument("run", type=Path, help="run folder")
    export.add_argument("--to", required=True, type=Path, help="destination model folder")
    export.add_argument("--name", default=None, help="model name in metadata")
    export.add_argument("--no-snapshots", action="store_true", help="leave epoch snapshots out")
    export.add_argument(
        "--snapshot-epochs", type=_epoch_list, default=None, help="keep only these, e.g. 1,2,4,8"
    )
    export.add_argument(
        "--snapshot-dtype",
        choices=["float32", "float16"],
        default="float32",
        help="float16 halves the snapshots (same text within the README's tolerance)",
    )

    commands.add_parser("models", help="list bundled and trained models")

    neurons = commands.add_parser(
        "neurons", help="find the cells that track quotes, line position, ... (neurons.json)"
    )
    neurons.add_argument("--model", default="nietzsche-seed", help="bundled model name or folder")
    neurons.add_argument("--corpus", default=None, help="corpus (default: the model's own)")
    neurons.add_argument(
        "--chars", type=_positive_int, default=None, help="validation characters to read"
    )

    sweeps = commands.add_parser(
        "sweeps", help="precompute the Compare sweeps a class meets (sweeps.json)"
    )
    sweeps.add_argument("--model", default="nietzsche-seed", help="bundled model name or folder")
    sweeps.add_argument("--rng", type=int, default=42, help="random numbers (the page's default)")

    commands.add_parser(
        "settings", help="check the CHARLM_* settings (as the app reads them) before serving"
    )

    dispatch = commands.add_parser("dispatch", help="work through the page's training queue")
    dispatch.add_argument("--runs", type=Path, default=None, help="runs folder (CHARLM_RUNS)")


def utf8_console() -> None:
    """Write UTF-8 whatever the console's encoding: a Windows redirect (cp1252) cannot hold
    Korean text or the unknown symbol, and would end in UnicodeEncodeError and an empty file."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower() != "utf-8":
            stream.reconfigure(encoding="utf-8", errors="backslashreplace")


def main(argv=None) -> int:
    utf8_console()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def lower_priority() -> None:
    """A trainer launched by the page yields the CPU to the page's visitors: nice, and
    SCHED_IDLE where Linux offers it. Called before TensorFlow starts its threads, which
    inherit both (Linux schedules threads, not processes)."""
    nice = os.environ.get("CHARLM_TRAINER_NICE", "").strip()
    if nice.lstrip("-").isdigit() and int(nice) > 0 and hasattr(os, "nice"):
        os.nice(int(nice))
    if os.environ.get("CHARLM_TRAINER_IDLE") == "1" and hasattr(os, "SCHED_IDLE"):
        try:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        except OSError:  # not permitted here: nice alone still applies
            pass


def cmd_train(args) -> int:
    from charlm.common.memory import limit_malloc_arenas

    limit_malloc_arenas()  # before TensorFlow starts its threads: each would get an arena
    from charlm.training.train import EXIT_BUSY, RunBusyError, train

    lower_priority()
    check_out_folder(args.out, args.resume)
    overrides = {field: getattr(args, field) for field in recipe_fields()}
    if args.resume:
        check_resume_options(args, overrides)
        recipe = None
    else:
        if args.corpus:
            check_corpus_file(args.corpus, args.recipe or "seed")
        try:
            recipe = make_recipe(args.recipe or "seed", **overrides)
        except ValueError as exc:
            raise CliError(str(exc)) from None
        check_corpus_fits(args.corpus, recipe)
    try:
        status = train(
            args.out,
            recipe,
            corpus_path=args.corpus,
            resume=args.resume,
            strategy=args.strategy,
            name=args.name,
            epochs=overrides.get("epochs"),
            max_seconds=args.max_seconds,
        )
    except RunBusyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except (FileExistsError, FileNotFoundError) as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise CliError(f"the disk is full: {args.out} keeps its completed epochs") from None
        raise CliError(f"cannot write the run folder {args.out}: {exc}") from None
    if status == "cancelled" and not runfiles.read_history(args.out):
        print(f"run stopped before its first epoch ended: nothing was saved in {args.out}")
        return 1
    print(f"run {status}: {args.out}")
    return 0


def check_corpus_fits(corpus: str | None, recipe) -> None:
    """Sizes first: a text too short for the recipe's context ends here, before any run folder."""
    from charlm.text.corpus import CorpusError, open_corpus, split_text
    from charlm.training.data import TextTooShortError, check_text_fits

    try:
        train_text, val_text = split_text(open_corpus(corpus).text)
        check_text_fits(recipe, len(train_text), len(val_text))
    except (CorpusError, TextTooShortError) as exc:
        raise CliError(str(exc)) from None


def check_resume_options(args, overrides: dict) -> None:
    """--resume continues the run as it was made; an option that contradicts it is refused."""
    from charlm.training import resume

    try:
        clashes = resume.conflicts(args.out, args.recipe, args.corpus, args.name, overrides)
    except resume.NoRunError as exc:
        raise CliError(str(exc)) from None
    if clashes:
        raise CliError(
            f"--resume continues {args.out} as it was made, so it cannot take "
            + "; ".join(clashes)
            + ". Start a new run with another --out instead."
        )


def _load(model: str, epoch=None):
    from charlm.generation.artifacts import ArtifactError, load_sampler, resolve_model

    try:
        return load_sampler(resolve_model(model), epoch)
    except ArtifactError as exc:
        raise CliError(str(exc)) from None


def cmd_generate(args) -> int:
    from charlm.generation import temperature as tmath
    from charlm.text.corpus import CorpusError, load_corpus, random_passage

    sampler, folder = _load(args.model, args.epoch)
    seed_text = args.seed_text
    if seed_text is None:
        try:
            text = load_corpus(folder.metadata["corpus"].get("path"), download=False)
            seed_text = random_passage(text, folder.context_length, args.seed)
        except CorpusError:
            seed_text = ""
    temps = [tmath.GREEDY] if args.greedy else args.temperature
    try:
        generation = sampler.generate(
            seed_text,
            args.length,
            temps,
            rng_seed=args.seed,
            top_k=args.top_k,
            top_p=args.top_p,
            min_p=args.min_p,
        )
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if generation.dropped:
        print(
            f"note: dropped characters not in the vocabulary: {generation.dropped}", file=sys.stderr
        )
    print(f'seed: "{generation.seed_text}"\n')
    for temp, text in zip(generation.temperatures, generation.texts):
        label = "greedy" if temp == tmath.GREEDY else f"T = {temp:g}"
        print(f"--- {label} ---\n{text}\n")
    return 0


def cmd_evaluate(args) -> int:
    from charlm.analysis.evaluation import validation_figures
    from charlm.text.corpus import CorpusError, load_corpus, split_text

    sampler, folder = _load(args.model)
    try:
        text = load_corpus(args.corpus or folder.metadata["corpus"].get("path"))
    except CorpusError as exc:
        raise CliError(str(exc)) from None
    val_ids = sampler.vocab.encode(split_text(text)[1], on_unknown="drop")
    figures = validation_figures(sampler.network, val_ids, folder.context_length)
    print(
        f"{folder.name}: validation loss {figures['loss_nats']:.4f} nats/char, "
        f"{figures['bits_per_char']:.4f} bits/char ({figures['chars_scored']:,} characters, "
        f"{figures['method']})"
    )
    return 0


def cmd_export(args) -> int:
    from charlm.generation.artifacts import ArtifactError
    from charlm.text.corpus import CorpusError
    from charlm.training.export import export_with_corpus

    if not (args.run / runfiles.RUN_FILE).is_file():
        raise CliError(f"{args.run} is not a run folder (it has no {runfiles.RUN_FILE})")
    try:
        path = export_with_corpus(
            args.run,
            args.to,
            snapshots=not args.no_snapshots,
            name=args.name,
            snapshot_epochs=args.snapshot_epochs,
            snapshot_dtype=args.snapshot_dtype,
        )
    except (ValueError, ArtifactError, CorpusError) as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"cannot write {args.to}: {exc.strerror or exc}") from None
    print(f"exported {args.run} -> {path}")
    return 0


def cmd_neurons(args) -> int:
    from charlm.analysis import neuron_report
    from charlm.text.corpus import CorpusError, load_corpus, split_text

    sampler, folder = _load(args.model)
    try:
        text = split_text(load_corpus(args.corpus or folder.metadata["corpus"].get("path")))[1]
        source = "validation split"
    except CorpusError as exc:
        text, source = folder.heldout_text(), "heldout.txt"
        if not text:
            raise CliError(f"{exc} (and the model folder has no heldout.txt)") from None
    chars = args.chars or neuron_report.DISCOVERY_CHARS
    report = neuron_report.build_report(sampler.network, sampler.vocab, text, source, chars)
    path = neuron_report.write_report(folder.path, report)
    print(f"{folder.name}: {report['characters']:,} characters of the {source}")
    print("\n".join(neuron_report.summary_lines(report)))
    print(f"wrote {path}")
    return 0


def cmd_sweeps(args) -> int:
    from charlm.analysis import sweep_store

    sampler, folder = _load(args.model)
    start = time.perf_counter()
    path = sweep_store.precompute(sampler, folder, args.rng)
    count = len(sweep_store.class_seeds(folder))
    print(f"{folder.name}: {count} sweeps in {time.perf_counter() - start:.1f} s; wrote {path}")
    return 0


def cmd_dispatch(args) -> int:
    from charlm.common.settings import load_settings
    from charlm.serving import quotas, run_queue

    settings = load_settings()
    runs_dir = args.runs or settings.runs_dir
    ran = run_queue.dispatch(
        runs_dir,
        max_seconds=settings.max_run_minutes * 60,
        after_each=lambda: quotas.trim_to_budget(runs_dir, settings.runs_budget_mb),
    )
    print(f"dispatcher: {ran} run(s) done, queue empty")
    return 0


def check_corpus_file(path: str, recipe: str = "quick") -> None:
    """The upload path's checks and messages, before any run folder is made."""
    from charlm.serving.jobs import UploadError, validate_upload

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read --corpus {path}: {exc.strerror or exc}") from None
    try:
        validate_upload(Path(path).name, data, max_mb=2048, recipe=recipe)
    except UploadError as exc:
        raise CliError(f"--corpus: {exc}") from None


def check_out_folder(out: Path, resume: bool) -> None:
    if str(out).strip() in {"", "."}:
        raise CliError("--out needs a folder for the run, e.g. runs/my-run")
    from charlm.serving.jobs import RunsFolderError, ensure_usable

    try:
        ensure_usable(out.parent if str(out.parent) else Path("."))
    except RunsFolderError as exc:
        raise CliError(str(exc)) from None


def cmd_models(args) -> int:
    from charlm.generation.artifacts import ArtifactError, list_models, open_model_folder

    for name, path in list_models().items():
        try:
            open_model_folder(path)
            print(f"{name}\t{path}")
        except ArtifactError as exc:
            print(f"{name}\t{path}\tunusable: {exc}")
    return 0


def cmd_settings(args) -> int:
    """What the app will run with, and every setting it refuses (exit 2 if any)."""
    from charlm.common.settings import MIN_PASSPHRASE_CHARS, load_settings

    settings = load_settings()
    print(f"training: {'on' if settings.training_enabled else 'off'}")
    if settings.teacher_off:
        reason, source = settings.teacher_off
        said = "blank" if reason == "blank" else "too short"
        print(
            f"teacher mode: off: the passphrase ({source}) is {said}; "
            f"it needs at least {MIN_PASSPHRASE_CHARS} characters",
            file=sys.stderr,
        )
    else:
        print(f"teacher mode: {'on' if settings.teacher_passphrase else 'off (no passphrase)'}")
    for problem in settings.problems:
        print(f"ignored: {problem}", file=sys.stderr)
    return 2 if settings.teacher_off or settings.problems else 0


def cmd_serve(args) -> int:
    from charlm.serving import proxy, server_group

    processes = args.processes or proxy.default_process_count()
    try:
        return server_group.serve(processes, args.port, args.address, args.run_dir)
    except proxy.NginxMissingError as exc:
        raise CliError(str(exc)) from None
    except server_group.ServeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


COMMANDS = {
    "serve": cmd_serve,
    "settings": cmd_settings,
    "train": cmd_train,
    "generate": cmd_generate,
    "evaluate": cmd_evaluate,
    "export": cmd_export,
    "models": cmd_models,
    "dispatch": cmd_dispatch,
    "neurons": cmd_neurons,
    "sweeps": cmd_sweeps,
}
