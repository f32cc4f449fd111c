"""charlm — a temperature explorer for a character-level LSTM.

Page layout only: widgets collect settings, the charlm library generates, charts show it.
Only the chosen view (Explore, Compare, Train) is computed: a view nobody looks at costs nothing.
This process never imports TensorFlow (training runs in a separate process).
"""

from __future__ import annotations

import logging

import streamlit as st

from charlm.analysis import sweep
from charlm.common.blas import set_blas_threads
from charlm.common.memory import fix_mmap_threshold, limit_malloc_arenas
from charlm.generation import temperature as tmath
from charlm.generation.artifacts import ArtifactError
from charlm.ui import (
    browser,
    class_view,
    compare,
    explore,
    identity,
    knobs_panel,
    neurons_view,
    page_settings,
    params,
    safe,
    sidebar,
)
from charlm.ui.gate import one_run_at_a_time
from charlm.ui.loaders import (
    cell_report,
    context_influence,
    corpus_name,
    generate,
    get_sampler,
    knob_sweep,
    model_catalogue,
    passage,
    temperature_sweep,
)
from charlm.ui.strings import error_text, text
from charlm.ui.train_panel import teacher_passphrase, train_tab

_log = logging.getLogger("charlm.page")
limit_malloc_arenas()
fix_mmap_threshold()  # a class's freed arrays go back to the system (charlm/common/memory.py)
set_blas_threads(1)  # small matrices: a second BLAS thread only thrashes (charlm/common/blas.py)
st.set_page_config(page_title="charlm · temperature explorer", page_icon="🌡️", layout="wide")


def main() -> None:
    settings = page_settings.load()
    models, unusable = models_for(identity.viewer(teacher_passphrase(settings)), settings)
    default = "nietzsche-seed" if "nietzsche-seed" in models else next(iter(models), None)
    sidebar.init_from_link(list(models), default)
    lang = sidebar.language_picker()
    header(lang, corpus_name(lang, models.get(st.session_state.get("model"))))
    view = sidebar.view_picker(lang)
    if unusable:
        names = ", ".join(safe.markdown(name) for name in unusable)
        st.sidebar.caption(text(lang, "unusable_models", names=names))
    if view == "train":
        train_tab(lang, settings)
        st.query_params.from_dict(params.to_query(sidebar.current_settings(None)))
    elif view == "class":  # the Class view: guess the temperature, which reads best
        class_view.class_tab(lang, settings, models)
        st.query_params.from_dict(params.to_query(sidebar.current_settings(None)))
    else:
        explore_or_compare(lang, view, models, settings)
    share(lang)


def share(lang: str) -> None:
    """The page address holds every setting (and the inspected step): one button copies it."""
    with st.sidebar:
        st.caption(f"{text(lang, 'share')}: {text(lang, 'share_help')}")
        browser.copy_link_button(
            text(lang, "copy_link"), text(lang, "link_copied"), text(lang, "copy_failed")
        )


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


def explore_or_compare(lang, view, models, settings) -> None:
    """Draws the view: the model and sampling settings in the sidebar, then the view's own
    controls and results (view_body)."""
    messages = st.container()
    chosen = choose_model(lang, models, settings, messages)
    if chosen is None:
        return
    sidebar.sampling_controls(lang, chosen[2].vocab.size)
    view_body(lang, view, models, chosen)


@st.fragment
def view_body(lang, view, models, chosen) -> None:
    """A control in the view's own part of the page (temperature, length, the seed text, the
    step, Compare's list) reruns only this part, not the header and sidebar: a cached
    temperature move costs the server 6.1 ms of CPU instead of 10.2 ms, and the easy class
    of 120 gets a p95 of 0.98-1.41 s instead of 1.64-1.88 s (benchmarks/classroom_load.py).
    A control outside it (model, language, view, rng seed, top-k/p, min-p) reruns the page.
    Explore puts temperature and the text first, so that the first screen of a laptop, a
    projector or a phone shows both (the seed box follows the text)."""
    with one_run_at_a_time():  # a rerun of this part alone queues like a page run
        draw_view(lang, view, models, chosen)


