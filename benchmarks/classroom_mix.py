"""A realistic class for `classroom_load.py --mix`: every student does something different.

Per student (every share and range is an option of MixOptions / the command line):
opens the page, picks a view (Explore 50%, Compare 25%, Neurons 15%, Train 10%), clicks
"Another passage" (60%), types a seed text of their own of 80-300 characters (30%), switches to
nietzsche-best (40%), makes 4 temperature moves 1 s apart, then 1-2 more actions: influence,
length 200-1,500, step, a "cells that track" button, the greedy column, another view.

After each action it checks the page really changed: the generated text, the recomputed sweep
chart, the cell shown (or, for actions without one target, any content element). Widgets are
found by their keys, and an action whose widget is missing is skipped and counted, so the
client keeps working while the page's labels and layout change.
"""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from st_client import StreamlitSession

VIEWS = ("explore", "compare", "neurons", "train")
# Elements that are widgets: their proto does not change when the visitor moves them.
WIDGET_KINDS = {
    "slider", "button", "button_group", "selectbox", "radio", "text_area", "text_input",
    "number_input", "checkbox", "download_button", "multiselect", "toast",
}  # fmt: skip


@dataclass
class MixOptions:
    views: tuple[float, ...] = (0.5, 0.25, 0.15, 0.1)  # explore, compare, neurons, train
    passage: float = 0.6
    own_seed: float = 0.3
    seed_chars: tuple[int, int] = (80, 300)
    best: float = 0.4
    best_model: str = "nietzsche-best"
    temperature_moves: int = 4
    move_gap: float = 1.0  # seconds between a student's actions
    extra: tuple[int, int] = (1, 2)
    length: tuple[int, int] = (200, 1500)
    arrival: float = 5.0  # students open the page within this many seconds of each other
    timeout: float = 30.0  # an action not finished by then "never finished"


@dataclass
class MixLog:
    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    unfinished: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    checked: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    changed: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    skipped: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    errors: list[str] = field(default_factory=list)

    def merge(self, other: MixLog) -> None:
        for name in ("seconds",):
            for key, values in getattr(other, name).items():
                self.seconds[key] += values
        for name in ("unfinished", "checked", "changed", "skipped"):
            for key, count in getattr(other, name).items():
                getattr(self, name)[key] += count
        self.errors += other.errors


def content(result, target: str):
    """What `target` shows on a finished page: the generated text, the sweep chart, or every
    content element (not widgets)."""
    if target == "text":
        return tuple(m for m in result.markdown if "charlm-text" in m)
    if target == "sweep":
        keyed = [d for kind, key, d in result.elements if key and "sweep" in key]
        charts = [d for kind, _, d in result.elements if "chart" in kind]
        return tuple(keyed or charts)
    return tuple(d for kind, _, d in result.elements if kind not in WIDGET_KINDS)


