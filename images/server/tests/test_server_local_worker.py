"""The local CPU inference worker over HTTP (the OpenAI Python SDK for completions, plain HTTP for the adapter
routes), in this process on a free port, with the tiny chat model and small random LoRA adapters of it."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

BASE = "vpctune/tiny-chat"
PROMPT = [{"role": "user", "content": "Describe the apple."}]


def _random_adapter(base_dir: str, out: Path, seed: int, served_name: str = BASE) -> Path:
    """A rank-4 LoRA of the tiny model with random (non-zero) B, so it changes the output, saved as the trainer
    publishes it (base_model_name_or_path = the served name)."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(seed)
    model = get_peft_model(AutoModelForCausalLM.from_pretrained(base_dir),
                           LoraConfig(r=4, lora_alpha=8, target_modules="all-linear", task_type="CAUSAL_LM"))
    with torch.no_grad():
        for n, p in model.named_parameters():
            if "lora_B" in n:
                p.normal_(0, 0.5)
    model.peft_config["default"].base_model_name_or_path = served_name
    model.save_pretrained(out)
    return out


@pytest.fixture(scope="module")
def adapters(tiny_chat, tmp_path_factory):
    """Local-directory storage (the local platform's layout) with adapters ft:a, ft:b, ft:c under adapters/."""
    storage = tmp_path_factory.mktemp("storage")
    for i, name in enumerate(("ft:a", "ft:b", "ft:c")):
        _random_adapter(tiny_chat, storage / "adapters" / name, seed=i + 1)
    return storage


