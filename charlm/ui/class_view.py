"""The Class view: "Guess the temperature" and "Which reads best?" for a class on one link,
the teacher's guide above them and the teacher's panel below (class_guess, class_vote,
class_teacher hold each part)."""

from __future__ import annotations

import re

import streamlit as st

from charlm.common.settings import PROJECT_ROOT
from charlm.serving import class_results
from charlm.ui import identity, params, safe, sidebar
from charlm.ui.class_guess import guess_the_temperature
from charlm.ui.class_results_panel import DATABASE_ERRORS, open_results
from charlm.ui.class_teacher import teacher_panel
from charlm.ui.class_vote import reads_best
from charlm.ui.strings import text
from charlm.ui.train_panel import teacher_box, teacher_passphrase

ACTIVITIES = params.CLASS_ACTIVITIES  # in the link as act=, so a reload stays on it


def class_tab(lang: str, settings, models: dict[str, dict]) -> set[str]:
    """Draws the Class view; returns the keys of the widgets it drew."""
    st.header(text(lang, "class_title"))
    st.caption(text(lang, "class_intro"))
    lesson_plan(lang)
    passphrase = teacher_passphrase(settings)
    viewer = identity.viewer(passphrase)
    name = sidebar.model_picker(lang, models)
    if name is None:
        st.info(text(lang, "no_models", path=safe.markdown(settings.artifacts_dir)))
        return set()
    try:
        results = open_results(str(class_results.db_path(settings)))
    except DATABASE_ERRORS as exc:
        st.error(text(lang, "class_db_error", error=safe.markdown(exc)))
        return {"model"}
    browser = class_results.anonymous_id(viewer.owner)
    if st.session_state.get("class_activity") not in ACTIVITIES:  # None: the choice clicked off
        st.session_state.class_activity = "guess"
    activity = st.segmented_control(
        text(lang, "class_activity"),
        ACTIVITIES,
        format_func=lambda a: text(lang, f"class_{a}"),
        key="class_activity",
        persist_state=sidebar.KEEP,  # Explore and back: still on the activity the class is on
    )
    try:
        if activity == "vote":
            reads_best(lang, results, models[name]["path"], name, browser)
        else:
            guess_the_temperature(lang, results, models, name, browser, viewer.teacher)
        if passphrase:
            teacher_box(lang, passphrase, viewer, on_note="teacher_on_class")
            if viewer.teacher:
                teacher_panel(lang, results, name)
    except DATABASE_ERRORS as exc:  # the choice stays in its widget: press again to retry
        st.error(text(lang, "class_db_error", error=safe.markdown(exc)))
    return {"model", "class_activity"}


def lesson_plan(lang: str) -> None:
    """The teacher's guide (docs/lesson.md, Korean in docs/lesson.ko.md), our own file, with
    its title dropped (the expander names it) and its headings under the view's h2."""
    name = "lesson.ko.md" if lang == "ko" else "lesson.md"
    try:
        guide = (PROJECT_ROOT / "docs" / name).read_text(encoding="utf-8")
    except OSError:
        return
    body = guide.split("\n", 1)[1] if guide.startswith("# ") else guide
    body = re.sub(r"^(#+) ", r"#\1 ", body, flags=re.MULTILINE)
    body = re.sub(r"\[(English|한국어)\]\([^)]*\)", "", body)  # the other file: not served
    with st.expander(text(lang, "lesson_plan")):
        st.markdown(body)
