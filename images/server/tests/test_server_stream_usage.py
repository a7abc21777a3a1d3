"""The local CPU worker's ``stream_options.include_usage``: a stream asked for usage ends (before ``[DONE]``) with one
chunk without choices that carries the usage, equal to the non-streamed answer's; other streams carry none. The
controller's proxy relies on it to meter streamed tokens."""

from __future__ import annotations

import json
import threading
import urllib.request
from contextlib import contextmanager

import pytest

BASE = "vpctune/tiny-chat"
PROMPT = [{"role": "user", "content": "Describe the apple."}]


@pytest.fixture(scope="module")
def url(tiny_chat):
    from vpctune_local_worker.http_server import make_server
    from vpctune_local_worker.model_host import ModelHost

    server = make_server(ModelHost(tiny_chat, BASE, max_loaded=1), "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def _sse(url: str, path: str, body: dict):
    req = urllib.request.Request(f"{url}{path}", headers={"Content-Type": "application/json"}, data=json.dumps(body).encode())
    with urllib.request.urlopen(req, timeout=60) as r:
        yield [e.removeprefix("data: ") for e in r.read().decode().split("\n\n") if e]


def _post(url: str, path: str, body: dict) -> dict:
    req = urllib.request.Request(f"{url}{path}", headers={"Content-Type": "application/json"}, data=json.dumps(body).encode())
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


@pytest.mark.parametrize("path,request_body,chunk_object", [
    ("/v1/chat/completions", {"messages": PROMPT}, "chat.completion.chunk"),
    ("/v1/completions", {"prompt": "The garden"}, "text_completion"),
])
def test_a_stream_asked_for_usage_ends_with_one_usage_chunk_equal_to_the_non_streamed_usage(url, path, request_body,
                                                                                              chunk_object):
    # GIVEN the non-streamed answer's usage at temperature 0
    body = {"model": BASE, **request_body, "temperature": 0, "max_tokens": 8}
    usage = _post(url, path, body)["usage"]
    # WHEN the same request is streamed with include_usage
    with _sse(url, path, {**body, "stream": True, "stream_options": {"include_usage": True}}) as events:
        chunks = [json.loads(e) for e in events[:-1]]
    # THEN the stream ends with [DONE], the chunk before it has no choices and that usage, and no other chunk has usage
    assert events[-1] == "[DONE]"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"] == usage
    assert chunks[-1]["object"] == chunk_object and chunks[-1]["id"] == chunks[0]["id"]
    assert usage["completion_tokens"] == 8 and usage["total_tokens"] == usage["prompt_tokens"] + 8
    assert [c for c in chunks[:-1] if "usage" in c or c["choices"] == []] == []


@pytest.mark.parametrize("stream_options", [None, {}, {"include_usage": False}])
def test_a_stream_not_asked_for_usage_carries_none(url, stream_options):
    # GIVEN a streamed chat request without include_usage: true
    body = {"model": BASE, "messages": PROMPT, "temperature": 0, "max_tokens": 5, "stream": True}
    if stream_options is not None:
        body["stream_options"] = stream_options
    # WHEN it is read
    with _sse(url, "/v1/chat/completions", body) as events:
        chunks = [json.loads(e) for e in events[:-1]]
    # THEN every chunk has one choice and none has usage; the last one carries the finish reason
    assert events[-1] == "[DONE]"
    assert all(len(c["choices"]) == 1 and "usage" not in c for c in chunks)
    assert chunks[-1]["choices"][0]["finish_reason"] == "length"


def test_the_openai_sdk_reads_the_usage_chunk(url):
    # GIVEN the OpenAI Python SDK pointed at the worker
    from openai import OpenAI

    client = OpenAI(base_url=f"{url}/v1", api_key="unused", max_retries=0)
    # WHEN it streams a chat completion with stream_options include_usage
    chunks = list(client.chat.completions.create(model=BASE, messages=PROMPT, temperature=0, max_tokens=6, stream=True,
                                                 stream_options={"include_usage": True}))
    # THEN the text chunks have no usage and the last chunk has the usage and no choices
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens == 6
    assert chunks[-1].usage.total_tokens == chunks[-1].usage.prompt_tokens + 6
    assert all(c.usage is None for c in chunks[:-1])
