"""The Train view: ask for a run, wait in the queue, watch it live; the owner (or the teacher)
cancels, resumes, deletes, pins or publishes it."""

from __future__ import annotations

import math
import os
from pathlib import Path

import streamlit as st

from charlm.common.settings import MIN_PASSPHRASE_CHARS, Settings
from charlm.serving import jobs, ownership, run_queue
from charlm.training import runfiles
from charlm.training.recipes import RECIPES
from charlm.ui import charts, identity, safe, tables
from charlm.ui.strings import error_text, status_label, text

POLL_SECONDS = 2


def training_switch(settings: Settings) -> tuple[bool, str]:
    """(enabled, the secret or variable that switched it off)."""
    if not settings.training_enabled:
        return False, settings.training_set_by
    return True, ""


def teacher_passphrase(settings: Settings) -> str | None:
    return settings.teacher_passphrase


def train_tab(lang: str, settings: Settings) -> None:
    st.caption(text(lang, "train_intro"))
    for problem in settings.problems:
        st.warning(safe.markdown(problem))
    passphrase = teacher_passphrase(settings)
    viewer = identity.viewer(passphrase)
    enabled, why = training_switch(settings)
    if enabled:
        launch_form(lang, settings, viewer)
    else:
        st.info(text(lang, "training_disabled", why=safe.markdown(why)))
    if passphrase:
        teacher_box(lang, passphrase, viewer)
    elif settings.teacher_off:
        reason, source = settings.teacher_off
        st.info(
            text(
                lang,
                f"teacher_off_{reason}",
                source=safe.markdown(source),
                minimum=MIN_PASSPHRASE_CHARS,
            )
        )
    try:
        run_queue.ensure_dispatcher(settings.runs_dir)
        runs = visible_runs(settings.runs_dir, viewer)
    except OSError as exc:
        st.error(text(lang, "runs_unusable", error=safe.markdown(exc)))
        return
    if not runs:
        st.caption(text(lang, "no_runs"))
        return
    if viewer.teacher:
        tables.run_table(lang, runs)
    names = [run.name for run in runs]
    if st.session_state.get("watched_run") not in names:
        st.session_state.watched_run = names[0]
    st.selectbox(text(lang, "run"), names, key="watched_run")
    run_dir = Path(settings.runs_dir) / st.session_state.watched_run
    live_progress(lang, settings, run_dir, viewer, enabled)


def visible_runs(runs_dir: Path, viewer: ownership.Viewer) -> list[Path]:
    """Runs this viewer may see: public ones, published ones, their own; all for the teacher."""
    if not Path(runs_dir).is_dir():
        return []
    return [p for p in jobs.list_runs(runs_dir) if ownership.read_access(p).can_see(viewer)]


def teacher_box(
    lang: str, passphrase: str, viewer: ownership.Viewer, on_note: str = "teacher_on"
) -> None:
    """Unlock (or leave) teacher mode; `on_note` says what it allows in this view."""
    with st.expander(text(lang, "teacher")):
        if viewer.teacher:
            st.success(text(lang, on_note))
            if st.button(text(lang, "teacher_off"), key="teacher_off"):
                identity.lock_teacher()
                st.rerun()
            return
        given = st.text_input(text(lang, "passphrase"), type="password", key="teacher_pass")
        if st.button(text(lang, "unlock"), key="teacher_unlock"):
            wait = identity.seconds_until_next_guess()
            if wait > 0:
                st.error(text(lang, "too_many_tries", seconds=math.ceil(wait)))
            elif identity.unlock_teacher(given, passphrase):
                st.rerun()
            else:
                st.error(text(lang, "wrong_passphrase"))


RECIPE_CHOICES = ("quick", "seed", "fast")
RECIPE_DEFAULT = 0  # the units choice that keeps the recipe's own
UNIT_CHOICES = (RECIPE_DEFAULT, 32, 64, 128, 256, 512)
# A lesson's worth of training: the quick recipe writes readable words after about a minute
# of training, and its full 30 epochs took 10-14 minutes on two shared cores.
DEFAULT_MINUTES = 3


