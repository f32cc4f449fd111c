"""The Class view through AppTest: a guess and a vote land once, the teacher starts a round,
a round fixes its model, a late guess is refused, a reload keeps the student's place."""

import re
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from charlm.serving.class_results import ClassResults

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
PASSPHRASE = "open sesame"


def open_class(monkeypatch, token: str, lang: str = "en", **query) -> AppTest:
    """A browser with cookie `token` opening ?view=class (a reload is another open)."""
    from charlm.ui import identity

    monkeypatch.setattr(identity, "read_cookie", lambda: token)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"view": "class", "lang": lang, **query})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_teacher(monkeypatch, token: str = "teacher-token-tttttttttttttttttttttt", **query):
    monkeypatch.setenv("CHARLM_TEACHER_PASSPHRASE", PASSPHRASE)
    teacher = open_class(monkeypatch, token, **query)
    teacher.text_input(key="teacher_pass").input(PASSPHRASE)
    teacher.button(key="teacher_unlock").click().run()
    assert not teacher.exception, [e.value for e in teacher.exception]
    return teacher


def press(at, key: str) -> AppTest:
    at.button(key=key).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def passage_of(at) -> str:
    """The passage box's HTML (the text to guess)."""
    return next(m.value for m in at.markdown if 'class="charlm-text"' in m.value)


def said(at) -> str:
    """Everything the page says in notices and captions, one string."""
    kinds = ("caption", "info", "success", "warning", "error", "markdown")
    return " | ".join(e.value for kind in kinds for e in at.get(kind))


def submit(at, label: str, option_index: int, button: str) -> AppTest:
    at.radio(key=next(r.key for r in at.radio if r.label == label)).set_value(
        next(r.options for r in at.radio if r.label == label)[option_index]
    )
    next(b for b in at.button if b.label == button).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_guess_is_stored_once_and_revealed_with_the_score(app_env, isolated_runs, monkeypatch):
    at = open_class(monkeypatch, "student-token-aaaaaaaaaaaaaaaaaaaaaa")
    assert "Guess the temperature" in [h.value for h in at.subheader]
    guide = next(e for e in at.expander if e.label.startswith("Teacher's guide"))
    assert any("Activity 1" in m.value for m in guide.markdown)
    label = "Which temperature wrote this passage?"
    at = submit(at, label, 1, "Guess")
    results = ClassResults(isolated_runs / "class.sqlite3")
    assert results.counts() == (1, 0)
    shown = " ".join(m.value for m in [*at.success, *at.info])
    assert "written at T =" in shown
    assert any("Your score:" in m.value for m in at.markdown)
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    at.run()  # a rerun (a reload, a resent click) adds nothing
    assert results.counts() == (1, 0)
    next(b for b in at.button if b.label == "Next passage").click().run()
    assert any(r.label == label for r in at.radio)  # a new passage to guess


def test_a_vote_is_stored_once_and_shown_beside_the_books_claim(
    app_env, isolated_runs, monkeypatch
):
    at = open_class(monkeypatch, "student-token-bbbbbbbbbbbbbbbbbbbbbb", lang="ko")
    at.session_state["class_activity"] = "vote"
    at.run()
    at = submit(at, "어느 글이 가장 잘 읽히나요?", 0, "투표")
    results = ClassResults(isolated_runs / "class.sqlite3")
    assert results.counts() == (0, 1)
    assert any("투표했습니다" in m.value for m in at.success)
    assert any("T = 0.5" in c.value for c in at.caption)  # the book's claim
    guide = next(e for e in at.expander if e.label.startswith("교사용 안내"))
    assert any("활동 1" in m.value for m in guide.markdown)


def test_the_teacher_starts_a_round_everyone_sees_its_passage(app_env, isolated_runs, monkeypatch):
    teacher = open_teacher(monkeypatch)
    next(b for b in teacher.button if b.key == "start_round").click().run()
    assert not teacher.exception
    round_ = ClassResults(isolated_runs / "class.sqlite3").latest_round()
    assert round_ is not None and round_.open
    student = open_class(monkeypatch, "student-token-dddddddddddddddddddddd")
    assert any("everyone sees this passage" in c.value for c in student.caption)
    student = submit(student, "Which temperature wrote this passage?", 0, "Guess")
    assert any("when the teacher ends the round" in m.value for m in student.info)
    next(b for b in teacher.button if b.key == "end_round").click().run()
    next(b for b in student.button if b.key == "check_answer").click().run()
    assert any(f"T = {round_.true_t:g}" in m.value for m in [*student.success, *student.info])


def test_pressing_guess_without_a_choice_asks_for_one_and_stores_nothing(
    app_env, isolated_runs, monkeypatch
):
    at = open_class(monkeypatch, "student-token-eeeeeeeeeeeeeeeeeeeeee")
    at.button(key="guess_submit").click().run()
    assert not at.exception
    assert [w.value for w in at.warning] == ["Pick one option first."]
    assert ClassResults(isolated_runs / "class.sqlite3").counts() == (0, 0)
    assert any(r.key.startswith("guess-choice-") for r in at.radio)  # the form is still there


@pytest.fixture
def two_models(app_env, tiny_fast_model):
    """Two bundled models that write different text: tiny-model and tiny-fast."""
    shutil.copytree(tiny_fast_model, app_env / "tiny-fast")
    return app_env


