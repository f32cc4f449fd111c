"""The Explore view: coloured text, step inspector, entropy-vs-temperature curve."""

from __future__ import annotations

import numpy as np
import streamlit as st

from charlm.generation import temperature as tmath
from charlm.generation.sampler import Generation
from charlm.ui import browser, cell_view, charts, safe, text_view
from charlm.ui.strings import text


def generated_text(lang: str, gen: Generation, row: int, seconds: float, filename: str) -> None:
    """The text right under the temperature control (no heading between them: the first
    screen must show both), then its legend, download and timing."""
    st.markdown(colored_text(gen, row, with_seed=True, lang=lang), unsafe_allow_html=True)
    left, right = st.columns([3, 1])
    left.markdown(
        text_view.legend_html(
            text(lang, "legend") + " " + text(lang, "legend_low"), text(lang, "legend_high")
        ),
        unsafe_allow_html=True,
    )
    right.download_button(
        text(lang, "download"),
        lambda: gen.seed_text + gen.texts[row],  # built only when pressed
        file_name=filename,
        mime="text/plain",
        key="download",
        width="stretch",
        on_click="ignore",  # a download needs no rerun
    )
    st.caption(text(lang, "timing", ms=seconds * 1000) + " · " + text(lang, "click_to_inspect"))
    browser.click_to_inspect(inspected_step(gen.ids.shape[1]))


def inspected_step(length: int) -> int:
    """The step the inspector shows (1-based), kept within a text of `length` characters."""
    step = st.session_state.get("step")
    if not isinstance(step, int) or not 1 <= step <= length:
        step = min(max(int(step or 1), 1), length)
        st.session_state.step = step
    return step


def colored_text(gen: Generation, row: int, with_seed: bool, lang: str = "en") -> str:
    def build() -> str:
        model = gen.before(row)
        probs = np.take_along_axis(model, gen.ids[row][:, None], axis=1)[:, 0]
        hover = text_view.likeliest(model, gen.vocab.chars, lambda c: charts.char_label(c, lang))
        seed = gen.seed_text if with_seed else ""
        return text_view.colored_html(seed, gen.texts[row], probs, hover, clickable=with_seed)

    return gen.memo(("html", row, with_seed, lang), build)


INFLUENCE_CHARS = 60


def step_inspector(lang: str, gen: Generation, row: int, influence_of=None) -> int:
    """The distribution at one step; `influence_of(context)` gives (characters kept,
    influence of each) for the "what it looked at" panel (None: no panel). Returns the step
    shown (1-based)."""
    st.header(text(lang, "inspector"))
    length = gen.ids.shape[1]
    step = inspected_step(length)
    if length > 1:
        step = st.slider(text(lang, "step"), 1, length, key="step", persist_state="session")
    position = step - 1
    before, after = gen.step(row, position)
    chosen = int(gen.ids[row, position])
    chars = gen.vocab.chars
    context = (gen.seed_text + gen.texts[row][:position])[-INFLUENCE_CHARS:]
    st.markdown(
        f"**{text(lang, 'context')}:** `…{safe.code(context)}`"
        f" → **`{safe.code(charts.char_label(chars[chosen], lang))}`**"
    )
    # Opt-in: 60 occlusions cost 20-200 ms a step, which a class moving sliders should not pay.
    if (
        influence_of is not None
        and context
        and st.toggle(text(lang, "influence_title"), key="show_influence", persist_state="session")
    ):
        looked_at(lang, *influence_of(context))
    with st.expander(text(lang, "explain_title")):  # it explains the bars just below
        st.markdown(text(lang, "explain_body"))
    if distribution_chart(lang, gen, row, before, after, chosen):
        alternatives(lang, chars, before, after, chosen)
        return step  # the chart shows the figures and the entropy curve at its own T
    h_before, h_after = float(tmath.entropy_bits(before)), float(tmath.entropy_bits(after))
    cols = st.columns(3)
    cols[0].metric(text(lang, "entropy_before"), text(lang, "bits", value=h_before))
    cols[1].metric(
        text(lang, "entropy_after"),
        text(lang, "bits", value=h_after),
        delta=f"{h_after - h_before:+.2f}",
        delta_color="off",
    )
    cols[2].markdown(
        text(
            lang,
            "chosen",
            char=safe.markdown(charts.char_label(chars[chosen], lang)),
            before=before[chosen],
            after=after[chosen],
        )
    )
    alternatives(lang, chars, before, after, chosen)
    entropy_curve(lang, before, gen.temperatures[row], h_after)
    return step


def looked_at(lang: str, context: str, scores) -> None:
    """The context coloured by how much deleting each character changes this prediction."""
    st.caption(text(lang, "influence_help", chars=len(context)))
    label = lambda v: text(lang, "influence_hover", value=v)  # noqa: E731
    st.markdown(cell_view.influence_html(context, scores, label), unsafe_allow_html=True)
    st.markdown(
        cell_view.influence_legend(text(lang, "influence_low"), text(lang, "influence_high")),
        unsafe_allow_html=True,
    )


def distribution_chart(lang, gen: Generation, row: int, before, after, chosen: int) -> bool:
    """Before/after bars. Plain sampling gets a temperature slider of its own that reweights
    the bars, the entropy figures and the entropy curve in the browser (no trip to the server;
    True); with top-k/top-p/min-p or greedy the server draws what was really sampled from
    (False)."""
    chars, temperature = gen.vocab.chars, gen.temperatures[row]
    filtered = gen.top_k is not None or gen.top_p is not None or gen.min_p is not None
    if not filtered and temperature != tmath.GREEDY:
        st.caption(text(lang, "try_t_help"))
        rows = charts.model_rows(chars, before, chosen, lang)
        spec = charts.inspector_chart(rows, charts.entropy_curve_rows(before), temperature, lang)
        st.vega_lite_chart(spec, width="stretch", key="distribution_chart")
        return True
    rows = charts.distribution_rows(chars, before, after, chosen, lang)
    spec = charts.distribution_chart(rows, lang)
    st.vega_lite_chart(spec, width="stretch", key="distribution_chart")
    return False


def alternatives(lang, chars, before, after, chosen) -> None:
    """The five likeliest characters not chosen, as a small Markdown table."""
    order = [i for i in np.argsort(-before, kind="stable").tolist() if i != chosen][:5]
    lines = [
        f"| {text(lang, 'character')} | {text(lang, 'before')} | {text(lang, 'after')} |",
        "| --- | ---: | ---: |",
    ]
    for i in order:
        label = safe.code(charts.char_label(chars[i], lang))
        lines.append(f"| `{label}` | {before[i]:.1%} | {after[i]:.1%} |")
    with st.expander(text(lang, "alternatives")):
        st.markdown("\n".join(lines))


def entropy_curve(lang: str, probs, temperature, entropy_now: float) -> None:
    st.markdown(f"**{text(lang, 'entropy_curve')}**")
    t_mark = 0.05 if temperature == tmath.GREEDY else float(temperature)
    st.vega_lite_chart(
        charts.entropy_curve_chart(charts.entropy_curve_rows(probs), t_mark, entropy_now, lang),
        width="stretch",
        key="entropy_chart",
    )
