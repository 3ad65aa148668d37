"""Open a local HTML page in headless Chromium (Debian's /usr/bin/chromium) through the DevTools
protocol on a pipe: console messages, exceptions and failed loads, figure checks and a
full-page screenshot, with nothing but the standard library."""

from __future__ import annotations

import base64
import fcntl
import json
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--remote-debugging-pipe"]

#: Per <img>: loaded, natural size, and how many distinct colours a 64x64 sample of it has.
FIGURES_JS = """
Array.from(document.images).map(img => {
  const c = document.createElement('canvas'); c.width = 64; c.height = 64;
  const g = c.getContext('2d'); g.drawImage(img, 0, 0, 64, 64);
  const d = g.getImageData(0, 0, 64, 64).data; const seen = new Set();
  for (let i = 0; i < d.length; i += 4) seen.add(d[i] << 16 | d[i + 1] << 8 | d[i + 2]);
  return {alt: img.alt, complete: img.complete, width: img.naturalWidth, height: img.naturalHeight,
          colours: seen.size};
})
"""


@dataclass
class PageVisit:
    """What the browser saw: errors (console, exceptions, log entries), figures, text and a screenshot."""

    errors: list[str] = field(default_factory=list)
    figures: list[dict[str, Any]] = field(default_factory=list)
    text: str = ""
    screenshot: bytes = b""


class _Pipe:
    """DevTools messages over the pipe: NUL-terminated JSON, one browser connection."""

    def __init__(self, process: subprocess.Popen, write_fd: int, read_fd: int) -> None:
        self.process, self.write_fd, self.read_fd = process, write_fd, read_fd
        self.buffer, self.next_id, self.events = b"", 0, []  # type: ignore[var-annotated]

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 30.0) -> dict:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.write_fd, json.dumps(message).encode() + b"\0")
        return self._wait(lambda m: m.get("id") == self.next_id, timeout)

    def wait_event(self, method: str, timeout: float = 30.0) -> dict:
        for i, event in enumerate(self.events):
            if event.get("method") == method:
                return self.events.pop(i)
        return self._wait(lambda m: m.get("method") == method, timeout, keep=False)

    def _wait(self, match: Any, timeout: float, keep: bool = True) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            while b"\0" in self.buffer:
                raw, self.buffer = self.buffer.split(b"\0", 1)
                message = json.loads(raw)
                if match(message):
                    if "error" in message:
                        raise RuntimeError(f"DevTools error: {message['error']}")
                    return message
                self.events.append(message)
            chunk = os.read(self.read_fd, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self.buffer += chunk
        raise TimeoutError("no answer from Chromium")


def visit(page: Path, width: int = 1100) -> PageVisit:
    """Load ``page`` (a local file) and return what the browser saw."""
    to_browser = [_high(fd) for fd in os.pipe()]
    from_browser = [_high(fd) for fd in os.pipe()]
    read_end, write_end = to_browser[0], from_browser[1]
    # Chromium reads commands on fd 3 and writes answers on fd 4
    move = f'exec 3<&{read_end} 4>&{write_end} {read_end}<&- {write_end}>&-; exec "$0" "$@"'
    with tempfile.TemporaryDirectory() as profile:
        process = subprocess.Popen(
            ["bash", "-c", move, str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(read_end, write_end))
        os.close(read_end)
        os.close(write_end)
        pipe = _Pipe(process, to_browser[1], from_browser[0])
        try:
            return _visit(pipe, page, width)
        finally:
            os.close(to_browser[1])
            os.close(from_browser[0])
            process.terminate()
            process.wait(timeout=10)


def _high(fd: int) -> int:
    """``fd`` moved to a number of 10 or more, clear of the 3 and 4 Chromium's pipe uses."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return moved


def _visit(pipe: _Pipe, page: Path, width: int) -> PageVisit:
    target = pipe.send("Target.createTarget", {"url": "about:blank"})["result"]["targetId"]
    session = pipe.send("Target.attachToTarget", {"targetId": target, "flatten": True})["result"]["sessionId"]
    for domain in ("Page", "Runtime", "Log"):
        pipe.send(f"{domain}.enable", session=session)
    pipe.send("Emulation.setDeviceMetricsOverride",
              {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False}, session=session)
    pipe.send("Page.navigate", {"url": page.resolve().as_uri()}, session=session)
    pipe.wait_event("Page.loadEventFired")
    seen = PageVisit()
    seen.figures = _evaluate(pipe, session, FIGURES_JS)
    seen.text = _evaluate(pipe, session, "document.body.innerText")
    shot = pipe.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, session=session)
    seen.screenshot = base64.b64decode(shot["result"]["data"])
    seen.errors = [_describe(e) for e in pipe.events if _is_error(e)]
    return seen


def _evaluate(pipe: _Pipe, session: str, expression: str) -> Any:
    answer = pipe.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=session)
    if "exceptionDetails" in answer["result"]:
        raise RuntimeError(f"page script failed: {answer['result']['exceptionDetails']}")
    return answer["result"]["result"]["value"]


def _is_error(event: dict) -> bool:
    method, params = event.get("method"), event.get("params", {})
    if method == "Runtime.exceptionThrown":
        return True
    if method == "Runtime.consoleAPICalled":
        return params.get("type") in ("error", "assert")
    if method == "Log.entryAdded":
        return params.get("entry", {}).get("level") == "error"
    return False


def _describe(event: dict) -> str:
    return f"{event['method']}: {json.dumps(event.get('params', {}))[:300]}"
