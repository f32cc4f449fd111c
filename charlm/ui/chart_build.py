"""Builds chart_templates.json with Altair: every template chart kind in every language.

python -m charlm.ui.chart_build     # rewrite after changing a chart's builder
"""

from __future__ import annotations

import json

from charlm.common.atomic import write_text
from charlm.ui import chart_templates, charts, sweep_charts
from charlm.ui.strings import LANGUAGES


def build_all() -> dict[str, dict]:
    """Every kind of every template chart module in every language, built by Altair now."""
    builders = {**charts.BUILDERS, **sweep_charts.BUILDERS}
    return {
        chart_templates.key(kind, lang): charts.built(builder, lang)
        for kind, builder in sorted(builders.items())
        for lang in LANGUAGES
    }


def main() -> None:
    templates = build_all()
    write_text(
        chart_templates.PATH,
        json.dumps(templates, ensure_ascii=False, sort_keys=True, indent=0) + "\n",
    )
    print(f"wrote {len(templates)} templates to {chart_templates.PATH}")


if __name__ == "__main__":
    main()
