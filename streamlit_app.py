"""charlm — a temperature explorer for a character-level LSTM.

Page layout only: widgets collect settings, the charlm library generates, charts show it.
Only the chosen view (Explore, Compare, Train) is computed: a view nobody looks at costs nothing.
This process never imports TensorFlow (training runs in a separate process).
"""

from __future__ import annotations

import streamlit as st

from charlm.common.blas import set_blas_threads
from charlm.common.memory import limit_malloc_arenas
from charlm.common.settings import load_settings
from charlm.generation import temperature as tmath
from charlm.generation.artifacts import ArtifactError
from charlm.ui import compare, explore, identity, neurons_view, params, safe, sidebar
from charlm.ui.gate import one_run_at_a_time
from charlm.ui.loaders import (
    cell_report,
    context_influence,
    generate,
    get_sampler,
    model_catalogue,
    passage,
    temperature_sweep,
)
from charlm.ui.strings import text
from charlm.ui.train_panel import teacher_passphrase, train_tab

limit_malloc_arenas()
set_blas_threads(1)  # small matrices: a second BLAS thread only thrashes (charlm/common/blas.py)
st.set_page_config(page_title="charlm · temperature explorer", page_icon="🌡️", layout="wide")


def main() -> None:
    settings = load_settings()
    models, unusable = models_for(identity.viewer(teacher_passphrase(settings)), settings)
    default = "nietzsche-seed" if "nietzsche-seed" in models else next(iter(models), None)
    sidebar.init_from_link(list(models), default)
    lang = sidebar.language_picker()
    header(lang)
    view = sidebar.view_picker(lang)
    if unusable:
        names = ", ".join(safe.markdown(name) for name in unusable)
        st.sidebar.caption(text(lang, "unusable_models", names=names))
    drawn = {"lang", "view"}
    if view == "train":
        train_tab(lang, settings)
        st.query_params.from_dict(params.to_query(sidebar.current_settings(None)))
    else:
        drawn |= explore_or_compare(lang, view, models, settings)
    sidebar.hold_undrawn(drawn)


def models_for(viewer, settings) -> tuple[dict[str, dict], list[str]]:
    """(usable models, names of unusable folders) this viewer may see: a private run's model
    only for its owner and the teacher."""
    catalogue = model_catalogue(settings.artifacts_dir, settings.runs_dir)
    visible = {
        name: entry
        for name, entry in catalogue.items()
        if "_access" not in entry or entry["_access"].can_see(viewer)
    }
    models = {name: entry for name, entry in visible.items() if "_unusable" not in entry}
    return models, [name for name, entry in visible.items() if "_unusable" in entry]


def explore_or_compare(lang, view, models, settings) -> set[str]:
    """Draws the view; returns the keys of the widgets it drew."""
    seed_area = st.container()
    chosen = choose_model(lang, models, settings, seed_area)
    if chosen is None:
        return {"model"} if models else set()
    name, path, sampler, folder, epoch = chosen
    sidebar.sampling_controls(lang, sampler.vocab.size)
    seed_controls(lang, seed_area, folder.context_length)
    sidebar.text_controls(lang, with_temperature=view != "compare")
    page = sidebar.current_settings(epoch)
    if view == "compare":
        page.compare = compare.temperatures_input(lang)
        gen, _ = generate_for(page, path, page.compare)
        compare.side_by_side(lang, gen)
        points = temperature_sweep(path, page.epoch, page.seed_text, page.rng_seed)
        compare.temperature_sweep(lang, points, 0.05 if page.greedy else page.temperature)
    elif view == "neurons":
        gen, _ = generate_for(page, path, [tmath.GREEDY if page.greedy else page.temperature])
        units = sampler.network.units
        drawn = neurons_view.neurons_view(lang, path, epoch, units, gen, folder.heldout_text())
        neurons_view.memory_spans(lang, memory_reports(models, name, path, epoch))
    else:
        gen, seconds = generate_for(page, path, [tmath.GREEDY if page.greedy else page.temperature])
        explore.generated_text(lang, gen, 0, seconds, f"charlm-{name.replace('/', '-')}.txt")
        explore.step_inspector(
            lang, gen, 0, lambda context: context_influence(path, epoch, context)
        )
    if gen.dropped:
        chars = ", ".join(safe.markdown(repr(c)) for c in gen.dropped)
        seed_area.info(text(lang, "dropped", chars=chars))
    st.query_params.from_dict(params.to_query(page))
    st.sidebar.caption(f"{text(lang, 'share')}: {text(lang, 'share_help')}")
    timeline = sidebar.timeline_widgets(folder.snapshot_epochs())
    extra = drawn if view == "neurons" else set()
    return sidebar.MODEL_WIDGETS | sidebar.VIEW_WIDGETS[view] | timeline | extra


def memory_reports(models, name, path, epoch) -> dict[str, dict | None]:
    """Neuron reports of the bundled models (read from their folders) and the chosen one."""
    reports = {
        other: cell_report(entry["path"], None)
        for other, entry in models.items()
        if not other.startswith("runs/")
    }
    label = name if epoch is None else f"{name} @ {epoch}"
    if epoch is not None or name not in reports:
        reports[label] = cell_report(path, epoch)
    return reports


# One clear focus ring on everything a keyboard reaches (some widgets only change a border).
FOCUS_STYLE = (
    "<style>:focus-visible{outline:3px solid #1A56A6 !important;outline-offset:2px}</style>"
)


def header(lang: str) -> None:
    st.html(FOCUS_STYLE)  # style only: Streamlit keeps it out of the page's layout
    st.title(text(lang, "title"))
    st.caption(text(lang, "subtitle"))
    for notice in st.session_state.get("link_notices", []):
        st.warning(text(lang, "query_notice", detail=safe.markdown(notice)), icon="🔗")
    with st.expander(text(lang, "explain_title")):
        st.markdown(text(lang, "explain_body"))


def choose_model(lang, models, settings, seed_area):
    """(name, path, sampler, folder, epoch) of the selected model or snapshot, or None with
    a message when there is none or it cannot be loaded."""
    name = sidebar.model_picker(lang, models)
    if name is None:
        seed_area.info(text(lang, "no_models", path=safe.markdown(settings.artifacts_dir)))
        return None
    path = models[name]["path"]
    try:
        sampler, folder = get_sampler(path)
        epoch = sidebar.epoch_picker(lang, folder.snapshot_epochs())
        if epoch is not None:
            sampler, folder = get_sampler(path, epoch)
    except ArtifactError as exc:
        seed_area.error(text(lang, "model_error", error=safe.markdown(exc)))
        return None
    return name, path, sampler, folder, epoch


def seed_controls(lang: str, area, context_length: int) -> None:
    area.text_area(
        text(lang, "seed_text"), key="seed_text", height=90, max_chars=params.SEED_TEXT_MAX
    )
    area.button(
        text(lang, "another_passage"),
        key="another_passage",
        on_click=new_passage,
        args=(context_length,),
    )


def generate_for(page: params.PageSettings, path, temperatures):
    """(generation, seconds) for the page's settings at `temperatures` (cached)."""
    top_k = page.top_k or None
    top_p = page.top_p if page.top_p < 1.0 else None
    return generate(
        path, page.epoch, page.seed_text, page.length, temperatures, page.rng_seed, top_k, top_p
    )


def new_passage(context_length: int) -> None:
    current = st.session_state.get("seed_text")
    st.session_state.seed_text = passage(max(context_length, 60), None, avoid=current)


with one_run_at_a_time():
    main()
    identity.store_new_token()
