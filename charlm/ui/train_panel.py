"""The Train tab: launch a background run, watch it live, cancel or resume it."""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from charlm import jobs
from charlm.settings import Settings
from charlm.train import RunBusyError
from charlm.ui import charts
from charlm.ui.strings import status_label, text

POLL_SECONDS = 2


def training_switch(settings: Settings) -> tuple[bool, str]:
    """(enabled, why not): env CHARLM_TRAINING=0 or secret training_enabled = false turn it off."""
    if not settings.training_enabled:
        return False, "CHARLM_TRAINING=0"
    try:
        secret = st.secrets.get("training_enabled", True)
    except Exception:  # no secrets file: Streamlit raises when secrets are read
        secret = True
    if str(secret).lower() in {"0", "false", "no", "off"}:
        return False, "secrets: training_enabled = false"
    return True, ""


def train_tab(lang: str, settings: Settings) -> None:
    st.caption(text(lang, "train_intro"))
    enabled, why = training_switch(settings)
    if enabled:
        launch_form(lang, settings)
    else:
        st.info(text(lang, "training_disabled", why=why))
    runs = jobs.list_runs(settings.runs_dir)
    if not runs:
        st.caption(text(lang, "no_runs"))
        return
    names = [run.name for run in runs]
    if st.session_state.get("watched_run") not in names:
        st.session_state.watched_run = names[0]
    st.selectbox(text(lang, "run"), names, key="watched_run")
    live_progress(lang, settings.runs_dir, enabled)


def launch_form(lang: str, settings: Settings) -> None:
    with st.form("train_form"):
        cols = st.columns(3)
        recipe = cols[0].radio(
            text(lang, "recipe"),
            ["seed", "fast"],
            key="train_recipe",
            format_func=lambda r: text(lang, f"recipe_{r}"),
        )
        epochs = cols[1].number_input(
            text(lang, "epochs", cap=settings.max_epochs),
            1,
            settings.max_epochs,
            value=min(5, settings.max_epochs),
            key="train_epochs",
        )
        units = cols[2].select_slider(
            text(lang, "units"), [32, 64, 128, 256, 512], value=128, key="train_units"
        )
        source = st.radio(
            text(lang, "corpus"),
            ["nietzsche", "upload"],
            horizontal=True,
            key="train_corpus",
            format_func=lambda s: text(lang, f"corpus_{s}"),
        )
        upload = st.file_uploader(text(lang, "upload"), type=["txt"], key="train_upload")
        name = st.text_input(text(lang, "run_name"), key="train_name", max_chars=48)
        pressed = st.form_submit_button(text(lang, "train_button"), type="primary")
    if pressed:
        file = (upload.name, upload.getvalue()) if upload is not None else None
        message = launch(settings, recipe, int(epochs), units, source, file, name, lang)
        (st.success if message[0] == "ok" else st.warning)(message[1])


def launch(
    settings: Settings,
    recipe: str,
    epochs: int,
    units: int,
    source: str,
    upload: tuple[str, bytes] | None,
    name: str,
    lang: str,
) -> tuple[str, str]:
    """What the Train button does: ("ok" | "refused", message). Nothing starts on bad input."""
    corpus_path = None
    if source == "upload":
        if upload is None:
            return "refused", text(lang, "upload_needed")
        try:
            corpus_text = jobs.validate_upload(upload[0], upload[1], settings.max_upload_mb)
        except jobs.UploadError as exc:
            return "refused", str(exc)
        corpus_path = jobs.save_upload(settings.runs_dir, upload[0], corpus_text)
    try:
        run_dir = jobs.start_run(
            settings.runs_dir,
            recipe,
            epochs,
            corpus_path,
            name or None,
            max_epochs=settings.max_epochs,
            extra_args=("--units", str(units)),
        )
    except RunBusyError:
        return "refused", text(lang, "busy")
    except ValueError as exc:
        return "refused", str(exc)
    st.session_state.watched_run = run_dir.name
    return "ok", text(lang, "started", name=run_dir.name)


def live_progress(lang: str, runs_dir: Path, enabled: bool) -> None:
    """Polls only while the watched run is active: an idle page costs the server nothing."""
    run_dir = Path(runs_dir) / st.session_state.watched_run
    every = POLL_SECONDS if jobs.read_run(run_dir).active else None
    st.fragment(_progress_view, run_every=every)(lang, run_dir, enabled)


def _progress_view(lang: str, run_dir: Path, enabled: bool) -> None:
    state = jobs.read_run(run_dir)
    progress = state.progress
    epochs = progress.get("epochs") or 1
    st.markdown(text(lang, "status", status=status_label(lang, state.status)))
    fraction = min(max(float(progress.get("fraction") or 0.0), 0.0), 1.0)
    st.progress(
        fraction,
        text=text(
            lang,
            "epoch_progress",
            epoch=min(progress.get("epoch", 0) + 1, epochs)
            if state.active
            else progress.get("epoch", 0),
            epochs=epochs,
            batch=progress.get("batch", 0),
        ),
    )
    if state.active:
        eta = float(progress.get("eta_seconds") or 0)
        st.caption(text(lang, "eta", minutes=eta // 60, seconds=eta % 60))
        if enabled and st.button(text(lang, "cancel"), key="cancel_run"):
            jobs.cancel_run(run_dir)
            st.info(text(lang, "cancelling"))
    elif state.status == "failed":
        st.error(text(lang, "failed", message=progress.get("message", "")))
        st.code(progress.get("traceback") or state.log_tail(), language="text")
    elif state.status == "interrupted":
        st.warning(text(lang, "interrupted"))
        if enabled and st.button(text(lang, "resume"), key="resume_run"):
            try:
                jobs.resume_run(run_dir)
            except RunBusyError:
                st.warning(text(lang, "busy"))
    elif state.status == "done":
        st.success(text(lang, "done", model=f"runs/{state.name}"))
    elif state.status == "cancelled":
        st.info(text(lang, "cancelled", epochs=len(state.history)))
    _rerun_when_run_stops(state)
    if state.history:
        st.markdown(f"**{text(lang, 'loss_chart')}**")
        st.vega_lite_chart(charts.history_chart(charts.history_rows(state.history)), width="stretch")
    if state.samples:
        latest = state.samples[-1]
        st.markdown(f"**{text(lang, 'latest_samples', epoch=latest['epoch'])}**")
        for temp, sample in latest["samples"].items():
            st.text(f"T = {temp}: {sample[:300]}")


def _rerun_when_run_stops(state: jobs.RunState) -> None:
    """When the watched run stops, rerun the whole page: polling ends, and a finished run's
    model appears in the model selector at once."""
    key = f"_was_active_{state.name}"
    was_active = st.session_state.get(key)
    st.session_state[key] = state.active
    if was_active and not state.active and os.environ.get("CHARLM_NO_AUTORERUN") != "1":
        st.rerun(scope="app")