def draw_view(lang, view, models, chosen) -> None:
    name, path, sampler, folder, epoch = chosen
    seed_area = st.container() if view != "explore" else None
    if seed_area is not None:
        seed_controls(lang, seed_area, folder.context_length, path)
    sidebar.text_controls(lang, with_temperature=view != "compare")
    page = sidebar.current_settings(epoch)
    if view == "compare":
        page.compare = compare.temperatures_input(lang)
        gen, _ = generate_for(page, path, page.compare)
        compare.side_by_side(lang, gen)
        sweep_section(lang, page, path)
    elif view == "neurons":
        gen, _ = generate_for(page, path, [tmath.GREEDY if page.greedy else page.temperature])
        units = sampler.network.units
        neurons_view.neurons_view(lang, path, epoch, units, gen, folder.heldout_text())
        neurons_view.memory_spans(lang, memory_reports(models, name, path, epoch))
        for field, value in sidebar.neuron_settings().items():  # as the view kept them
            setattr(page, field, value)
    else:
        gen, seconds = generate_for(page, path, [tmath.GREEDY if page.greedy else page.temperature])
        explore.generated_text(lang, gen, 0, seconds, f"charlm-{name.replace('/', '-')}.txt")
        seed_area = st.container()
        seed_controls(lang, seed_area, folder.context_length, path)
        page.step = explore.step_inspector(
            lang, gen, 0, lambda context: context_influence(path, epoch, context)
        )
        position = min(st.session_state.get("step", 1), gen.ids.shape[1]) - 1
        knobs_panel.pipeline_panel(lang, gen, 0, position, page.rng_seed)  # T, k, p, min-p
    if gen.dropped:
        chars = ", ".join(safe.markdown(repr(c)) for c in gen.dropped)
        seed_area.info(text(lang, "dropped", chars=chars))
    st.query_params.from_dict(params.to_query(page))


def sweep_section(lang: str, page: params.PageSettings, path) -> None:
    """The sweep the class chose: along temperature, or along top-p or min-p at the page's T
    (both knobs are computed: the last chart compares them)."""
    page.sweep_knob = compare.sweep_along(lang, page.temperature)
    if page.sweep_knob == "temperature":
        points = temperature_sweep(path, page.epoch, page.seed_text, page.rng_seed)
        compare.temperature_sweep(lang, points, 0.05 if page.greedy else page.temperature)
        return
    sweeps = {
        knob: knob_sweep(path, page.epoch, page.seed_text, page.rng_seed, knob, page.temperature)
        for knob in sweep.KNOBS
    }
    chosen = page.top_p if page.sweep_knob == "top_p" else (page.min_p or None)
    compare.knob_sweep(lang, page.sweep_knob, sweeps, page.temperature, chosen)


def memory_reports(models, name, path, epoch) -> dict[str, dict | None]:
    """Neuron reports of the bundled models (read from their folders) and the chosen one; a
    bundled model that cannot be loaded is left out of the chart, not the page."""
    reports = {}
    for other, entry in models.items():
        if not other.startswith("runs/"):
            try:
                reports[other] = cell_report(entry["path"], None)
            except (ArtifactError, OSError):
                reports[other] = None
    label = name if epoch is None else f"{name} @ {epoch}"
    if epoch is not None or name not in reports:
        reports[label] = cell_report(path, epoch)
    return reports


PAGE_STYLE = """<style>
/* One clear focus ring on everything a keyboard reaches (some widgets only change a border). */
:focus-visible{outline:3px solid #1A56A6 !important;outline-offset:2px}
/* Korean breaks only between words (a title split as "탐색 / 기" reads wrong); a word longer
   than the line may still break. English is unaffected. */
h1,h2,h3,h4,p,label{word-break:keep-all !important;overflow-wrap:break-word !important}
/* The first screen is for the lesson: less empty space above a smaller title, so that
   temperature and 6+ lines of text fit 1280x720 and a 390x844 phone (issue 18). */
[data-testid="stMainBlockContainer"]{padding-top:3.5rem}
[data-testid="stHeading"] h1{font-size:2.25rem !important;padding:0.25rem 0 !important}
@media (max-width:640px){[data-testid="stHeading"] h1{font-size:1.75rem !important}}
/* A collapsed sidebar (a phone's first screen) must not scroll: its widgets are out of reach
   then, and a scrolling region nobody can reach by keyboard fails axe-core. */
[data-testid="stSidebar"][aria-expanded="false"] [data-testid="stSidebarContent"]{overflow:hidden}
</style>"""