def launch_form(lang: str, settings: Settings, viewer: ownership.Viewer) -> None:
    """The corpus choice and the uploader sit outside the form, so the uploader shows only
    for "upload" and a short file is named at once; Enter in a box never submits the form."""
    source = st.radio(
        text(lang, "corpus"),
        ["nietzsche", "upload"],
        horizontal=True,
        key="train_corpus",
        format_func=lambda s: text(lang, f"corpus_{s}"),
    )
    upload = uploader(lang, settings) if source == "upload" else None
    with st.form("train_form", enter_to_submit=False):
        cols = st.columns(3)
        recipe = cols[0].radio(
            text(lang, "recipe"),
            RECIPE_CHOICES,
            key="train_recipe",
            format_func=lambda r: text(lang, f"recipe_{r}"),
        )
        epochs = cols[1].number_input(
            text(lang, "epochs", cap=settings.max_epochs),
            1,
            settings.max_epochs,
            value=None,
            placeholder=text(lang, "recipe_default"),
            key="train_epochs",
        )
        st.session_state.setdefault("train_units", RECIPE_DEFAULT)  # set, not a default:
        # a language switch sets it again (sidebar.relabel_choices)
        units = cols[2].select_slider(
            text(lang, "units"),
            UNIT_CHOICES,
            format_func=lambda u: text(lang, "recipe_default") if u == RECIPE_DEFAULT else str(u),
            key="train_units",
        )
        left, right = st.columns(2)
        top = max(settings.max_run_minutes, 1)
        minutes = left.number_input(
            text(lang, "budget_minutes", cap=top),
            1,
            top,
            value=min(DEFAULT_MINUTES, top),
            key="train_minutes",
        )
        name = right.text_input(text(lang, "run_name"), key="train_name", max_chars=48)
        st.caption(text(lang, "budget_note", minutes=min(DEFAULT_MINUTES, top)))
        pressed = st.form_submit_button(text(lang, "train_button"), type="primary")
    if pressed:
        file = (upload.name, upload.getvalue()) if upload is not None else None
        extra = tuple(jobs.trainer_args(max_seconds=int(minutes) * 60)) if minutes else ()
        outcome, message = launch(
            settings,
            recipe,
            None if epochs is None else int(epochs),
            units,
            source,
            file,
            name,
            lang,
            viewer,
            extra,
        )
        if outcome != "ok":  # a queued run speaks for itself below, from its live state
            st.warning(message)


# Streamlit's own uploader text is English ("Upload", "200MB per file • TXT"): hidden here,
# our caption above says the same in the page's language. Only our own strings go in.
BROWSE = '[data-testid="stFileUploaderDropzone"] button[data-testid="stBaseButton-secondary"]'


def _uploader_style(button: str) -> str:
    label = button.replace("\\", "").replace('"', "")
    return (
        "<style>"
        '[data-testid="stFileUploaderDropzoneInstructions"]{display:none}'
        # Only the browse button (secondary): a chosen file's remove button is in the dropzone too.
        f'{BROWSE} span:not([data-testid="stIconMaterial"]){{display:none}}'
        f'{BROWSE}::after{{content:"{label}";white-space:nowrap}}'
        "</style>"
    )


def uploader(lang: str, settings: Settings):
    """The .txt uploader, with its limits in the page's language; a file under the minimum
    is named at once, not only after pressing Train."""
    st.html(_uploader_style(text(lang, "upload_button")))
    st.caption(text(lang, "upload_limits", mb=settings.max_upload_mb))
    upload = st.file_uploader(
        text(lang, "upload", min=jobs.MIN_UPLOAD_CHARS),
        type=["txt"],
        key="train_upload",
        max_upload_size=settings.max_upload_mb,
    )
    st.caption(text(lang, "upload_private"))
    if upload is not None:
        try:
            chars = len(upload.getvalue().decode("utf-8-sig"))
        except UnicodeDecodeError:
            chars = None  # Train names the problem, with the byte that is wrong
        if chars is not None and chars < jobs.MIN_UPLOAD_CHARS:
            st.warning(text(lang, "upload_short", chars=chars, min=jobs.MIN_UPLOAD_CHARS))
    return upload


