from charlm.ui.params import PageSettings, from_query, parse_compare, to_query

MODELS = ["a", "b"]


def test_round_trip():
    settings = PageSettings(
        model="b",
        temperature=1.23,
        greedy=True,
        length=777,
        seed_text="hi & bye",
        rng_seed=9,
        top_k=5,
        top_p=0.9,
        lang="ko",
        compare=(0.3, 1.1),
        epoch=4,
    )
    again = from_query(to_query(settings), MODELS, "a")
    assert again == settings and not again.notices


def test_clamps_and_reports():
    s = from_query({"t": "5", "len": "3", "rng": "-1", "p": "0"}, MODELS, "a")
    assert (s.temperature, s.length, s.rng_seed, s.top_p) == (2.0, 10, 0, 0.05)
    assert len(s.notices) == 4


def test_ignores_garbage():
    s = from_query(
        {"t": "inf", "len": "many", "model": "zzz", "lang": "fr", "epoch": "x"}, MODELS, "a"
    )
    assert s == PageSettings(model="a", notices=s.notices) and len(s.notices) == 5


def test_parse_compare():
    assert parse_compare("0.2, 0.5,,1") == ((0.2, 0.5, 1.0), [])
    assert parse_compare("0, 3, nan, x, 0.7") == ((0.7,), ["0", "3", "nan", "x"])
    assert len(parse_compare(",".join(str(0.1 * i) for i in range(1, 20)))[0]) == 6


def test_step_from_a_click_link_is_read_and_clamped():
    from charlm.ui.params import LEN_MAX, from_query

    assert from_query({"step": "25"}, ["m"], "m").step == 25
    clamped = from_query({"step": "0"}, ["m"], "m")
    assert clamped.step == 1 and clamped.notices
    assert from_query({"step": str(LEN_MAX + 5), "len": str(LEN_MAX)}, ["m"], "m").step == LEN_MAX


def test_the_inspected_step_is_kept_in_the_link():
    settings = PageSettings(model="a", step=37)
    assert to_query(settings)["step"] == "37"
    assert from_query(to_query(settings), MODELS, "a").step == 37
    assert "step" not in to_query(PageSettings(model="a"))


def test_a_huge_number_is_reported_short_and_a_step_stays_within_the_text():
    s = from_query({"len": "1e308", "step": "999999"}, MODELS, "a")
    assert s.length == 2000 and s.step == 2000
    len_notice, _ = s.notices
    assert len_notice[1]["value"] == "1e+308"  # not 309 digits
    s = from_query({"step": "999999"}, MODELS, "a")
    assert s.step == s.length == 400  # the page's text, not the longest possible one
    assert s.notices[0][1]["clamped"] == 400


def test_the_class_activity_and_the_pipeline_with_its_draws_are_kept_in_the_link():
    settings = PageSettings(model="a", seed_text="x", view="class", activity="vote")
    settings.pipeline = settings.draws = True
    query = to_query(settings)
    assert (query["act"], query["pipe"], query["draw"]) == ("vote", "1", "1")
    assert from_query(query, MODELS, "a") == settings
    plain = to_query(PageSettings(model="a"))
    assert not {"act", "pipe", "draw"} & set(plain)
    odd = from_query({"act": "dance"}, MODELS, "a")
    assert odd.activity == "guess" and odd.notices[0][0] == "link_bad_activity"


def test_the_neurons_cell_kind_and_text_are_kept_in_the_link():
    settings = PageSettings(model="a", seed_text="the", view="neurons", neuron_layer=2)
    settings.neuron_unit, settings.neuron_kind, settings.neuron_source = 17, "hidden", "passage"
    query = to_query(settings)
    assert (query["layer"], query["cell"], query["kind"], query["src"]) == (
        "2", "17", "hidden", "passage")  # fmt: skip
    assert from_query(query, MODELS, "a") == settings
    elsewhere = to_query(PageSettings(model="a", neuron_layer=2, neuron_unit=17))
    assert not {"layer", "cell", "kind", "src"} & set(elsewhere)  # only on the Neurons view


def test_a_neurons_link_with_bad_values_says_what_it_used():
    s = from_query({"layer": "9", "cell": "-3", "kind": "gate", "src": "x"}, MODELS, "a")
    assert (s.neuron_layer, s.neuron_unit, s.neuron_kind, s.neuron_source) == (
        8, 0, "cell", "generated")  # fmt: skip
    assert [key for key, _ in s.notices] == [
        "link_clamped", "link_clamped", "link_bad_choice", "link_bad_choice"]  # fmt: skip
