"""A minimal Streamlit client over the app's own websocket protocol (the messages Chromium
sends): open a session, run the script, set widget values, wait for `script_finished`.
Like the browser, a change to widgets drawn by one fragment (`st.fragment`) asks to rerun that
fragment only.

Used by `classroom_load.py` to act as many students at once. Localhost only.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

EARLY_FOR_RERUN = ForwardMsg.FINISHED_EARLY_FOR_RERUN


@dataclass
class Widget:
    id: str
    kind: str
    label: str
    options: list[str] = field(default_factory=list)  # as the browser sends them back


@dataclass
class RunResult:
    seconds: float
    status: int | None  # ForwardMsg.ScriptFinishedStatus, None when it never finished
    markdown: list[str] = field(default_factory=list)
    widgets: dict[str, Widget] = field(default_factory=dict)  # user key -> widget
    # (element kind, user key or None, digest of its content) in page order: what changed
    elements: list[tuple[str, str | None, str]] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.status is not None


def widget_key(widget_id: str) -> str | None:
    """Streamlit ids of keyed widgets end in '-<key>' after a '$$ID-<hash>' prefix."""
    if widget_id.startswith("$$ID-"):
        parts = widget_id.split("-", 2)
        return parts[2] if len(parts) == 3 else None
    return None


class StreamlitSession:
    """One browser tab: a websocket, its widget ids, and reruns with widget values."""

    def __init__(
        self, port: int, host: str = "127.0.0.1", query: str = "", cookies: dict | None = None
    ):
        """`query`: the page address's query string (`view=class`), kept up to date as the
        page rewrites it, as the browser does; `cookies`: sent with the websocket handshake,
        as a browser sends the cookies it keeps for the site (st.context.cookies reads them)."""
        self.url = f"ws://{host}:{port}/_stcore/stream"
        self.query = query
        self.cookies = dict(cookies or {})
        self.ws = None
        self.session_id: str | None = None  # the server's id of this tab (uploads name it)
        self.widgets: dict[str, Widget] = {}
        self.values: dict[str, tuple[str, object]] = {}  # widget id -> (proto field, value)
        self._triggers: set[str] = set()
        self.fragment_of: dict[str, str] = {}  # widget id -> the fragment that drew it
        self._changed: set[str] = set()

    async def open(self, timeout: float = 60) -> RunResult:
        self.ws = await websockets.connect(
            self.url,
            subprotocols=["streamlit"],
            max_size=None,
            open_timeout=timeout,
            ping_interval=None,  # a busy server is measured by its runs, not a dropped ping
            additional_headers=self._cookie_header(),
        )
        return await self.rerun(timeout=timeout)

    def _cookie_header(self) -> dict[str, str]:
        if not self.cookies:
            return {}
        return {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    def set(self, key: str, proto_field: str, value) -> None:
        widget = self.widgets[key]
        self.values[widget.id] = (proto_field, value)
        self._changed.add(widget.id)

    def click(self, key: str) -> None:
        """Press a button for the next rerun only (the browser resets triggers after one)."""
        self.set(key, "trigger_value", True)
        self._triggers.add(self.widgets[key].id)

    async def rerun(self, timeout: float = 30) -> RunResult:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        state.page_script_hash = ""
        fragments = {self.fragment_of.get(w, "") for w in self._changed}
        if len(fragments) == 1 and "" not in fragments:  # as the browser: rerun that fragment
            state.fragment_id = fragments.pop()
        self._changed.clear()
        for widget_id, (proto_field, value) in self.values.items():
            item = state.widget_states.widgets.add()
            item.id = widget_id
            if proto_field.endswith("_array_value"):  # sliders send [value]
                getattr(item, proto_field).data.extend(value)
            else:
                setattr(item, proto_field, value)
        for widget_id in self._triggers:
            self.values.pop(widget_id, None)
        self._triggers.clear()
        start = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        return await self._until_finished(start, timeout)

    async def _until_finished(self, start: float, timeout: float) -> RunResult:
        result = RunResult(seconds=float("nan"), status=None)
        deadline = start + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                return result
            try:
                raw = await asyncio.wait_for(self.ws.recv(), left)
            except (TimeoutError, asyncio.TimeoutError):
                return result
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "delta":
                self._read_delta(msg, result)
            elif kind == "new_session":
                self.session_id = msg.new_session.initialize.session_id
            elif kind == "page_info_changed":  # the page rewrote its address
                self.query = msg.page_info_changed.query_string
            elif kind == "script_finished" and msg.script_finished == EARLY_FOR_RERUN:
                # The run called st.rerun() (a form that stores, then redraws): the action is
                # done when the run it started has finished, and that run draws the page.
                result.markdown.clear()
                result.elements.clear()
            elif kind == "script_finished":
                result.seconds = time.perf_counter() - start
                result.status = msg.script_finished
                result.widgets = dict(self.widgets)
                return result

    def _read_delta(self, msg: ForwardMsg, result: RunResult) -> None:
        if msg.delta.WhichOneof("type") != "new_element":
            return
        element = msg.delta.new_element
        kind = element.WhichOneof("type")
        if kind == "exception":
            result.markdown.append("EXCEPTION " + element.exception.message)
        if kind == "markdown":
            result.markdown.append(element.markdown.body)
            result.elements.append((kind, None, digest(element.SerializeToString())))
            return
        inner = getattr(element, kind, None)
        widget_id = getattr(inner, "id", "")
        key = widget_key(widget_id) if isinstance(widget_id, str) else None
        if widget_id and isinstance(widget_id, str):
            self.fragment_of[widget_id] = msg.delta.fragment_id
        result.elements.append((kind, key, digest(element.SerializeToString())))
        if key:
            options = [getattr(o, "content", o) for o in getattr(inner, "options", [])]
            self.widgets[key] = Widget(widget_id, kind, getattr(inner, "label", ""), options)


def digest(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=8).hexdigest()
