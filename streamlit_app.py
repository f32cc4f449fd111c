"""charlm — a temperature explorer for a character-level LSTM.

Page layout only: widgets collect settings, the charlm library generates, charts show it.
This process never imports TensorFlow (training runs in a separate process).
"""

from __future__ import annotations

import streamlit as st

from charlm import temperature as tmath
from charlm.artifacts import ArtifactError, open_model_folder
from charlm.settings import load_settings
from charlm.ui import compare, explore, params, sidebar
from charlm.ui.loaders import available_models, generate, get_sampler, passage
from charlm.ui.strings import text
from charlm.ui.train_panel import train_tab

st.set_page_config(page_title="charlm · temperature explorer", page_icon="🌡️", layout="wide")


def model_catalogue() -> dict[str, dict]:
    catalogue = {}
    for name, path in available_models().items():
        try:
            catalogue[name] = {"path": path, **open_model_folder(path).metadata}
        except ArtifactError:
            continue  # listed only when readable; a broken run folder is not offered
    return catalogue


def main() -> None:
    settings = load_settings()
    models = model_catalogue()
    default = "nietzsche-seed" if "nietzsche-seed" in models else next(iter(models), None)
    sidebar.init_from_link(list(models), default)
    lang = sidebar.language_picker()
    header(lang)
    seed_area = st.container()  # filled once the model is known; shown above the tabs
    tab_explore, tab_compare, tab_train = st.tabs(
        [text(lang, "tab_explore"), text(lang, "tab_compare"), text(lang, "tab_train")]
    )
    explore_and_compare(lang, models, settings, seed_area, tab_explore, tab_compare)
    with tab_train:  # last, so the generated text reaches the browser first
        train_tab(lang, settings)


def explore_and_compare(lang, models, settings, seed_area, tab_explore, tab_compare) -> None:
    chosen = choose_model(lang, models, settings, seed_area)
    if chosen is None:
        return
    name, path, sampler, folder, epoch = chosen
    sidebar.sampling_controls(lang, sampler.vocab.size)
    seed_controls(lang, seed_area, folder.context_length)
    page = sidebar.current_settings(epoch)

    temp = tmath.GREEDY if page.greedy else page.temperature
    gen, seconds = generate_for(page, path, [temp])
    if gen.dropped:
        seed_area.info(text(lang, "dropped", chars=", ".join(repr(c) for c in gen.dropped)))
    with tab_explore:
        explore.generated_text(lang, gen, 0, seconds, f"charlm-{name.replace('/', '-')}.txt")
        explore.step_inspector(lang, gen, 0)
    with tab_compare:
        page.compare = compare.temperatures_input(lang)
        compare.side_by_side(lang, generate_for(page, path, page.compare)[0])

    st.query_params.from_dict(params.to_query(page))
    st.sidebar.caption(f"{text(lang, 'share')}: {text(lang, 'share_help')}")


def header(lang: str) -> None:
    st.title(text(lang, "title"))
    st.caption(text(lang, "subtitle"))
    for notice in st.session_state.get("link_notices", []):
        st.warning(text(lang, "query_notice", detail=notice), icon="🔗")
    with st.expander(text(lang, "explain_title")):
        st.markdown(text(lang, "explain_body"))


def choose_model(lang, models, settings, seed_area):
    """(name, path, sampler, folder, epoch) of the selected model or snapshot, or None with
    a message when there is none or it cannot be loaded."""
    name = sidebar.model_picker(lang, models)
    if name is None:
        seed_area.info(text(lang, "no_models", path=settings.artifacts_dir))
        return None
    path = models[name]["path"]
    try:
        sampler, folder = get_sampler(path)
        epoch = sidebar.epoch_picker(lang, folder.snapshot_epochs())
        if epoch is not None:
            sampler, folder = get_sampler(path, epoch)
    except ArtifactError as exc:
        seed_area.error(text(lang, "model_error", error=exc))
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
    st.session_state.seed_text = passage(max(context_length, 60), None)


main()