def launch(
    settings: Settings,
    recipe: str,
    epochs: int | None,
    units: int,
    source: str,
    upload: tuple[str, bytes] | None,
    name: str,
    lang: str,
    viewer: ownership.Viewer | None = None,
    extra: tuple[str, ...] = (),
) -> tuple[str, str]:
    """What the Train button does: ("ok" | "refused", message). Nothing starts on bad input.
    Epochs None and units RECIPE_DEFAULT keep the recipe's own (epochs capped by settings);
    `extra` are more trainer options (a time budget: "--max-seconds=180")."""
    corpus = None
    if source == "upload":
        if upload is None:
            return "refused", text(lang, "upload_needed")
        try:
            text_in = jobs.validate_upload(upload[0], upload[1], settings.max_upload_mb, recipe)
            corpus = (upload[0], text_in)
        except jobs.UploadError as exc:
            return "refused", error_text(lang, exc)
    owner = viewer.owner if viewer else None
    if epochs is None and recipe in RECIPES:
        epochs = min(RECIPES[recipe]().epochs, settings.max_epochs)
    extra = (*extra, *(jobs.trainer_args(units=units) if units != RECIPE_DEFAULT else ()))
    try:
        run_dir, position = jobs.request_run(
            settings, recipe, epochs, corpus, name or None, owner, extra
        )
    except (ValueError, OSError, run_queue.RequestRefused) as exc:
        return "refused", error_text(lang, exc)
    st.session_state.watched_run = run_dir.name
    return "ok", text(lang, "queued", name=safe.markdown(run_dir.name), position=position)


def live_progress(lang: str, settings: Settings, run_dir: Path, viewer, enabled: bool) -> None:
    """Polls only while the watched run is waiting or active, with one small file read per
    poll: an idle page costs the server nothing, and no other visitor is disturbed."""
    state = jobs.read_run(run_dir)
    every = POLL_SECONDS if state.active or state.status == "queued" else None
    st.fragment(_progress_view, run_every=every)(lang, settings, run_dir, viewer, enabled)


def _progress_view(lang: str, settings: Settings, run_dir: Path, viewer, enabled: bool) -> None:
    state = jobs.read_run(run_dir)
    access = ownership.read_access(run_dir)
    if not access.can_see(viewer):
        st.info(text(lang, "private_run"))
        return
    may_control = enabled and access.can_control(viewer)
    st.markdown(text(lang, "status", status=status_label(lang, state.status)))
    status_detail(lang, state, run_dir, may_control)
    if may_control:
        owner_actions(lang, settings, state, run_dir, access, viewer)
    _rerun_when_run_stops(state)
    curve = runfiles.read_curve(run_dir)
    if curve:
        live_samples(lang, curve)
    if state.history:
        st.markdown(f"**{text(lang, 'loss_chart')}**")
        st.vega_lite_chart(
            charts.history_chart(charts.history_rows(state.history, lang), lang), width="stretch"
        )
        tables.history_table(lang, state.history)
    if state.samples:
        latest = state.samples[-1]
        st.markdown(f"**{text(lang, 'latest_samples', epoch=latest['epoch'])}**")
        for temp, sample in latest["samples"].items():
            st.text(f"T = {temp}: {sample[:300]}")


EARLIER_SAMPLES = 4


