"""Sidebar controls. They only collect settings; the page computes with them."""

from __future__ import annotations

import math
from pathlib import Path

import streamlit as st

from charlm.ui import params, safe
from charlm.ui.loaders import FALLBACK_SEED
from charlm.ui.strings import LANGUAGES, text

STATE_KEYS = {  # PageSettings field -> widget key
    "lang": "lang",
    "model": "model",
    "temperature": "temperature",
    "greedy": "greedy",
    "length": "length",
    "seed_text": "seed_text",
    "rng_seed": "rng_seed",
    "top_k": "top_k",
    "top_p": "top_p",
    "min_p": "min_p",
}


# Every setting widget keeps its value while another view hides it: Streamlit's own
# persist_state="session" carries the value over and tells the browser to show it again when the
# widget is redrawn. (Writing an undrawn widget's value back by hand left the browser showing the
# widget's default, and the next click committed that default: issue 18, defect 1.)
KEEP = "session"
VIEWS = params.VIEWS


def view_picker(lang: str) -> str:
    """Explore / Compare / Neurons / Train: only the chosen view is computed."""
    st.segmented_control(
        text(lang, "view"),
        VIEWS,
        format_func=lambda v: text(lang, f"tab_{v}"),
        key="view",
        label_visibility="collapsed",
    )
    if st.session_state.view not in VIEWS:  # clicking the selected option clears it
        st.session_state.view = "explore"
    return st.session_state.view


def init_from_link(models: list[str], default_model: str | None) -> None:
    """Once per session: seed every widget from the URL's query parameters."""
    if "_initialised" in st.session_state:
        return
    settings = params.from_query(st.query_params.to_dict(), models, default_model)
    for field, key in STATE_KEYS.items():
        st.session_state[key] = getattr(settings, field)
    if settings.seed_text is None:
        # One opening line for everyone (the preface's), not a random passage per visitor:
        # a class then shares cached generations. "Another passage" draws a random one.
        st.session_state.seed_text = FALLBACK_SEED
    st.session_state.view = settings.view
    if settings.step is not None:
        st.session_state.step = settings.step
    st.session_state.compare_greedy = settings.compare_greedy
    st.session_state.sweep_knob = settings.sweep_knob
    st.session_state.class_activity = settings.activity
    st.session_state.show_pipeline = settings.pipeline
    st.session_state.draw_100 = settings.draws
    st.session_state.compare_text = ", ".join(f"{t:g}" for t in settings.compare)
    st.session_state.neuron_kind = settings.neuron_kind
    st.session_state.neuron_source = settings.neuron_source
    if settings.neuron_layer is not None:
        st.session_state.neuron_layer = settings.neuron_layer
    if settings.neuron_unit is not None:  # else the view opens on its strongest cell
        st.session_state.neuron_unit = settings.neuron_unit
    st.session_state.use_timeline = settings.epoch is not None
    st.session_state.link_epoch = settings.epoch
    st.session_state.link_notices = settings.notices
    st.session_state._initialised = True


# Keys of the choices whose labels are in the page's language (format_func). The browser keeps
# the label it last showed as the choice's value; after a language switch a selectbox or radio
# read that old label back as the value itself (the link got "model=nietzsche-seed · 2.18
# bits/char" and the next run fell back to another model), a select_slider as its default.
# tests/ui/test_translated_choices.py checks that every such widget is listed here.
TRANSLATED_CHOICES = (
    "view",
    "model",
    "sweep_knob",
    "neuron_source",
    "neuron_kind",
    "class_activity",
    "vote-choice",
    "train_corpus",
    "train_recipe",
    "train_units",
)


def language_picker() -> str:
    st.sidebar.segmented_control(
        text(st.session_state.lang, "language"),
        list(LANGUAGES),
        format_func=LANGUAGES.get,
        key="lang",
        selection_mode="single",
        persist_state=KEEP,
    )
    if st.session_state.lang is None:  # clicking the selected option clears it
        st.session_state.lang = "en"
    lang = st.session_state.lang
    if st.session_state.get("_labels_lang", lang) != lang:
        relabel_choices()
    st.session_state._labels_lang = lang
    return lang


def relabel_choices() -> None:
    """After a language switch, before any choice is drawn: give each translated choice its
    own value again, so that Streamlit sends the browser its label in the new language."""
    for key in TRANSLATED_CHOICES:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def model_picker(lang: str, models: dict[str, dict]) -> str | None:
    if not models:
        return None
    if st.session_state.get("model") not in models:
        st.session_state.model = next(iter(models))

    def label(name: str) -> str:
        bits = (models[name].get("validation") or {}).get("bits_per_char")
        return text(lang, "model_option", name=name, bits=bits) if bits else name

    name = st.sidebar.selectbox(
        text(lang, "model"), list(models), format_func=label, key="model", persist_state=KEEP
    )
    st.sidebar.caption(model_summary(lang, models[name]))
    return name


