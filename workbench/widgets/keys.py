"""Keyboard shortcuts for the coding widget: a tiny anywidget and a pure key map.

ipywidgets 8 has no key events. :class:`KeyCapture` is an ``anywidget`` (its ES module ships
inline, nothing is fetched) placed inside the coding widget. In the browser it finds the
enclosing ``.wb-coding`` box, makes it focusable and listens for ``keydown`` on ``window`` in
the capture phase, so JupyterLab's own notebook shortcuts (``j``, ``k``, ``1``…) do not fire
first. A key is handled only when the event's target is inside that box and is not a text field,
select or code editor (typing a memo never triggers a shortcut). Handled keys are sent to Python
as the custom message ``{"type": "key", "key": KEY}``; :meth:`KeyCapture.on_key` registers the
Python side. Headless tests send the same message through ``_handle_custom_msg``.

Examples
--------
>>> key_action("Enter"), key_action("j"), key_action("3"), key_action("Ctrl+Z"), key_action("q")
(('confirm', None), ('next', None), ('stage', 3), ('undo', None), None)
>>> key_action("x")
('not_codable', None)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anywidget
import traitlets

KEYMAP: dict[str, str] = {
    "Enter": "confirm",
    "ArrowRight": "next",
    "j": "next",
    "ArrowLeft": "previous",
    "k": "previous",
    "u": "undo",
    "Ctrl+Z": "undo",
    "x": "not_codable",
}
STAGE_KEYS = tuple(str(i) for i in range(1, 10))
HELP = (
    "Enter confirm & next · 1–9 stage · x not codable · → / j next · ← / k previous · "
    "u / Ctrl+Z undo"
)


def key_action(key: str) -> tuple[str, int | None] | None:
    """What a key does: ``(action, stage number or None)``, or None when it is not a shortcut."""
    if key in STAGE_KEYS:
        return ("stage", int(key))
    action = KEYMAP.get(key)
    return None if action is None else (action, None)


_ESM = """
const KEYS = new Set(%(keys)s);
const EDITABLE = "input, textarea, select, [contenteditable=''], [contenteditable='true'], "
  + ".cm-editor";

function render({ model, el }) {
  el.classList.add("wb-keys");
  el.textContent = "⌨ " + model.get("help");
  let root = null;
  let alive = true;
  const onKey = (ev) => {
    if (!root || !root.isConnected || !root.contains(ev.target)) return;
    if (ev.altKey || ev.metaKey || ev.isComposing) return;
    if (ev.target.closest && ev.target.closest(EDITABLE)) return;
    let key = ev.key;
    if (ev.ctrlKey) {
      if (key.toLowerCase() !== "z") return;
      key = "Ctrl+Z";
    }
    if (!KEYS.has(key)) return;
    ev.preventDefault();
    ev.stopPropagation();
    model.send({ type: "key", key: key });
  };
  const onDown = (ev) => {
    // A click on the card (not a field) focuses the box, so keys reach it.
    if (!root || (ev.target.closest && ev.target.closest(EDITABLE))) return;
    root.focus({ preventScroll: true });
  };
  const attach = () => {
    if (!alive) return;
    root = el.closest(".wb-coding");
    if (!root) { requestAnimationFrame(attach); return; }
    root.tabIndex = 0;
    root.setAttribute("data-lm-suppress-shortcuts", "true");
    root.addEventListener("mouseup", onDown);
    root.focus({ preventScroll: true });
  };
  window.addEventListener("keydown", onKey, true);
  attach();
  return () => {
    alive = false;
    window.removeEventListener("keydown", onKey, true);
    if (root) root.removeEventListener("mouseup", onDown);
  };
}
export default { render };
"""


class KeyCapture(anywidget.AnyWidget):
    """Invisible-ish helper forwarding shortcut keys of its ``.wb-coding`` box to Python."""

    _esm = _ESM % {"keys": repr(sorted({*KEYMAP, *STAGE_KEYS}))}
    help = traitlets.Unicode(HELP).tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._key_handlers: list[Callable[[str], None]] = []
        self.on_msg(self._on_message)

    def on_key(self, handler: Callable[[str], None]) -> None:
        """Call ``handler(key)`` for every shortcut key pressed in the box."""
        self._key_handlers.append(handler)

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "key":
            key = str(content.get("key", ""))
            for handler in self._key_handlers:
                handler(key)
