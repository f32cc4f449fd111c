"""The Explore tab: coloured text, step inspector, entropy-vs-temperature curve."""

from __future__ import annotations

import numpy as np
import streamlit as st

from charlm import temperature as tmath
from charlm.sampler import Generation
from charlm.ui import charts, text_view
from charlm.ui.strings import text


def generated_text(lang: str, gen: Generation, row: int, seconds: float, filename: str) -> None:
    st.subheader(text(lang, "generated"))
    probs = gen.chosen_probabilities(row, reweighted=False)
    st.markdown(
        text_view.colored_html(gen.seed_text, gen.texts[row], probs), unsafe_allow_html=True
    )
    left, right = st.columns([3, 1])
    left.markdown(
        text_view.legend_html(
            text(lang, "legend") + " " + text(lang, "legend_low"), text(lang, "legend_high")
        ),
        unsafe_allow_html=True,
    )
    right.download_button(
        text(lang, "download"),
        gen.seed_text + gen.texts[row],
        file_name=filename,
        mime="text/plain",
        key="download",
        width="stretch",
    )
    st.caption(text(lang, "timing", ms=seconds * 1000))


def step_inspector(lang: str, gen: Generation, row: int) -> None:
    st.subheader(text(lang, "inspector"))
    length = gen.ids.shape[1]
    if st.session_state.get("step", 1) > length:
        st.session_state.step = length
    step = st.slider(text(lang, "step"), 1, length, key="step") if length > 1 else 1
    position = step - 1
    before, after = gen.before(row)[position], gen.after(row)[position]
    chosen = int(gen.ids[row, position])
    chars = gen.vocab.chars
    context = (gen.seed_text + gen.texts[row][:position])[-60:]
    st.markdown(
        f"**{text(lang, 'context')}:** `…{_code_safe(context)}`"
        f" → **`{_code_safe(charts.char_label(chars[chosen]))}`**"
    )
    labels = (text(lang, "before"), text(lang, "after"))
    frame = charts.distribution_frame(
        chars, before, after, chosen, other=text(lang, "other"), labels=labels
    )
    st.altair_chart(
        charts.distribution_chart(
            frame, text(lang, "character"), text(lang, "probability"), labels
        ),
        width="stretch",
        key="distribution_chart",
    )
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
            char=charts.char_label(chars[chosen]),
            before=before[chosen],
            after=after[chosen],
        )
    )
    alternatives(lang, chars, before, after, chosen)
    entropy_curve(lang, before, gen.temperatures[row], h_after)


def alternatives(lang, chars, before, after, chosen) -> None:
    import pandas as pd  # on first use: see charts.py

    order = [i for i in np.argsort(-before, kind="stable") if i != chosen][:5]
    table = pd.DataFrame(
        {
            text(lang, "character"): [charts.char_label(chars[i]) for i in order],
            text(lang, "before"): [f"{before[i]:.1%}" for i in order],
            text(lang, "after"): [f"{after[i]:.1%}" for i in order],
        }
    )
    with st.expander(text(lang, "alternatives")):
        st.dataframe(table, hide_index=True, width="stretch")


def entropy_curve(lang: str, probs, temperature, entropy_now: float) -> None:
    st.markdown(f"**{text(lang, 'entropy_curve')}**")
    t_mark = 0.05 if temperature == tmath.GREEDY else float(temperature)
    frame = charts.entropy_curve_frame(probs)
    st.altair_chart(
        charts.entropy_curve_chart(
            frame, t_mark, entropy_now, text(lang, "temperature_axis"), text(lang, "entropy_axis")
        ),
        width="stretch",
        key="entropy_chart",
    )


def _code_safe(value: str) -> str:
    """Inline code cannot hold backticks or newlines; show them as visible symbols."""
    return value.replace("`", "ˋ").replace("\n", "↵")