def model_summary(lang: str, entry: dict) -> str:
    """What the chosen model read and how well it predicts held-out text, from its folder's
    metadata (Markdown-safe: a corpus name may be an uploaded file's)."""
    corpus = entry.get("corpus") or {}
    source = corpus.get("source") or (
        Path(corpus["path"]).name if corpus.get("path") else "nietzsche.txt"
    )
    parts = [text(lang, "model_corpus", corpus=safe.markdown(source))]
    if isinstance(corpus.get("characters"), int):
        parts.append(text(lang, "model_chars", chars=corpus["characters"]))
    figures = entry.get("validation") or {}
    if isinstance(figures.get("loss_nats"), (int, float)):
        bits = figures.get("bits_per_char") or figures["loss_nats"] / math.log(2)
        parts.append(text(lang, "model_loss", nats=figures["loss_nats"], bits=bits))
    return " · ".join(parts)


def epoch_picker(lang: str, epochs: list[int]) -> int | None:
    """The epoch-timeline slider, for models that kept a snapshot per epoch."""
    if not epochs:
        return None
    wanted = st.session_state.pop("link_epoch", None)
    if wanted is not None:
        st.session_state.epoch = min(max(wanted, epochs[0]), epochs[-1])
        if st.session_state.epoch != wanted:
            used = st.session_state.epoch
            notice = text(
                lang,
                "link_epoch_clamped",
                wanted=wanted,
                first=epochs[0],
                last=epochs[-1],
                used=used,
            )
            st.sidebar.warning(notice, icon="🔗")
    on = st.sidebar.toggle(
        text(lang, "timeline"),
        key="use_timeline",
        help=text(lang, "timeline_help"),
        persist_state=KEEP,
    )
    if not on:
        return None
    if st.session_state.get("epoch") not in epochs:
        st.session_state.epoch = epochs[-1]
    if len(epochs) == 1:
        return epochs[0]
    return st.sidebar.select_slider(
        text(lang, "epoch"), options=epochs, key="epoch", persist_state=KEEP
    )


def text_controls(lang: str, with_temperature: bool) -> None:
    """Temperature, greedy and length in the page beside the text they change (on a phone the
    sidebar is folded away); the Compare view has its own list of temperatures."""
    if with_temperature:
        left, middle, right = st.columns([3, 3, 2], vertical_alignment="center")
        left.slider(
            text(lang, "temperature"),
            params.T_MIN,
            params.T_MAX,
            step=params.T_STEP,
            key="temperature",
            persist_state=KEEP,
            disabled=bool(st.session_state.get("greedy")),
        )
        # A short label and the rest in help: a long one was cut to "Greedy (always th…".
        right.toggle(
            text(lang, "greedy"), key="greedy", help=text(lang, "greedy_help"), persist_state=KEEP
        )
    else:
        middle = st
    middle.slider(
        text(lang, "length"),
        params.LEN_MIN,
        params.LEN_MAX,
        step=10,
        key="length",
        persist_state=KEEP,
    )


def sampling_controls(lang: str, vocab_size: int) -> None:
    """Reproducibility and filtering settings, in the sidebar."""
    side = st.sidebar
    side.number_input(
        text(lang, "rng_seed"),
        0,
        params.RNG_MAX,
        step=1,
        key="rng_seed",
        persist_state=KEEP,
        help=text(lang, "rng_help"),
    )
    with side.expander(text(lang, "advanced")):
        wanted = st.session_state.get("top_k") or 0
        if wanted > vocab_size:  # e.g. k=1000 in a link, or a model with a smaller alphabet
            st.session_state.top_k = vocab_size
            st.info(text(lang, "top_k_lowered", k=wanted, size=vocab_size))
        st.number_input(text(lang, "top_k"), 0, vocab_size, step=1, key="top_k", persist_state=KEEP)
        st.slider(text(lang, "top_p"), 0.05, 1.0, step=0.01, key="top_p", persist_state=KEEP)
        st.slider(
            text(lang, "min_p"),
            0.0,
            1.0,
            step=0.01,
            key="min_p",
            help=text(lang, "min_p_help"),
            persist_state=KEEP,
        )


def neuron_settings() -> dict:
    """The Neurons view's cell, kind and text, as PageSettings fields."""
    layer, unit = st.session_state.get("neuron_layer"), st.session_state.get("neuron_unit")
    kind, source = st.session_state.get("neuron_kind"), st.session_state.get("neuron_source")
    return {
        "neuron_layer": layer if isinstance(layer, int) else None,
        "neuron_unit": unit if isinstance(unit, int) else None,
        "neuron_kind": kind if kind in params.NEURON_KINDS else params.NEURON_KINDS[0],
        "neuron_source": source if source in params.NEURON_SOURCES else params.NEURON_SOURCES[0],
    }


def current_settings(epoch: int | None) -> params.PageSettings:
    values = {field: st.session_state.get(key) for field, key in STATE_KEYS.items()}
    compare, _ = params.parse_compare(st.session_state.get("compare_text", ""))
    values["view"] = st.session_state.get("view", "explore")
    values["compare_greedy"] = bool(st.session_state.get("compare_greedy"))
    knob = st.session_state.get("sweep_knob")
    values["sweep_knob"] = knob if knob in params.SWEEP_ALONG else "temperature"
    activity = st.session_state.get("class_activity")
    values["activity"] = activity if activity in params.CLASS_ACTIVITIES else "guess"
    values["pipeline"] = bool(st.session_state.get("show_pipeline"))
    values["draws"] = bool(st.session_state.get("draw_100"))
    values.update(neuron_settings())
    return params.PageSettings(**values, compare=compare or params.DEFAULT_COMPARE, epoch=epoch)