class Student:
    def __init__(self, port: int, options: MixOptions, rng: random.Random, corpus: str):
        self.session = StreamlitSession(port)
        self.options, self.rng, self.corpus = options, rng, corpus
        self.log = MixLog()
        self.last = None
        self.view = "explore"

    async def act(self, name: str, target: str | None) -> bool:
        """Rerun with the values set; time it and check that `target` changed."""
        before = content(self.last, target) if self.last is not None and target else None
        try:
            result = await self.session.rerun(timeout=self.options.timeout)
        except Exception as exc:  # a dropped connection counts as never finished
            self.log.unfinished[name] += 1
            self.log.errors.append(f"{name}: {exc!r}")
            return False
        if not result.finished:
            self.log.unfinished[name] += 1
            return False
        self.log.seconds[name].append(result.seconds)
        self.log.errors += [m for m in result.markdown if m.startswith("EXCEPTION")]
        if before is not None:
            self.log.checked[name] += 1
            self.log.changed[name] += content(result, target) != before
        self.last = result
        return True

    def has(self, name: str, *keys: str) -> bool:
        if all(key in self.session.widgets for key in keys):
            return True
        self.log.skipped[name] += 1
        return False

    async def pause(self) -> None:
        await asyncio.sleep(self.options.move_gap)

    async def run(self, start_gate: asyncio.Event) -> MixLog:
        o, rng = self.options, self.rng
        await start_gate.wait()
        await asyncio.sleep(rng.uniform(0, o.arrival))
        try:
            opened = await self.session.open(timeout=o.timeout)
        except Exception as exc:
            self.log.unfinished["open"] += 1
            self.log.errors.append(f"open: {exc!r}")
            return self.log
        if not opened.finished:
            self.log.unfinished["open"] += 1
            await self.session.close()
            return self.log
        self.log.seconds["open"].append(opened.seconds)
        self.last = opened
        try:
            await self.lesson()
        finally:
            await self.session.close()
        return self.log

    async def lesson(self) -> None:
        o, rng = self.options, self.rng
        view = rng.choices(VIEWS, weights=o.views)[0]
        if view != "explore":
            await self.pause()
            await self.switch_view(view)
        if self.view == "train":
            for _ in range(rng.randint(*o.extra)):  # watches the run's progress
                await self.pause()
                await self.act("train refresh", None)
            return
        if rng.random() < o.passage and self.has("passage", "another_passage"):
            await self.pause()
            self.session.click("another_passage")
            await self.act("passage", "text")
        if rng.random() < o.own_seed and self.has("own seed", "seed_text"):
            await self.pause()
            chars = rng.randint(*o.seed_chars)
            start = rng.randrange(max(1, len(self.corpus) - chars))
            self.session.set("seed_text", "string_value", self.corpus[start : start + chars])
            await self.act("own seed", "text")
        if rng.random() < o.best:
            await self.choose_model(o.best_model)
        for i in range(o.temperature_moves):
            await self.pause()
            await self.temperature_move(i)
        for _ in range(rng.randint(*o.extra)):
            await self.pause()
            await self.extra_action()

    async def switch_view(self, view: str) -> None:
        if not self.has("view", "view"):
            return
        widget = self.session.widgets["view"]
        label = next((opt for opt in widget.options if view in str(opt).lower()), None)
        if label is None and len(widget.options) == len(VIEWS):
            label = widget.options[VIEWS.index(view)]
        if label is None:
            self.log.skipped["view"] += 1
            return
        proto_field = "string_array_value" if widget.kind == "button_group" else "string_value"
        self.session.set(
            "view", proto_field, [label] if proto_field.endswith("array_value") else label
        )
        if await self.act("view", "page"):
            self.view = view

    async def choose_model(self, name: str) -> None:
        if not self.has("model", "model"):
            return
        widget = self.session.widgets["model"]
        label = next((opt for opt in widget.options if str(opt).startswith(name)), None)
        if label is None:
            self.log.skipped["model"] += 1
            return
        await self.pause()
        self.session.set("model", "string_value", label)
        await self.act("model", "text")

    async def temperature_move(self, i: int) -> None:
        # Alternating low and high, so two moves in a row never give the same text.
        low = i % 2 == 0
        t = round(self.rng.uniform(0.2, 0.6) if low else self.rng.uniform(1.0, 1.8), 2)
        if self.view == "compare":
            if self.has("temperature", "compare_text"):
                others = sorted({t, round(self.rng.uniform(0.2, 1.8), 1), 1.0})
                self.session.set("compare_text", "string_value", ", ".join(map(str, others)))
                await self.act("temperature", "text")
        elif self.has("temperature", "temperature"):
            self.session.set("temperature", "double_array_value", [t])
            await self.act("temperature", "text" if self.view == "explore" else "page")

    async def extra_action(self) -> None:
        rng, o = self.rng, self.options
        menu = ["length", "view"]
        menu += {
            "explore": ["influence", "step", "greedy"],
            "compare": ["greedy column"],
            "neurons": ["cells that track"],
        }.get(self.view, [])
        action = rng.choice(menu)
        s = self.session
        if action == "length" and self.has(action, "length"):
            s.set(
                "length",
                "double_array_value",
                [float(rng.randrange(o.length[0], o.length[1] + 1, 10))],
            )
            await self.act(action, "text")
        elif action == "view":
            await self.switch_view(rng.choice([v for v in VIEWS[:3] if v != self.view]))
        elif action == "influence" and self.has(action, "show_influence"):
            s.set("show_influence", "bool_value", True)
            await self.act(action, "page")
        elif action == "step" and self.has(action, "step"):
            s.set("step", "double_array_value", [float(rng.randint(2, 150))])
            await self.act(action, "page")
        elif action == "greedy" and self.has(action, "greedy"):
            s.set("greedy", "bool_value", True)
            await self.act(action, "text")
        elif action == "greedy column" and self.has(action, "compare_greedy"):
            s.set("compare_greedy", "bool_value", True)
            await self.act(action, "text")
        elif action == "cells that track":
            buttons = [key for key in s.widgets if key.startswith("open_")]
            if not buttons:
                self.log.skipped[action] += 1
                return
            s.click(rng.choice(buttons))
            await self.act(action, "page")


def corpus_text() -> str:
    """Text students type from: the corpus if present, else the bundled held-out passage."""
    import os

    bundled = Path(__file__).resolve().parent.parent / "artifacts/nietzsche-seed/heldout.txt"
    for candidate in (os.environ.get("CHARLM_CORPUS"), bundled):
        if candidate and Path(candidate).is_file():
            return Path(candidate).read_text(encoding="utf-8")[:200_000]
    return "supposing that truth is a woman--what then? " * 20


async def mix_class(port: int, users: int, options: MixOptions, seed: int = 0) -> MixLog:
    corpus = corpus_text()
    gate = asyncio.Event()
    students = [
        Student(port, options, random.Random(seed * 1000 + i), corpus) for i in range(users)
    ]
    tasks = [asyncio.create_task(s.run(gate)) for s in students]
    gate.set()
    total = MixLog()
    for log in await asyncio.gather(*tasks):
        total.merge(log)
    return total