def test_a_teachers_round_fixes_its_model_and_every_answer_records_its_model(
    two_models, isolated_runs, monkeypatch
):
    teacher = open_teacher(monkeypatch, model="tiny-model")
    press(teacher, "start_round")
    student = open_class(monkeypatch, "student-token-ffffffffffffffffffffff", model="tiny-fast")
    assert passage_of(student) == passage_of(teacher)  # the round's model, not the sidebar's
    assert "round 1, written by model tiny" in said(student)
    student = submit(student, "Which temperature wrote this passage?", 0, "Guess")
    student.session_state["class_activity"] = "vote"
    student.run()
    submit(student, "Which text reads best?", 0, "Vote")
    frame = ClassResults(isolated_runs / "class.sqlite3").export_frame()
    assert frame[["kind", "model"]].values.tolist() == [
        ["guess", "tiny-model"],  # the round's model
        ["vote", "tiny-fast"],  # the texts the student read
    ]
    teacher.run()  # the teacher's vote chart counts the teacher's model's votes only
    assert "No votes yet." in [c.value for c in teacher.caption]


def test_a_guess_that_arrives_after_the_round_ended_is_refused_with_the_answer(
    app_env, isolated_runs, monkeypatch
):
    teacher = open_teacher(monkeypatch)
    press(teacher, "start_round")
    round_ = ClassResults(isolated_runs / "class.sqlite3").latest_round()
    student = open_class(monkeypatch, "student-token-gggggggggggggggggggggg", lang="ko")
    press(teacher, "end_round")  # while the student's form is open
    student = submit(student, "이 글은 어떤 온도로 쓰였을까요?", 0, "맞히기")
    assert ClassResults(isolated_runs / "class.sqlite3").counts() == (0, 0)
    assert any("이미 끝나 있어서" in w.value for w in student.warning)
    assert any(f"T = {round_.true_t:g}입니다" in i.value for i in student.info)
    assert not any(r.key.startswith("guess-choice-") for r in student.radio)
    press(student, "continue_self")  # and on at the student's own pace
    assert any(r.key.startswith("guess-choice-self-") for r in student.radio)


def test_a_reload_keeps_the_activity_and_the_self_paced_passage_until_it_is_guessed(
    app_env, isolated_runs, monkeypatch
):
    token = "student-token-hhhhhhhhhhhhhhhhhhhhhh"
    first = open_class(monkeypatch, token)
    again = open_class(monkeypatch, token)  # a reload: a new session, the same cookie
    assert passage_of(again) == passage_of(first)
    guessed = submit(again, "Which temperature wrote this passage?", 0, "Guess")
    assert passage_of(guessed) == passage_of(first)  # the reveal is of that passage
    after = open_class(monkeypatch, token)
    assert passage_of(after) != passage_of(first)  # guessed: the next one
    assert any(r.key.startswith("guess-choice-") for r in after.radio)
    after.session_state["class_activity"] = "vote"
    after.run()
    assert after.query_params["act"] == "vote"  # in the link, like every setting
    reloaded = open_class(monkeypatch, token, act="vote")  # the reload of that link
    assert reloaded.session_state["class_activity"] == "vote"
    assert "Which reads best?" in [h.value for h in reloaded.subheader]


def test_the_four_texts_read_a_b_c_d_in_the_page_order(app_env, isolated_runs, monkeypatch):
    at = open_class(monkeypatch, "student-token-iiiiiiiiiiiiiiiiiiiiii")
    at.session_state["class_activity"] = "vote"
    at.run()
    titles = [m.value for m in at.markdown if m.value.startswith("**Text ")]
    assert titles == ["**Text A**", "**Text B**", "**Text C**", "**Text D**"]


def test_the_guess_chart_counts_in_whole_numbers(app_env, isolated_runs, monkeypatch):
    import json

    at = open_class(monkeypatch, "student-token-jjjjjjjjjjjjjjjjjjjjjj")
    at = submit(at, "Which temperature wrote this passage?", 1, "Guess")
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    size = next(layer for layer in spec["layer"] if "size" in layer.get("encoding", {}))
    assert size["encoding"]["size"]["legend"] == {"format": "d", "tickMinStep": 1}


# Emphasis in the guides that names no control on the page (a book, a stressed word).
NOT_PAGE_TERMS = {"Deep Learning with Python", "아는 것", "쓰는 방식"}
ITALIC = re.compile(r"(?<!\*)\*(?![*\s])([^*\n]+?)(?<![*\s])\*(?!\*)")


@pytest.mark.parametrize("lang, guide", [("en", "lesson.md"), ("ko", "lesson.ko.md")])
def test_every_page_term_in_the_guides_is_the_pages_own_word(lang, guide):
    """A control the guide names in italics is the start of one of the page's strings in the
    guide's language (a label may go on: "Show the sampling pipeline: T → ...")."""
    from charlm.ui import strings

    body = re.sub(r"\s*\n\s*", " ", (Path(APP).parent / "docs" / guide).read_text("utf-8"))
    shown = [s.replace("{n}", "100").casefold() for s in strings.table(lang).values()]
    terms = set(ITALIC.findall(body)) - NOT_PAGE_TERMS
    assert [t for t in terms if not any(s.startswith(t.casefold()) for s in shown)] == []


def test_a_round_on_a_model_this_page_cannot_show_says_so_and_goes_on_self_paced(
    app_env, isolated_runs, monkeypatch
):
    ClassResults(isolated_runs / "class.sqlite3").start_round(0.5, 3, "runs/someone-private")
    student = open_class(monkeypatch, "student-token-mmmmmmmmmmmmmmmmmmmmmm")
    assert any("which this page cannot show" in i.value for i in student.info)
    assert any(r.key.startswith("guess-choice-self-") for r in student.radio)
