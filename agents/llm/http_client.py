"""JSON over HTTP to an OpenAI-compatible server, with the failure rules the benchmark needs.

Only the standard library. Transient failures (refused or reset connection, HTTP 429/500/502/503/
504) are retried a bounded number of times with exponential backoff, then raise one line; a request
has a total deadline (a watchdog closes the socket, so a server that trickles bytes cannot hold it
open); HTTP 404 names the served models. Credentials written into the URL are split off before the
URL is kept anywhere.
"""

from __future__ import annotations

import base64
import http.client
import json
import socket
import threading
import time
import urllib.parse
from typing import Any

from agents.llm import model

TRANSIENT_STATUS = (429, 500, 502, 503, 504)


def split_url(url: str) -> tuple[str, tuple[str, str] | None]:
    """`url` without credentials (ending in `/v1`) and the `(user, password)` it carried, if any."""
    parts = urllib.parse.urlsplit(url.strip())
    credentials = None
    if parts.username is not None or parts.password is not None:
        credentials = (
            urllib.parse.unquote(parts.username or ""),
            urllib.parse.unquote(parts.password or ""),
        )
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    path = parts.path.rstrip("/")
    path = path if path.endswith("/v1") else path + "/v1"
    return urllib.parse.urlunsplit((parts.scheme, netloc, path, "", "")), credentials


def redact_url(url: str) -> str:
    """`url` with any `user:password@` removed: the form that may be recorded or printed."""
    return split_url(url)[0]


class JsonClient:
    """Requests to one server (`base_url`, ending in `/v1`) on behalf of `model_name` (named in
    every error); `auth` is the Authorization header or None."""

    def __init__(
        self,
        base_url: str,
        model_name: str,
        auth: str | None,
        timeout_s: float,
        retries: int,
        backoff_s: float,
    ) -> None:
        self.base_url, self.model_name, self._auth = base_url, model_name, auth
        self.timeout_s, self.retries, self.backoff_s = timeout_s, retries, backoff_s

    def request(self, method: str, path: str, payload: dict[str, Any] | None = None) -> Any:
        """One JSON request with retries of transient failures; raises a one-line `ModelError`."""
        url = f"{self.base_url}{path}"
        attempts = self.retries + 1
        last = ""
        for attempt in range(attempts):
            if attempt:
                time.sleep(self.backoff_s * 2 ** (attempt - 1))
            try:
                status, body = self.send(method, path, payload)
            except ConnectionRefusedError:
                last = "connection refused"
                continue
            except ConnectionResetError:  # a server restarting or dropping overload
                last = "connection reset"
                continue
            except TimeoutError:
                raise model.ModelTimeoutError(
                    f"model {self.model_name!r}: {url} did not finish answering within "
                    f"{self.timeout_s:g} s; raise timeout_s or check the server's load"
                ) from None
            except OSError as error:
                raise model.ModelUnavailableError(
                    f"model {self.model_name!r}: cannot reach {url} ({error.__class__.__name__}: "
                    f"{error}); start the server or fix the model URL"
                ) from None
            if status in TRANSIENT_STATUS:
                last = f"HTTP {status}: {_first_line(body)}"
                continue
            if status == 404:
                raise model.ModelNotFoundError(
                    f"model {self.model_name!r} is not served at {self.base_url} ({path} answered "
                    f"HTTP 404); served models: {self.served_list()}; use {self.base_url}#<one "
                    "of them>"
                )
            if status >= 400:
                raise HTTPStatusError(
                    status,
                    f"model {self.model_name!r}: {url} answered HTTP {status}: {_first_line(body)}",
                )
            try:
                return json.loads(body)
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise BadReplyError(
                    f"model {self.model_name!r}: {url} returned a body that is not JSON: "
                    f"{body[:80]!r}"
                ) from None
        what = "start the server" if last.startswith("connection") else "check the server's log"
        raise model.ModelUnavailableError(
            f"model {self.model_name!r} at {self.base_url}: {method} {path} failed {attempts} "
            f"times ({last}); {what} or fix the model URL, then rerun"
        )

    def send(self, method: str, path: str, payload: dict[str, Any] | None) -> tuple[int, bytes]:
        """Status and body of one exchange, all of it within `timeout_s` (a watchdog closes the
        socket at the deadline, so a server that trickles bytes cannot hold a request open)."""
        parts = urllib.parse.urlsplit(self.base_url)
        connection_class = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        connection = connection_class(parts.hostname, parts.port, timeout=self.timeout_s)
        expired = threading.Event()
        held: list[socket.socket] = []  # http.client forgets its socket once a reply is read

        def expire() -> None:
            expired.set()
            for sock in held:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        watchdog = threading.Timer(self.timeout_s, expire)
        watchdog.daemon = True
        watchdog.start()
        headers = {"Accept": "application/json"}
        if self._auth:
            headers["Authorization"] = self._auth
        data = None
        if payload is not None:
            data = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json"
        try:
            connection.connect()
            held.append(connection.sock)
            if expired.is_set():
                raise TimeoutError
            connection.request(method, parts.path + path, body=data, headers=headers)
            response = connection.getresponse()
            body = response.read()
            if expired.is_set():
                raise TimeoutError
            return response.status, body
        except (OSError, http.client.HTTPException) as error:
            if expired.is_set() or isinstance(error, TimeoutError | socket.timeout):
                raise TimeoutError from None
            if isinstance(error, OSError):
                raise
            raise OSError(str(error) or error.__class__.__name__) from None
        finally:
            watchdog.cancel()
            connection.close()

    def served_list(self) -> str:
        try:
            status, body = self.send("GET", "/models", None)
            ids = [entry["id"] for entry in json.loads(body)["data"]] if status == 200 else []
        except (OSError, ValueError, KeyError, TypeError):
            ids = []
        return ", ".join(ids) or "(the server did not list them)"


class BadReplyError(model.ModelError):
    """The server answered, but not with what the OpenAI API promises (e.g. a proxy's page)."""


class HTTPStatusError(model.ModelError):
    """An HTTP error status that is neither transient nor 404 (the caller decides: a 400 to a
    structured-output request means the server lacks it)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def auth_header(api_key: str | None, credentials: tuple[str, str] | None) -> str | None:
    """The Authorization header: the API key as a bearer token, else URL credentials as Basic."""
    if api_key:
        return f"Bearer {api_key}"
    if credentials:
        return "Basic " + base64.b64encode(":".join(credentials).encode()).decode()
    return None


def _first_line(body: bytes) -> str:
    lines = body.decode(errors="replace").strip().splitlines()
    return (lines or [""])[0][:200]
