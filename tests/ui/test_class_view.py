"""The Class view through AppTest: a guess and a vote land once, the teacher starts a round."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from charlm.serving.class_results import ClassResults

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


def open_class(monkeypatch, token: str, lang: str = "en") -> AppTest:
    from charlm.ui import identity

    monkeypatch.setattr(identity, "read_cookie", lambda: token)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"view": "class", "lang": lang})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


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
    monkeypatch.setenv("CHARLM_TEACHER_PASSPHRASE", "open sesame")
    teacher = open_class(monkeypatch, "teacher-token-cccccccccccccccccccccc")
    teacher.text_input(key="teacher_pass").input("open sesame")
    next(b for b in teacher.button if b.key == "teacher_unlock").click().run()
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
