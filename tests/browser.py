"""One headless Chromium for a whole test module, driven over the DevTools protocol.

Starting Chromium costs about a second; the site has some thirty pages. The browser tests therefore start it once and
open each page in it, once, however many checks read that page. Only the ``websocket-client`` package is needed,
which Jupyter already installs.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread

import websocket

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--remote-debugging-port=0", "--remote-allow-origins=*"]


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(folder: Path) -> tuple[str, ThreadingHTTPServer]:
    """Serve ``folder`` on a free local port: the address of its root, and the server (``shutdown()`` ends it).

    Pages are served, not opened as files, because Chromium keeps the compiled code of a script it fetched over
    HTTP: plotly.js (3.5 MB) is then compiled once for the whole site instead of once per page (1.2 s each)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), lambda *args: Quiet(*args, directory=str(folder)))
    Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/", server


class BrowserError(Exception):
    """The browser did not start, or a page did not answer in time."""


class Browser:
    """A running headless Chromium. ``visit(address, script)`` loads a page, waits for ``script`` (a JavaScript
    expression that may return a promise) and returns its value with the page's console errors."""

    def __init__(self, profile: Path, timeout: float = 60):
        self.timeout = timeout
        self.process = subprocess.Popen([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        address = self._devtools_address()
        self.socket = websocket.create_connection(address, timeout=timeout, suppress_origin=True)
        self.next_id = 0

    def _devtools_address(self) -> str:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            found = re.search(r"DevTools listening on (ws://\S+)", line)
            if found:
                return found.group(1)
            if not line and self.process.poll() is not None:
                break
        self.close()
        raise BrowserError("Chromium did not start its DevTools endpoint")

    def call(self, method: str, session: str | None = None, events: list | None = None, **params) -> dict:
        """Send one command and wait for its answer; events that arrive meanwhile are kept in ``events``."""
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        self.socket.send(json.dumps(message))
        while True:
            reply = self._receive(events)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def wait_for(self, event: str, session: str, events: list) -> None:
        """Read messages until ``event`` arrives from the tab ``session`` (others are kept in ``events``)."""
        while True:
            message = self._receive(events)
            if message.get("method") == event and message.get("sessionId") == session:
                return

    def _receive(self, events: list | None) -> dict:
        """The next message from the browser; an event (a message with a ``method``) is also kept in ``events``."""
        message = json.loads(self.socket.recv())
        if events is not None and "method" in message:
            events.append(message)
        return message

    def visit(self, page: str, script: str) -> tuple[object, list[str]]:
        """Open the address ``page`` in a new tab, wait for its load event, evaluate ``script`` (a JavaScript
        expression; a promise is awaited), close the tab; return the script's value and the page's errors (uncaught
        exceptions and console.error messages)."""
        events: list = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        try:
            for domain in ("Page.enable", "Runtime.enable"):
                self.call(domain, session, events)
            self.call("Page.navigate", session, events, url=page)
            self.wait_for("Page.loadEventFired", session, events)
            value = self.call("Runtime.evaluate", session, events, expression=script, awaitPromise=True,
                              returnByValue=True)
        finally:
            self.call("Target.closeTarget", targetId=target)
        if "exceptionDetails" in value:
            raise BrowserError(f"{page}: {value['exceptionDetails'].get('text')}")
        return value.get("result", {}).get("value"), _errors(events)

    def close(self) -> None:
        if getattr(self, "socket", None):
            self.socket.close()
        self.process.kill()
        self.process.wait()


def _errors(events: list) -> list[str]:
    found = []
    for event in events:
        if event["method"] == "Runtime.exceptionThrown":
            found.append(event["params"]["exceptionDetails"].get("exception", {}).get("description", "an exception"))
        elif event["method"] == "Runtime.consoleAPICalled" and event["params"]["type"] == "error":
            found.append(" ".join(str(arg.get("value", arg.get("description", ""))) for arg in event["params"]["args"]))
    return found
