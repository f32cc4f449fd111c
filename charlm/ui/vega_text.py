"""Text for charts that the browser fills in: a strings-table template such as
"Chosen: {char} (model {before:.1%})" as a Vega expression, so a chart can rewrite it when a
browser-side parameter moves. Python format specs like ".1%" and ".2f" are d3-format's too.
"""

from __future__ import annotations

import json
from string import Formatter


def literal(text: str) -> str:
    """A string literal for a Vega expression."""
    return json.dumps(str(text), ensure_ascii=False)


def expr(template: str, **fields: str) -> str:
    """The Vega expression that formats `template`, each {name[:spec]} taken from the
    expression fields[name]. Raises KeyError for a placeholder not given."""
    parts = []
    for plain, name, spec, _ in Formatter().parse(template):
        if plain:
            parts.append(literal(plain))
        if name is not None:
            value = fields[name]
            parts.append(f"format({value}, {literal(spec)})" if spec else f"({value})")
    return " + ".join(parts) or '""'
