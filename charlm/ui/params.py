"""Page settings <-> URL query parameters, with clamping. Pure Python: no Streamlit.

Every value in a link is checked: out-of-range numbers are clamped, unknown or malformed
values are ignored, and each change is reported so the page can show a notice. A notice is
(strings key, fields), so the page says it in its own language.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

T_MIN, T_MAX, T_STEP = 0.05, 2.0, 0.01
LEN_MIN, LEN_MAX = 10, 2000
RNG_MAX = 2**31 - 1
SEED_TEXT_MAX = 2000
MAX_COMPARE = 6
DEFAULT_COMPARE = (0.2, 0.5, 1.0, 1.2)
TOP_K_MAX = 100_000  # the page then lowers k to the model's alphabet, with its own notice
VIEWS = ("explore", "compare", "neurons", "train", "class")
SWEEP_ALONG = ("temperature", "top_p", "min_p")  # what the Compare view's sweep runs along
CLASS_ACTIVITIES = ("guess", "vote")  # the Class view's activities
NEURON_KINDS = ("cell", "hidden")  # the Neurons view: memory c or output h
NEURON_SOURCES = ("generated", "passage", "own")  # ... coloured over which text
MAX_LAYERS, MAX_UNITS = 8, 4096  # a link's layer and cell; the view keeps them in its model


@dataclass
class PageSettings:
    model: str | None = None
    temperature: float = 0.5
    greedy: bool = False
    length: int = 400
    seed_text: str | None = None  # None: pick a corpus passage
    rng_seed: int = 42
    top_k: int = 0  # 0 = off
    top_p: float = 1.0  # 1.0 = off
    min_p: float = 0.0  # 0.0 = off
    lang: str = "en"
    compare: tuple[float, ...] = DEFAULT_COMPARE
    epoch: int | None = None  # None: the exported model, else an epoch snapshot
    view: str = "explore"
    compare_greedy: bool = False  # a greedy (argmax) column beside the compared temperatures
    step: int | None = None  # the step inspector's position (a click on a character sets it)
    sweep_knob: str = "temperature"  # the Compare view's sweep: along T, top-p or min-p
    activity: str = "guess"  # the Class view's activity (a reload stays on it)
    pipeline: bool = False  # the step inspector's sampling pipeline is shown
    draws: bool = False  # ... and "Draw 100" under it (the link then draws the same again)
    # The Neurons view's cell (None: the view picks the strongest one), kind and text.
    neuron_layer: int | None = None  # 1-based
    neuron_unit: int | None = None
    neuron_kind: str = "cell"
    neuron_source: str = "generated"
    notices: list[tuple[str, dict]] = field(default_factory=list)  # (strings key, fields)


def parse_compare(
    text: str, limit: int | None = MAX_COMPARE
) -> tuple[tuple[float, ...], list[str]]:
    """'0.2, 0.5, x' -> ((0.2, 0.5), ['x']); values out of range are rejected, not clamped.
    Only the first `limit` distinct values are kept (None: all)."""
    values, rejected = [], []
    for item in str(text).replace(";", ",").split(","):
        item = item.strip()
        if not item:
            continue
        try:
            value = float(item)
        except ValueError:
            rejected.append(item)
            continue
        if not math.isfinite(value) or not T_MIN <= value <= T_MAX:
            rejected.append(item)
        elif round(value, 2) not in values and (limit is None or len(values) < limit):
            values.append(round(value, 2))
    return tuple(values), rejected


def _number(raw: str, kind, notices: list[str], name: str):
    try:
        value = kind(float(raw)) if kind is int else kind(raw)
    except (TypeError, ValueError, OverflowError):
        notices.append(("link_not_number", {"name": name, "raw": repr(raw)}))
        return None
    if isinstance(value, float) and not math.isfinite(value):
        notices.append(("link_not_finite", {"name": name, "raw": repr(raw)}))
        return None
    return value


def _clamped(value, low, high, notices, name):
    clamped = min(max(value, low), high)
    if clamped != value:
        shown = value if abs(value) < 1e9 else f"{value:.3g}"  # not a 309-digit ?len=1e308
        fields = {"name": name, "value": shown, "low": low, "high": high, "clamped": clamped}
        notices.append(("link_clamped", fields))
    return clamped


def from_query(
    params: dict[str, str], models: list[str], default_model: str | None
) -> PageSettings:
    """Settings from a link's query parameters; every adjustment is listed in .notices."""
    settings = PageSettings(model=default_model)
    notes = settings.notices
    get = {k: (v[-1] if isinstance(v, list) else v) for k, v in params.items()}
    if "model" in get:
        if get["model"] in models:
            settings.model = get["model"]
        else:
            fields = {"model": repr(get["model"]), "default": repr(default_model)}
            notes.append(("link_no_model", fields))
    if "t" in get and (t := _number(get["t"], float, notes, "t")) is not None:
        settings.temperature = round(_clamped(t, T_MIN, T_MAX, notes, "t"), 2)
    if "greedy" in get:
        settings.greedy = get["greedy"] in {"1", "true", "yes"}
    if "cmpg" in get:
        settings.compare_greedy = get["cmpg"] in {"1", "true", "yes"}
    if "len" in get and (n := _number(get["len"], int, notes, "len")) is not None:
        settings.length = _clamped(n, LEN_MIN, LEN_MAX, notes, "len")
    if "seed" in get:
        text = str(get["seed"])
        if len(text) > SEED_TEXT_MAX:
            notes.append(("link_seed_cut", {"max": SEED_TEXT_MAX}))
        settings.seed_text = text[:SEED_TEXT_MAX]
    if "rng" in get and (r := _number(get["rng"], int, notes, "rng")) is not None:
        settings.rng_seed = _clamped(r, 0, RNG_MAX, notes, "rng")
    if "k" in get and (k := _number(get["k"], int, notes, "k")) is not None:
        settings.top_k = _clamped(k, 0, TOP_K_MAX, notes, "k")
    if "p" in get and (p := _number(get["p"], float, notes, "p")) is not None:
        settings.top_p = round(_clamped(p, 0.05, 1.0, notes, "p"), 2)
    if "minp" in get and (m := _number(get["minp"], float, notes, "minp")) is not None:
        settings.min_p = round(_clamped(m, 0.0, 1.0, notes, "minp"), 2)
    if "lang" in get:
        if get["lang"] in {"en", "ko"}:
            settings.lang = get["lang"]
        else:
            notes.append(("link_bad_lang", {"value": repr(get["lang"])}))
    if "cmp" in get:
        values, rejected = parse_compare(get["cmp"], limit=None)
        if rejected:
            notes.append(("link_cmp_ignored", {"items": ", ".join(rejected)}))
        if len(values) > MAX_COMPARE:
            left_out = ", ".join(f"{t:g}" for t in values[MAX_COMPARE:])
            notes.append(("link_cmp_extra", {"max": MAX_COMPARE, "items": left_out}))
        settings.compare = values[:MAX_COMPARE] or DEFAULT_COMPARE
    if "view" in get:
        if get["view"] in VIEWS:
            settings.view = get["view"]
        else:
            notes.append(("link_bad_view", {"view": repr(get["view"])}))
    if "sweep" in get:
        if get["sweep"] in SWEEP_ALONG:
            settings.sweep_knob = get["sweep"]
        else:
            notes.append(("link_bad_sweep", {"value": repr(get["sweep"])}))
    if "act" in get:
        if get["act"] in CLASS_ACTIVITIES:
            settings.activity = get["act"]
        else:
            notes.append(("link_bad_activity", {"value": repr(get["act"])}))
    settings.pipeline = get.get("pipe") in {"1", "true", "yes"}
    settings.draws = get.get("draw") in {"1", "true", "yes"}
    if "step" in get and (n := _number(get["step"], int, notes, "step")) is not None:
        settings.step = _clamped(n, 1, settings.length, notes, "step")  # within the text
    if "epoch" in get and (e := _number(get["epoch"], int, notes, "epoch")) is not None:
        settings.epoch = e if e >= 1 else None
    if "layer" in get and (n := _number(get["layer"], int, notes, "layer")) is not None:
        settings.neuron_layer = _clamped(n, 1, MAX_LAYERS, notes, "layer")
    if "cell" in get and (n := _number(get["cell"], int, notes, "cell")) is not None:
        settings.neuron_unit = _clamped(n, 0, MAX_UNITS - 1, notes, "cell")
    settings.neuron_kind = _choice(get, "kind", NEURON_KINDS, notes)
    settings.neuron_source = _choice(get, "src", NEURON_SOURCES, notes)
    return settings


