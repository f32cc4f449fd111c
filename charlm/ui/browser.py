"""Two small pieces of the page that run in the browser, as Streamlit components (v2): a click
on a generated character opens that step in place, and a button copies the page's link.

Both are our own fixed scripts: no visitor input ever becomes code. Labels arrive as data and
are set as text, never as HTML.
"""

from __future__ import annotations

import streamlit as st

# A click on a generated character marks it at once and sends its step (1-based) to the
# server, which reruns like any widget: no page load, so scroll, toggles and the address stay
# (a link with ?step=N reloaded the whole page: 1.8 s median, the page back at the top). The
# mark is one CSS rule on the n-th character, so the text itself is never redrawn and its box
# keeps its scroll.
CLICK_JS = """
export default function ({ data, setTriggerValue }) {
  const style = document.head.appendChild(document.createElement("style"));
  const mark = (step) => {
    style.textContent =
      ".charlm-text[data-inspect] > span[title]{cursor:pointer}" +
      (step ? `.charlm-text[data-inspect] > :nth-child(${Number(step)} of span[title])` +
        "{outline:3px solid #c2185b;outline-offset:0;border-radius:2px}" : "");
  };
  mark(data && data.step);
  const onClick = (event) => {
    const span = event.target.closest && event.target.closest(
      ".charlm-text[data-inspect] > span[title]");
    if (!span) return;
    const spans = Array.from(span.parentElement.querySelectorAll(":scope > span[title]"));
    const step = spans.indexOf(span) + 1;
    mark(step);
    setTriggerValue("step", step);
  };
  document.addEventListener("click", onClick);
  return () => {
    document.removeEventListener("click", onClick);
    style.remove();
  };
}
"""

_click_to_inspect = st.components.v2.component("charlm_click_to_inspect", js=CLICK_JS)


def click_to_inspect(step: int, key: str = "step") -> None:
    """Marks generated character `step` (1-based) and lets a click on any generated character
    set st.session_state[key] to its step, before the next run draws the inspector."""

    def clicked() -> None:
        value = st.session_state.get("click_to_inspect", {}).get("step")
        if isinstance(value, int) and value >= 1:
            st.session_state[key] = value

    _click_to_inspect(
        key="click_to_inspect", data={"step": int(step)}, on_step_change=clicked, height=0
    )


# Copies the page's address, which holds every setting (params.to_query). The Clipboard API
# needs a secure context (https or localhost); a class server on http://10.x.x.x is not one,
# so the old execCommand("copy") is the fallback there.
COPY_CSS = """
.charlm-copy{font:inherit;font-size:0.9rem;padding:0.35rem 0.75rem;border-radius:0.5rem;
  cursor:pointer;
  border:1px solid rgba(49,51,63,0.3);background:var(--st-background-color,#fff);
  color:var(--st-text-color,#31333f)}
.charlm-copy:hover{border-color:var(--st-primary-color,#1a56a6);color:var(--st-primary-color,#1a56a6)}
.charlm-copy:focus-visible{outline:3px solid #1A56A6;outline-offset:2px}
.charlm-copied{margin-left:0.5rem;font-size:0.85rem;color:var(--st-text-color,#31333f)}
"""
COPY_JS = """
export default function ({ data, parentElement }) {
  // Built here with its label, so that no nameless button is ever on the page (axe).
  let button = parentElement.querySelector("button.charlm-copy");
  let done = parentElement.querySelector(".charlm-copied");
  if (!button) {
    button = document.createElement("button");
    button.type = "button";
    button.className = "charlm-copy";
    done = document.createElement("span");
    done.className = "charlm-copied";
    done.setAttribute("role", "status");
    parentElement.append(button, done);
  }
  button.textContent = data.label;
  const fallback = (link) => {
    const area = document.createElement("textarea");
    area.value = link;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  };
  button.onclick = async () => {
    const link = window.location.href;
    let ok = false;
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(link);
        ok = true;
      }
    } catch (error) { ok = false; }
    if (!ok) ok = fallback(link);
    done.textContent = ok ? data.copied : data.failed;
  };
}
"""

# In the page itself, not a shadow root: the page's focus ring then shows on the button and the
# keyboard lands on the button itself.
_copy_link = st.components.v2.component(
    "charlm_copy_link", css=COPY_CSS, js=COPY_JS, isolate_styles=False
)


def copy_link_button(label: str, copied: str, failed: str) -> None:
    """A button that copies the page's current address to the clipboard and says so."""
    _copy_link(key="copy_link", data={"label": label, "copied": copied, "failed": failed})