def live_samples(lang: str, curve: list[dict]) -> None:
    """The newest sample (every few seconds of training), the validation loss over training
    time, and a few earlier samples to compare with."""
    latest = curve[-1]
    st.markdown(
        f"**{text(lang, 'live_sample', seconds=latest['seconds'], loss=latest['val_loss'])}**"
    )
    st.text(latest["sample"])
    if len(curve) > 1:
        rows = [{"seconds": row["seconds"], "loss": row["val_loss"]} for row in curve]
        st.vega_lite_chart(
            charts.curve_chart(rows, lang),
            width="stretch",
        )
        with st.expander(text(lang, "earlier_samples")):
            picks = curve[:-1][:: max(len(curve) // EARLIER_SAMPLES, 1)][:EARLIER_SAMPLES]
            for row in picks:
                st.caption(text(lang, "live_sample", seconds=row["seconds"], loss=row["val_loss"]))
                st.text(row["sample"])


def status_detail(lang: str, state: jobs.RunState, run_dir: Path, may_control: bool) -> None:
    progress = state.progress
    epochs = max(int(progress.get("epochs") or 1), 1)
    if state.status == "queued":
        place = run_queue.position(run_dir.parent, run_dir)
        st.info(text(lang, "queue_position", position=place or 1))
        return
    done_epochs = int(progress.get("epoch") or 0)
    finished = not state.active
    fraction = 1.0 if state.status == "done" else float(progress.get("fraction") or 0.0)
    label = (
        text(lang, "epochs_done", epoch=done_epochs, epochs=epochs)
        if finished
        else text(
            lang,
            "epoch_progress",
            epoch=min(done_epochs + 1, epochs),
            epochs=epochs,
            batch=progress.get("batch", 0),
        )
    )
    st.progress(min(max(fraction, 0.0), 1.0), text=label)
    if state.active and progress.get("eta_seconds") is not None:
        minutes, seconds = minutes_seconds(float(progress["eta_seconds"]))
        st.caption(text(lang, "eta", minutes=minutes, seconds=seconds))
    elif state.status == "failed":
        st.error(text(lang, "failed", message=safe.markdown(progress.get("message", ""))))
        if may_control:
            st.code(progress.get("traceback") or state.log_tail(), language="text")
    elif state.status == "interrupted":
        st.warning(text(lang, "interrupted"))
    elif state.status == "done":
        st.success(text(lang, "done", model=safe.markdown(f"runs/{state.name}")))
    elif state.status == "cancelled":
        note = progress.get("message")
        st.info(
            text(lang, "cancelled", epochs=len(state.history))
            + (f" ({safe.markdown(note)})" if note else "")
        )


def minutes_seconds(seconds: float) -> tuple[int, int]:
    """719.6 -> (12, 0): rounded to the second first, so it never reads "11 min 60 s"."""
    return divmod(max(round(seconds), 0), 60)


def owner_actions(lang, settings, state, run_dir: Path, access, viewer) -> None:
    cols = st.columns(4)
    if st.session_state.get("cancel_run") and not (state.active or state.status == "queued"):
        st.warning(text(lang, "not_running"))  # the click came after the run had stopped
    if state.active or state.status == "queued":
        if cols[0].button(text(lang, "cancel"), key="cancel_run"):
            if jobs.cancel_run(run_dir):
                st.info(text(lang, "cancelling"))
            else:
                st.warning(text(lang, "not_running"))
    elif state.status in {"interrupted", "failed", "cancelled"} and state.history:
        if cols[0].button(text(lang, "resume"), key="resume_run"):
            try:
                position = jobs.request_resume(settings, run_dir, viewer.owner)
                st.success(text(lang, "resumed", position=position))
            except (run_queue.RequestRefused, OSError) as exc:
                st.error(error_text(lang, exc))
    if not state.active:
        if cols[1].button(text(lang, "delete"), key="delete_run"):
            jobs.delete_run(run_dir)
            st.rerun()
    if cols[2].button(text(lang, "unpin" if access.pinned else "pin"), key="pin_run"):
        ownership.update_access(run_dir, pinned=not access.pinned)
        st.rerun()
    if access.private and cols[3].button(
        text(lang, "unpublish" if access.published else "publish"), key="publish_run"
    ):
        ownership.update_access(run_dir, published=not access.published)
        st.rerun()


def _rerun_when_run_stops(state: jobs.RunState) -> None:
    """When the watched run stops, rerun the whole page: polling ends, and a finished run's
    model appears in the model selector at once."""
    key = f"_was_active_{state.name}"
    was_active = st.session_state.get(key)
    st.session_state[key] = state.active or state.status == "queued"
    if was_active and not st.session_state[key] and os.environ.get("CHARLM_NO_AUTORERUN") != "1":
        st.rerun(scope="app")