def _choice(get: dict, name: str, choices: tuple[str, ...], notes: list) -> str:
    """get[name] when it is one of `choices`, else the first (said in a notice)."""
    if name not in get or get[name] in choices:
        return get.get(name, choices[0])
    fields = {"name": name, "value": repr(get[name]), "choices": ", ".join(choices)}
    notes.append(("link_bad_choice", {**fields, "used": choices[0]}))
    return choices[0]


_NOTICE_PARAMS = {
    "link_no_model": "model",
    "link_seed_cut": "seed",
    "link_bad_lang": "lang",
    "link_cmp_ignored": "cmp",
    "link_cmp_extra": "cmp",
    "link_bad_view": "view",
    "link_bad_sweep": "sweep",
    "link_bad_activity": "act",
}


def notice_about(key: str, fields: dict) -> str | None:
    """The query parameter a link notice (from_query's .notices) is about, or None."""
    return fields.get("name") if "name" in fields else _NOTICE_PARAMS.get(key)


def to_query(settings: PageSettings) -> dict[str, str]:
    """The query parameters that reproduce `settings` exactly."""
    query = {
        "model": settings.model or "",
        "t": f"{settings.temperature:g}",
        "len": str(settings.length),
        "seed": settings.seed_text or "",
        "rng": str(settings.rng_seed),
        "lang": settings.lang,
        "cmp": ",".join(f"{t:g}" for t in settings.compare if not isinstance(t, str)),
    }
    if settings.greedy:
        query["greedy"] = "1"
    if settings.compare_greedy:
        query["cmpg"] = "1"
    if settings.view != "explore":
        query["view"] = settings.view
    if settings.sweep_knob != "temperature":
        query["sweep"] = settings.sweep_knob
    if settings.activity != "guess":
        query["act"] = settings.activity
    if settings.pipeline:
        query["pipe"] = "1"
    if settings.draws:
        query["draw"] = "1"
    if settings.top_k:
        query["k"] = str(settings.top_k)
    if settings.top_p < 1.0:
        query["p"] = f"{settings.top_p:g}"
    if settings.min_p > 0:
        query["minp"] = f"{settings.min_p:g}"
    if settings.view == "neurons":  # the cell in view, so that a link shows the same
        if settings.neuron_layer is not None:
            query["layer"] = str(settings.neuron_layer)
        if settings.neuron_unit is not None:
            query["cell"] = str(settings.neuron_unit)
        if settings.neuron_kind != NEURON_KINDS[0]:
            query["kind"] = settings.neuron_kind
        if settings.neuron_source != NEURON_SOURCES[0]:
            query["src"] = settings.neuron_source
    if settings.epoch is not None:
        query["epoch"] = str(settings.epoch)
    if settings.step is not None:
        query["step"] = str(settings.step)
    return query