@contextmanager
def worker(tiny_chat, storage: Path | None, tmp_path: Path, max_loaded: int = 4):
    from vpctune_local_worker.http_server import make_server
    from vpctune_local_worker.model_host import ModelHost
    from vpctune_lora_resolver import AdapterResolver, ResolverSettings

    resolve = None
    if storage is not None:
        core = AdapterResolver(ResolverSettings(storage_url=str(storage), cache_dir=str(tmp_path / "cache"),
                                                max_lora_rank=64))
        resolve = lambda name: core.resolve(BASE, name)  # noqa: E731
    host = ModelHost(tiny_chat, BASE, max_loaded=max_loaded, resolve=resolve)
    server = make_server(host, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield host, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _post(url: str, body: dict) -> tuple[int, str]:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def _chat(url: str, model: str, **kw) -> tuple[int, dict]:
    status, text = _post(f"{url}/v1/chat/completions", {"model": model, "messages": PROMPT, "temperature": 0,
                                                         "max_tokens": 12, **kw})
    return status, json.loads(text)


def _client(url: str):
    from openai import OpenAI

    return OpenAI(base_url=f"{url}/v1", api_key="unused", max_retries=0)


def test_adapter_is_loaded_on_first_use_and_listed(tiny_chat, adapters, tmp_path):
    # GIVEN a worker over the local platform's storage holding ft:a
    with worker(tiny_chat, adapters, tmp_path) as (host, url):
        client = _client(url)
        assert [m.id for m in client.models.list().data] == [BASE]
        # WHEN a chat completion names ft:a (unknown to the worker) and then the base model
        adapted = client.chat.completions.create(model="ft:a", messages=PROMPT, temperature=0, max_tokens=12)
        base = client.chat.completions.create(model=BASE, messages=PROMPT, temperature=0, max_tokens=12)
        models = client.models.list().data
    # THEN the adapter was resolved and loaded once, answers differently from the base, and is listed with its parent
    assert host.load_count == 1 and list(host.loaded) == ["ft:a"]
    assert adapted.model == "ft:a" and adapted.object == "chat.completion"
    assert adapted.choices[0].message.content != base.choices[0].message.content
    assert adapted.usage.completion_tokens > 0
    assert [(m.id, getattr(m, "parent")) for m in models] == [(BASE, None), ("ft:a", BASE)]


def test_concurrent_first_requests_load_the_adapter_once(tiny_chat, adapters, tmp_path):
    # GIVEN a worker that has not loaded ft:b
    with worker(tiny_chat, adapters, tmp_path) as (host, url):
        results = []

        def ask():
            results.append(_chat(url, "ft:b"))

        # WHEN six requests name ft:b at once
        threads = [threading.Thread(target=ask) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    # THEN all succeed with the same greedy text and the adapter was loaded exactly once
    assert [s for s, _ in results] == [200] * 6
    assert len({b["choices"][0]["message"]["content"] for _, b in results}) == 1
    assert host.load_count == 1


def test_least_recently_used_adapter_is_unloaded_at_capacity(tiny_chat, adapters, tmp_path):
    # GIVEN a worker that holds at most two adapters
    with worker(tiny_chat, adapters, tmp_path, max_loaded=2) as (host, url):
        first_a = _chat(url, "ft:a")[1]["choices"][0]["message"]["content"]
        _chat(url, "ft:b")
        _chat(url, "ft:a")
        # WHEN a third adapter is used
        _chat(url, "ft:c")
        # THEN the least recently used (ft:b) was unloaded; using it again reloads it and unloads ft:a
        assert list(host.loaded) == ["ft:a", "ft:c"] and host.load_count == 3
        assert _chat(url, "ft:b")[0] == 200
        assert list(host.loaded) == ["ft:c", "ft:b"] and host.load_count == 4
        # AND an adapter reloaded after eviction answers as before
        assert _chat(url, "ft:a")[1]["choices"][0]["message"]["content"] == first_a


def test_load_and_unload_routes(tiny_chat, adapters, tmp_path):
    # GIVEN a worker without storage and an adapter directory
    with worker(tiny_chat, None, tmp_path) as (host, url):
        # WHEN it is loaded by path, used, unloaded, then used and unloaded again
        loaded = _post(f"{url}/v1/load_lora_adapter", {"lora_name": "mine", "lora_path": str(adapters / "adapters" / "ft:a")})
        twice = _post(f"{url}/v1/load_lora_adapter", {"lora_name": "mine", "lora_path": str(adapters / "adapters" / "ft:a")})
        used = _chat(url, "mine")
        unloaded = _post(f"{url}/v1/unload_lora_adapter", {"lora_name": "mine"})
        after = _chat(url, "mine")
        again = _post(f"{url}/v1/unload_lora_adapter", {"lora_name": "mine"})
        missing = _post(f"{url}/v1/load_lora_adapter", {"lora_name": "x"})
    # THEN vLLM's plain-text successes and OpenAI-shaped errors come back
    assert loaded == (200, "Success: LoRA adapter 'mine' added successfully.")
    assert twice[0] == 400 and json.loads(twice[1])["error"]["message"] == "The lora adapter 'mine' has already been loaded."
    assert used[0] == 200
    assert unloaded == (200, "Success: LoRA adapter 'mine' removed successfully.")
    assert after == (404, {"error": {"message": "The model `mine` does not exist.", "type": "NotFoundError",
                                     "param": "model", "code": 404}})
    assert again == (404, json.dumps({"error": {"message": "The lora adapter 'mine' cannot be found.",
                                                "type": "NotFoundError", "param": "lora_name", "code": 404}}))
    assert missing[0] == 400 and json.loads(missing[1])["error"]["message"] == "Both 'lora_name' and 'lora_path' must be provided."
    assert host.loaded == {} and host.known == {}


def test_corrupt_adapter_is_refused_and_the_worker_keeps_serving(tiny_chat, adapters, tmp_path):
    # GIVEN a copy of an adapter whose weights are garbage, and an adapter of another base model in storage
    import shutil

    corrupt = tmp_path / "corrupt"
    shutil.copytree(adapters / "adapters" / "ft:a", corrupt)
    (corrupt / "adapter_model.safetensors").write_bytes(b"not safetensors at all")
    storage = tmp_path / "storage"
    shutil.copytree(adapters, storage)
    _random_adapter(tiny_chat, storage / "adapters" / "ft:other", seed=9, served_name="meta-llama/Llama-3.1-8B-Instruct")
    with worker(tiny_chat, storage, tmp_path) as (host, url):
        # WHEN the corrupt one is loaded by path and the foreign one is named in a request
        status, text = _post(f"{url}/v1/load_lora_adapter", {"lora_name": "bad", "lora_path": str(corrupt)})
        foreign = _chat(url, "ft:other")
        # THEN both are 400s that say why, nothing was loaded, and the base model and a good adapter still answer
        assert status == 400
        error = json.loads(text)["error"]
        assert error["type"] == "BadRequestError" and error["code"] == 400
        assert error["message"].startswith("adapter 'bad': adapter_model.safetensors is not a readable safetensors file (")
        assert foreign[0] == 400 and foreign[1]["error"]["message"] == (
            "adapter 'ft:other' was trained on base model 'meta-llama/Llama-3.1-8B-Instruct'; this server serves "
            "'vpctune/tiny-chat'")
        assert host.load_count == 0 and host.known == {}
        assert _chat(url, BASE)[0] == 200 and _chat(url, "ft:a")[0] == 200


def test_streaming_text_equals_non_streaming_text_at_temperature_zero(tiny_chat, adapters, tmp_path):
    # GIVEN a worker and an adapter
    with worker(tiny_chat, adapters, tmp_path) as (host, url):
        client = _client(url)
        for model in (BASE, "ft:a"):
            # WHEN the same chat and text completions are asked with and without stream at temperature 0
            full = client.chat.completions.create(model=model, messages=PROMPT, temperature=0, max_tokens=20)
            chunks = list(client.chat.completions.create(model=model, messages=PROMPT, temperature=0, max_tokens=20,
                                                         stream=True))
            text_full = client.completions.create(model=model, prompt="The garden", temperature=0, max_tokens=10)
            text_chunks = list(client.completions.create(model=model, prompt="The garden", temperature=0,
                                                         max_tokens=10, stream=True))
            # THEN the streamed deltas join to the same text, the first delta carries the role, the last the reason
            assert "".join(c.choices[0].delta.content or "" for c in chunks) == full.choices[0].message.content
            assert chunks[0].choices[0].delta.role == "assistant"
            assert chunks[-1].choices[0].finish_reason == full.choices[0].finish_reason
            assert all(c.object == "chat.completion.chunk" and c.id == chunks[0].id for c in chunks)
            assert "".join(c.choices[0].text for c in text_chunks) == text_full.choices[0].text
            assert text_full.choices[0].finish_reason == "length" and text_full.usage.completion_tokens == 10
        # AND the raw stream is server-sent events ending with [DONE]
        req = urllib.request.Request(f"{url}/v1/completions", headers={"Content-Type": "application/json"}, data=json.dumps(
            {"model": BASE, "prompt": "Hello", "max_tokens": 3, "temperature": 0, "stream": True}).encode())
        with urllib.request.urlopen(req, timeout=60) as r:
            assert r.headers["Content-Type"] == "text/event-stream"
            events = [l for l in r.read().decode().split("\n\n") if l]
        assert all(e.startswith("data: ") for e in events) and events[-1] == "data: [DONE]"


def test_stop_strings_are_cut_and_bad_parameters_refused(tiny_chat, tmp_path):
    # GIVEN a worker and the base model's greedy answer
    with worker(tiny_chat, None, tmp_path) as (host, url):
        text = _chat(url, BASE, max_tokens=20)[1]["choices"][0]["message"]["content"]
        stop = text[3:6]
        # WHEN the same request stops at a string inside that answer; and requests carry bad parameters
        cut = _chat(url, BASE, max_tokens=20, stop=stop)[1]["choices"][0]
        streamed = list(_client(url).chat.completions.create(model=BASE, messages=PROMPT, temperature=0, max_tokens=20,
                                                             stop=[stop], stream=True))
        hot = _chat(url, BASE, temperature=3)
        n2 = _chat(url, BASE, n=2)
    # THEN the text ends before the stop string (streamed too) with finish_reason stop; bad values name the field
    assert cut["message"]["content"] == text[:text.find(stop)] and cut["finish_reason"] == "stop"
    assert "".join(c.choices[0].delta.content or "" for c in streamed) == text[:text.find(stop)]
    assert hot == (400, {"error": {"message": "temperature must be a number between 0 and 2, got 3",
                                   "type": "BadRequestError", "param": "temperature", "code": 400}})
    assert n2[1]["error"]["message"] == "n must be 1 on this server, got 2"
