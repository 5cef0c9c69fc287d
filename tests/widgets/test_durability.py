"""A code confirmed through the widget in a real kernel survives SIGKILL of that kernel."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from jupyter_client import KernelManager

from workbench import schema
from workbench.store import CodeStore

CODE = """
import pandas as pd
from workbench.store import CodeStore
from workbench.widgets.coding import CodingWidget
frame = pd.DataFrame({"segment_id": ["s1", "s2", "s3"], "text": ["a", "b", "c"],
    "source_path": ["x.txt"] * 3, "turn": [0, 1, 2], "participant_id": ["P1"] * 3,
    "speaker_role": ["participant"] * 3, "stage": ["support"] * 3,
    "stage_confidence": [0.9] * 3})
w = CodingWidget(frame, CodeStore(STORE_PATH), "ana", order="source")
w.form.stage.value = "renewal"
w.form.memo.value = "before the crash"
w.key_capture._handle_custom_msg({"type": "key", "key": "Enter"}, [])
print("ACK", w.current_id, flush=True)
"""


def test_confirmed_code_survives_kernel_kill(tmp_path: Path):
    path = tmp_path / "codes.sqlite"
    km = KernelManager(kernel_name="python3")
    km.kernel_spec.argv[0] = sys.executable  # this venv's Python, whatever the spec says
    km.start_kernel(cwd=str(tmp_path))
    client = km.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        outputs: list[str] = []

        def on_output(msg: dict) -> None:
            if msg["msg_type"] == "error":
                outputs.append("\n".join(msg["content"]["traceback"]))
            if msg["msg_type"] == "stream":
                outputs.append(msg["content"]["text"])
                if "ACK" in msg["content"]["text"]:
                    os.kill(km.provisioner.process.pid, signal.SIGKILL)  # right after the ack

        try:
            client.execute_interactive(
                CODE.replace("STORE_PATH", repr(str(path))), output_hook=on_output, timeout=60
            )
        except Exception as exc:  # the kernel dies before replying (the point)
            outputs.append(f"execute_interactive: {exc!r}")
        assert any("ACK s2" in text for text in outputs), outputs
        km.provisioner.process.wait(timeout=10)
        assert km.provisioner.process.returncode == -signal.SIGKILL
    finally:
        client.stop_channels()
        km.shutdown_kernel(now=True)
    with CodeStore(path) as store:
        codes = store.current_codes()
    assert codes[schema.SEGMENT_ID].tolist() == ["s1"]
    assert codes[schema.STAGE].tolist() == ["renewal"]
    assert codes["memo"].tolist() == ["before the crash"]
