"""The teacher's panel through AppTest: the CSV is built when downloaded, a round started shows
on the teacher's page with its T hidden until the end, the set box says what it used, clearing
asks again, an empty chart says so."""

import io
import json
import re

import pandas as pd
from streamlit.runtime.media_file_manager import MediaFileManager
from test_class_view import open_class, open_teacher, press, said, submit

from charlm.serving.class_results import GUESS_TEMPERATURES, ClassResults

# Unescaped Markdown: an image "![", a link "](", emphasis "**", or a bare address.
UNSAFE = re.compile(r"(?<!\\)!(?=\[)|(?<!\\)\]\(|(?<!\\)\*\*[a-z]|https?\\?:\\?/")


def test_the_csv_is_what_the_file_holds_when_the_button_is_pressed(
    app_env, isolated_runs, monkeypatch
):
    made = []  # the download's data callables, as the server keeps them for a click
    real = MediaFileManager.add_deferred

    def keep(self, data_callable, *args, **kwargs):
        made.append(data_callable)
        return real(self, data_callable, *args, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", keep)
    teacher = open_teacher(monkeypatch)
    assert made, "the CSV was built when the page ran, not when the button is pressed"
    results = ClassResults(isolated_runs / "class.sqlite3")
    results.add_guess("late", "self-1", "b9", 0.5, 1.0, model="tiny-model")  # after the run
    frame = pd.read_csv(io.BytesIO(made[-1]()))
    assert frame["browser"].tolist() == ["b9"] and frame["model"].tolist() == ["tiny-model"]
    teacher.checkbox(key="clear_confirm").check().run()
    press(teacher, "clear_results")
    assert pd.read_csv(io.BytesIO(made[-1]())).empty  # cleared: the download is empty too


def test_starting_a_round_turns_the_teachers_own_page_to_it(app_env, isolated_runs, monkeypatch):
    teacher = open_teacher(monkeypatch)
    teacher.session_state["class_activity"] = "vote"
    teacher.run()
    press(teacher, "start_round")
    assert teacher.session_state["class_activity"] == "guess"
    assert any("The teacher's round 1" in c.value for c in teacher.caption)  # in that same run
    student = open_class(monkeypatch, "student-token-kkkkkkkkkkkkkkkkkkkkkk")
    passage = next(m.value for m in student.markdown if 'class="charlm-text"' in m.value)
    assert passage in [m.value for m in teacher.markdown]


def test_the_hidden_t_stays_off_the_teachers_page_until_the_round_ends(
    app_env, isolated_runs, monkeypatch
):
    teacher = open_teacher(monkeypatch)
    press(teacher, "start_round")
    true_t = ClassResults(isolated_runs / "class.sqlite3").latest_round().true_t
    student = open_class(monkeypatch, "student-token-llllllllllllllllllllll")
    submit(student, "Which temperature wrote this passage?", 0, "Guess")
    teacher.run()
    assert any("stays hidden" in i.value for i in teacher.info)
    assert not any("T =" in e.value for kind in ("info", "success") for e in teacher.get(kind))
    specs = [c.proto.spec for c in teacher.get("vega_lite_chart")]
    assert specs and not any("true_t" in spec for spec in specs)  # how many guessed what
    press(teacher, "end_round")
    assert any(f"written at T = {true_t:g}" in s.value for s in teacher.success)
    assert any("true_t" in c.proto.spec for c in teacher.get("vega_lite_chart"))


def test_the_set_box_escapes_what_it_quotes_and_says_what_it_used(
    app_env, isolated_runs, monkeypatch
):
    teacher = open_teacher(monkeypatch)
    results = ClassResults(isolated_runs / "class.sqlite3")
    payload = "**bold**, [x](http://evil.example), ![i](http://evil.example/a.png), 0.5"
    teacher.text_input(key="class_set").input(payload).run()
    warnings = [w.value for w in teacher.warning]
    assert warnings and "evil" in re.sub(r"\\(.)", r"\1", warnings[0])
    assert not [w for w in warnings if UNSAFE.search(w)], warnings
    assert "The set in use: 0.5" in warnings[0] and results.temperatures() == (0.5,)

    teacher.text_input(key="class_set").input("0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8").run()
    assert results.temperatures() == (0.1, 0.2, 0.3, 0.4, 0.5, 0.6)
    assert any("left out: 0.7, 0.8" in w.value for w in teacher.warning)

    teacher.text_input(key="class_set").input("abc").run()
    assert any("Not used: abc" in w.value for w in teacher.warning)
    assert results.temperatures() == (0.1, 0.2, 0.3, 0.4, 0.5, 0.6)  # the set stays

    teacher.text_input(key="class_set").input("").run()
    assert any("The box is empty" in i.value for i in teacher.info)
    assert not any("Ignored: -" in w.value for w in teacher.warning)
    assert results.temperatures() == GUESS_TEMPERATURES


def test_clearing_unticks_its_confirmation_and_redraws_from_nothing(
    app_env, isolated_runs, monkeypatch
):
    teacher = open_teacher(monkeypatch)
    press(teacher, "start_round")
    teacher.checkbox(key="clear_confirm").check().run()
    press(teacher, "clear_results")
    assert ClassResults(isolated_runs / "class.sqlite3").latest_round() is None
    assert teacher.checkbox(key="clear_confirm").value is False
    assert teacher.button(key="clear_results").disabled  # another clear asks again
    assert any("was deleted" in s.value for s in teacher.success)
    assert "Round 1" not in said(teacher) and "round 1" not in said(teacher)


def test_empty_results_say_so_instead_of_drawing_an_empty_chart(
    app_env, isolated_runs, monkeypatch
):
    teacher = open_teacher(monkeypatch)
    captions = [c.value for c in teacher.caption]
    assert "No guesses yet." in captions and "No votes yet." in captions
    assert not teacher.get("vega_lite_chart")


def test_the_teacher_note_in_the_class_view_speaks_of_the_class(
    app_env, isolated_runs, monkeypatch
):
    teacher = open_teacher(monkeypatch)
    note = " ".join(s.value for s in teacher.success)
    assert "rounds" in note and "publish" not in note


def test_the_vote_chart_counts_votes_in_whole_numbers(app_env, isolated_runs, monkeypatch):
    results = ClassResults(isolated_runs / "class.sqlite3")
    results.add_vote("v1", "reads-best", "b1", 0.5, model="tiny-model")
    teacher = open_teacher(monkeypatch, model="tiny-model")
    vote = next(json.loads(c.proto.spec) for c in teacher.get("vega_lite_chart"))
    assert vote["encoding"]["y"]["axis"] == {"format": "d", "tickMinStep": 1}
