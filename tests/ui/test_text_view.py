"""The coloured text: colour-blind-safe scale, readable contrast, nothing rendered as markup."""

import numpy as np

from charlm.ui import text_view


def contrast(a: str, b: str) -> float:
    rgb = np.array([[int(h[i : i + 2], 16) for i in (1, 3, 5)] for h in (a, b)])
    light, dark = sorted(text_view.relative_luminance(rgb), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_every_character_colour_keeps_wcag_aa_contrast():
    pairs = text_view.probability_colors(np.geomspace(1e-6, 1.0, 500))
    assert min(contrast(bg, fg) for bg, fg in pairs) >= 4.5


def test_scale_is_monotone_in_lightness_so_it_reads_without_hue():
    backgrounds = [bg for bg, _ in text_view.probability_colors(np.geomspace(1e-4, 1.0, 50))]
    rgb = np.array([[int(h[i : i + 2], 16) for i in (1, 3, 5)] for h in backgrounds])
    assert np.all(np.diff(text_view.relative_luminance(rgb)) >= -1e-9)


def test_text_box_is_one_focusable_line_with_hover_numbers():
    html = text_view.colored_html("seed\n\n**x**", "a\n<b>", [0.5, 0.01, 0.2, 0.3, 0.9])
    assert "\n" not in html and "<b>" not in html and "**x**" in html
    assert 'tabindex="0"' in html and 'title="50.0%"' in html


def test_likeliest_lists_the_top_characters_in_order_with_their_share():
    dist = np.array([[0.1, 0.6, 0.3], [0.5, 0.25, 0.25]])
    hover = text_view.likeliest(dist, ["a", " ", "c"], lambda c: c.strip() or "space", k=2)
    assert hover == ["space 60% · c 30%", "a 50% · space 25%"]  # ties keep vocabulary order


def test_cell_colours_keep_contrast_and_put_zero_at_white():
    from charlm.ui import cell_view

    values = np.linspace(-1.2, 1.2, 301)
    pairs = text_view.scale_colors(cell_view.activation_positions(values), cell_view.DIVERGING)
    assert min(contrast(bg, fg) for bg, fg in pairs) >= 4.5
    assert (
        text_view.scale_colors([cell_view.activation_positions(0.0)], cell_view.DIVERGING)[0][0]
        == "#f7f7f7"
    )
    shares = np.geomspace(1e-5, 1.0, 200)
    pairs = text_view.scale_colors(cell_view.influence_positions(shares), cell_view.SEQUENTIAL)
    assert min(contrast(bg, fg) for bg, fg in pairs) >= 4.5
    positions = cell_view.influence_positions(shares)
    assert positions[0] == 0 and positions[-1] == 1 and np.all(np.diff(positions) >= 0)


def test_cell_view_escapes_text_and_labels_every_character():
    from charlm.ui import cell_view

    html = cell_view.activation_html("<b>\n", [0.5, -0.5, 0.0, 1.0], lambda v: f"v={v:+.1f}")
    assert "<b>" not in html and html.count("<span") == 4 and 'title="v=-0.5"' in html