def header(lang: str, corpus: str) -> None:
    st.html(PAGE_STYLE)  # style only: Streamlit keeps it out of the page's layout
    st.title(text(lang, "title"))
    st.caption(text(lang, "subtitle", corpus=safe.markdown(corpus)))
    for key, fields in link_notices():
        detail = safe.markdown(text(lang, key, **fields))
        st.warning(text(lang, "query_notice", detail=detail), icon="🔗")


def link_notices() -> list:
    """What the opened link had wrong and what the page used instead, each while the page
    still shows the value it used: once the visitor changes that setting, the notice describes
    a value no longer there, and it goes."""
    notices = st.session_state.get("link_notices", [])
    opened = st.session_state.get("opened_settings")
    if notices and opened is not None:
        now = settings_shown()

        def still_true(notice) -> bool:
            name = params.notice_about(*notice)
            return now == opened if name is None else now.get(name) == opened.get(name)

        st.session_state.link_notices = notices = [n for n in notices if still_true(n)]
    return notices


def settings_shown() -> dict:
    """The page's settings as its link writes them."""
    return params.to_query(sidebar.current_settings(None))


def choose_model(lang, models, settings, messages):
    """(name, path, sampler, folder, epoch) of the selected model or snapshot, or None with a
    message when there is none or it cannot be loaded."""
    name = sidebar.model_picker(lang, models)
    if name is None:
        messages.info(text(lang, "no_models", path=safe.markdown(settings.artifacts_dir)))
        return None
    path = models[name]["path"]
    try:
        sampler, folder = get_sampler(path)
        epoch = sidebar.epoch_picker(lang, folder.snapshot_epochs())
        if epoch is not None:
            sampler, folder = get_sampler(path, epoch)
    except ArtifactError as exc:
        _log.warning("model %s cannot be loaded: %s", name, exc)  # the detail, for the teacher
        messages.error(text(lang, "model_error", error=error_text(lang, exc)))
        return None
    return name, path, sampler, folder, epoch


def seed_controls(lang: str, area, context_length: int, path) -> None:
    area.text_area(
        text(lang, "seed_text"),
        key="seed_text",
        height=90,
        max_chars=params.SEED_TEXT_MAX,
        help=text(lang, "seed_text_help", max=params.SEED_TEXT_MAX, context=context_length),
        persist_state=sidebar.KEEP,
    )
    area.button(
        text(lang, "another_passage"),
        key="another_passage",
        on_click=new_passage,
        args=(context_length, path),
    )


def generate_for(page: params.PageSettings, path, temperatures):
    """(generation, seconds) for the page's settings at `temperatures` (cached)."""
    top_k = page.top_k or None
    top_p = page.top_p if page.top_p < 1.0 else None
    min_p = page.min_p or None
    return generate(
        path,
        page.epoch,
        page.seed_text,
        page.length,
        temperatures,
        page.rng_seed,
        top_k,
        top_p,
        min_p,
    )


def new_passage(context_length: int, path) -> None:
    """A passage of the chosen model's own held-out text, other than the one shown (kept as is
    when the model has none)."""
    current = st.session_state.get("seed_text")
    fresh = passage(max(context_length, 60), None, path, avoid=current)
    if fresh is not None:
        st.session_state.seed_text = fresh


with one_run_at_a_time():
    main()
    identity.store_new_token()
    if "opened_settings" not in st.session_state:  # the settings as the link set them
        st.session_state.opened_settings = settings_shown()
