"""The base model and its adapters in one process (peft multi-adapter: ``load_adapter`` / ``set_adapter`` /
``delete_adapter``).

Adapters are *known* (a name and a local directory: added by ``/v1/load_lora_adapter`` or found by the resolver) and,
at most ``max_loaded`` of them, *loaded* into the model, least recently used unloaded first; a known adapter that was
unloaded is loaded again from its directory when next used (as vLLM's CPU LoRA cache does). One lock serialises
loading and generation: peft's active adapter is state of the one model. A request that finds its adapter unknown or
unloaded loads it under that lock, so concurrent first requests load it once.

An adapter is checked before it touches the model (config, base model, rank, and a full read of its safetensors), so a
corrupt one is refused with ``AdapterLoadError`` and the worker keeps serving.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Callable, Iterator

from vpctune_lora_resolver.adapter_check import ADAPTER_WEIGHTS, AdapterRejected, check_adapter_dir

from .generation import Outcome, Sampling, generate


class UnknownModel(LookupError):
    pass


class AdapterLoadError(ValueError):
    pass


class ModelHost:
    def __init__(self, model_dir: str, served_name: str, max_loaded: int = 4, max_lora_rank: int = 512,
                 resolve: Callable[[str], str | None] | None = None):
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if max_loaded < 1:
            raise ValueError(f"max_loaded must be at least 1, got {max_loaded}")
        self.served_name, self.max_loaded, self.max_lora_rank = served_name, max_loaded, max_lora_rank
        self.tokenizer = AutoTokenizer.from_pretrained(model_dir)
        self.base = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).eval()
        self.model = self.base  # becomes the PeftModel on the first adapter
        self.max_model_len = int(getattr(self.base.config, "max_position_embeddings", 0) or 0)
        eos = self.base.generation_config.eos_token_id
        self.eos_ids = set(eos if isinstance(eos, list) else [eos]) | {self.tokenizer.eos_token_id}
        self.created = int(time.time())
        self.known: dict[str, str] = {}  # adapter name -> local directory
        self.loaded: OrderedDict[str, None] = OrderedDict()  # least recently used first
        self.load_count = 0  # adapter loads into the model (tests observe single loads and reloads)
        self._resolve = resolve
        self._lock = threading.RLock()

    # ---- adapters
    def add_adapter(self, name: str, path: str) -> None:
        """``/v1/load_lora_adapter``: checks and loads it now."""
        if name == self.served_name:
            raise AdapterLoadError(f"adapter name {name!r} is the base model's name")
        with self._lock:
            if name in self.known:
                raise AdapterLoadError(f"The lora adapter '{name}' has already been loaded.")
            self._load(name, path)
            self.known[name] = path

    def remove_adapter(self, name: str) -> None:
        with self._lock:
            if name not in self.known:
                raise UnknownModel(f"The lora adapter '{name}' cannot be found.")
            del self.known[name]
            if name in self.loaded:
                self._unload(name)

    def _check(self, name: str, path: str) -> None:
        from safetensors.torch import load_file

        try:
            check_adapter_dir(name, path, self.served_name, self.max_lora_rank)
            load_file(f"{path}/{ADAPTER_WEIGHTS}")
        except AdapterRejected as e:
            raise AdapterLoadError(str(e)) from e
        except Exception as e:  # noqa: BLE001 - safetensors raises its own error types for a corrupt file
            raise AdapterLoadError(f"adapter {name!r}: {ADAPTER_WEIGHTS} is not a readable safetensors file "
                                   f"({type(e).__name__}: {e})") from e

    def _load(self, name: str, path: str) -> None:
        from peft import PeftModel

        self._check(name, path)
        while len(self.loaded) >= self.max_loaded:
            self._unload(next(iter(self.loaded)))
        try:
            if self.model is self.base:
                self.model = PeftModel.from_pretrained(self.base, path, adapter_name=name).eval()
            else:
                self.model.load_adapter(path, adapter_name=name)
        except Exception as e:  # noqa: BLE001 - whatever peft raises, the worker keeps serving
            if self.model is not self.base and name in self.model.peft_config:
                self.model.delete_adapter(name)
            raise AdapterLoadError(f"adapter {name!r} cannot be loaded: {type(e).__name__}: {e}") from e
        self.loaded[name] = None
        self.load_count += 1

    def _unload(self, name: str) -> None:
        self.loaded.pop(name)
        self.model.delete_adapter(name)

    def _ensure(self, name: str) -> None:
        """Under the lock: the adapter is loaded and most recently used."""
        if name in self.loaded:
            self.loaded.move_to_end(name)
            return
        if name not in self.known:
            path = None
            if self._resolve is not None:
                try:
                    path = self._resolve(name)
                except AdapterRejected as e:
                    raise AdapterLoadError(str(e)) from e
            if path is None:
                raise UnknownModel(f"The model `{name}` does not exist.")
            self._load(name, path)
            self.known[name] = path
            return
        self._load(name, self.known[name])

    def model_names(self) -> list[str]:
        with self._lock:
            return [self.served_name, *self.known]

    # ---- generation
    def chat_prompt(self, messages: list[dict]) -> list[int]:
        return self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True,
                                                  return_dict=True)["input_ids"]

    def text_prompt(self, prompt: str) -> list[int]:
        return self.tokenizer(prompt, add_special_tokens=True)["input_ids"]

    def prepare(self, name: str) -> None:
        """Resolves and loads the adapter a request names before any response byte is sent (errors stay HTTP errors)."""
        if name == self.served_name:
            return
        with self._lock:
            self._ensure(name)

    def complete(self, name: str, prompt_ids: list[int], sampling: Sampling, outcome: Outcome) -> Iterator[str]:
        with self._lock:
            if name == self.served_name:
                if self.model is self.base:
                    yield from generate(self.base, self.tokenizer, prompt_ids, sampling, self.eos_ids, outcome)
                else:
                    with self.model.disable_adapter():
                        yield from generate(self.model, self.tokenizer, prompt_ids, sampling, self.eos_ids, outcome)
                return
            self._ensure(name)
            self.model.set_adapter(name)
            yield from generate(self.model, self.tokenizer, prompt_ids, sampling, self.eos_ids, outcome)
