"""The HTTP front: the standard library's ThreadingHTTPServer (one thread per connection; generation is serialised by
the model host anyway, so an event loop would buy nothing) speaking the subset of vLLM's OpenAI-compatible API:

``GET /v1/models``, ``GET /health``, ``POST /v1/chat/completions``, ``POST /v1/completions`` (``stream: true`` answers
server-sent events ``data: {chunk}`` ending with ``data: [DONE]``), ``POST /v1/load_lora_adapter`` ``{lora_name,
lora_path}`` and ``POST /v1/unload_lora_adapter`` ``{lora_name}`` (plain-text success messages, as vLLM's)."""

from __future__ import annotations

import json
import sys
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .generation import Outcome
from .model_host import AdapterLoadError, ModelHost, UnknownModel
from .openai_shapes import ApiError, Shapes, model_card, parse_messages, parse_model, parse_sampling

MAX_BODY_BYTES = 8 * 1024 * 1024


class WorkerServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, host: ModelHost):
        super().__init__(address, WorkerHandler)
        self.host = host


class WorkerHandler(BaseHTTPRequestHandler):
    server: WorkerServer
    server_version = "vpctune-local-worker"

    def log_message(self, fmt, *args):  # one line per request on stderr, as http.server does, without the host name
        sys.stderr.write(f"{self.command} {self.path} {fmt % args}\n")

    # ---- plumbing
    def _send(self, status: int, body, content_type: str = "application/json") -> None:
        data = (json.dumps(body) if content_type == "application/json" else body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            raise ApiError(400, f"request body is {length} bytes; at most {MAX_BODY_BYTES} are allowed")
        try:
            body = json.loads(self.rfile.read(length) or b"null")
        except ValueError as e:
            raise ApiError(400, f"request body is not valid JSON: {e}") from e
        if not isinstance(body, dict):
            raise ApiError(400, "request body must be a JSON object")
        return body

    def _guarded(self, handler) -> None:
        try:
            handler()
        except ApiError as e:
            self._send(e.status, e.body())
        except UnknownModel as e:
            self._send(404, ApiError(404, str(e), "model").body())
        except AdapterLoadError as e:
            self._send(400, ApiError(400, str(e), "model").body())
        except Exception as e:  # noqa: BLE001 - the worker answers 500 and keeps serving
            traceback.print_exc(file=sys.stderr)
            self._send(500, ApiError(500, f"{type(e).__name__}: {e}").body())

    # ---- routes
    def do_GET(self):
        routes = {"/v1/models": self._models, "/health": lambda: self._send(200, "", "text/plain")}
        self._guarded(routes.get(self.path.split("?")[0], self._not_found))

    def do_POST(self):
        routes = {"/v1/chat/completions": lambda: self._complete("chat"),
                  "/v1/completions": lambda: self._complete("text"),
                  "/v1/load_lora_adapter": self._load_adapter, "/v1/unload_lora_adapter": self._unload_adapter}
        self._guarded(routes.get(self.path.split("?")[0], self._not_found))

    def _not_found(self):
        raise ApiError(404, f"no route {self.command} {self.path}")

    def _models(self):
        host = self.server.host
        cards = [model_card(host.served_name, host.created, host.served_name, None, host.max_model_len)]
        cards += [model_card(n, host.created, host.known.get(n, ""), host.served_name, host.max_model_len)
                  for n in host.model_names()[1:]]
        self._send(200, {"object": "list", "data": cards})

    def _load_adapter(self):
        body = self._body()
        name, path = body.get("lora_name"), body.get("lora_path")
        if not isinstance(name, str) or not name or not isinstance(path, str) or not path:
            raise ApiError(400, "Both 'lora_name' and 'lora_path' must be provided.")
        self.server.host.add_adapter(name, path)
        self._send(200, f"Success: LoRA adapter '{name}' added successfully.", "text/plain")

    def _unload_adapter(self):
        name = self._body().get("lora_name")
        if not isinstance(name, str) or not name:
            raise ApiError(400, "'lora_name' needs to be provided to unload a LoRA adapter.")
        try:
            self.server.host.remove_adapter(name)
        except UnknownModel as e:
            raise ApiError(404, str(e), "lora_name") from e
        self._send(200, f"Success: LoRA adapter '{name}' removed successfully.", "text/plain")

    def _complete(self, kind: str):
        host = self.server.host
        body = self._body()
        model = parse_model(body)
        sampling = parse_sampling(body, kind)
        if kind == "chat":
            prompt_ids = host.chat_prompt(parse_messages(body))
        else:
            prompt = body.get("prompt")
            if not isinstance(prompt, str):
                raise ApiError(400, "prompt must be a string", "prompt")
            prompt_ids = host.text_prompt(prompt)
        if host.max_model_len and len(prompt_ids) + sampling.max_tokens > host.max_model_len:
            raise ApiError(400, f"the prompt ({len(prompt_ids)} tokens) plus max_tokens ({sampling.max_tokens}) exceeds "
                                f"the model's context of {host.max_model_len} tokens", "max_tokens")
        host.prepare(model)  # unknown model / broken adapter: an HTTP error, before any byte of a stream
        shapes, outcome = Shapes(kind, model), Outcome()
        pieces = host.complete(model, prompt_ids, sampling, outcome)
        if not body.get("stream"):
            text = "".join(pieces)
            self._send(200, shapes.full(text, outcome, len(prompt_ids)))
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()

        def event(payload) -> None:
            self.wfile.write(f"data: {payload if isinstance(payload, str) else json.dumps(payload)}\n\n".encode())
            self.wfile.flush()

        try:
            if kind == "chat":
                event(shapes.chunk(first=True))
            for piece in pieces:
                event(shapes.chunk(piece))
            event(shapes.chunk(None if kind == "chat" else "", outcome.finish_reason))
            if (body.get("stream_options") or {}).get("include_usage") is True:
                event(shapes.usage_chunk(outcome, len(prompt_ids)))
        except (AdapterLoadError, UnknownModel) as e:
            event(ApiError(400, str(e), "model").body())
        event("[DONE]")


def make_server(host: ModelHost, address: str = "127.0.0.1", port: int = 8000) -> WorkerServer:
    return WorkerServer((address, port), host)
