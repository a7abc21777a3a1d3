"""The vLLM side: a ``LoRAResolver`` over ``AdapterResolver``, registered by the ``vllm.general_plugins`` entry point
``vpctune_lora_resolver`` (pyproject.toml). This is the only module that imports vLLM, and only inside ``register``.

vLLM names (``vllm.lora.resolver``): ``LoRAResolver`` with ``async resolve_lora(base_model_name, lora_name) ->
LoRARequest | None``; ``LoRAResolverRegistry.register_resolver(name, resolver)``; ``LoRARequest(lora_name,
lora_int_id, lora_path)`` from ``vllm.lora.request``. vLLM tries its resolvers in order for a model name it does not
know (this needs ``VLLM_ALLOW_RUNTIME_LORA_UPDATING=True`` and ``VLLM_PLUGINS`` naming this plugin).
"""

from __future__ import annotations

import asyncio
import logging
import zlib

from .adapter_check import AdapterRejected
from .resolver import AdapterResolver, ResolverSettings

RESOLVER_NAME = "vpctune"
logger = logging.getLogger("vpctune_lora_resolver")


def lora_int_id(name: str) -> int:
    """A stable positive id per adapter name (vLLM needs an int id > 0; Python's hash() is salted per process)."""
    return zlib.crc32(name.encode("utf-8")) % 2_000_000_000 + 1


def register() -> None:
    from vllm.lora.request import LoRARequest
    from vllm.lora.resolver import LoRAResolver, LoRAResolverRegistry

    class VpctuneLoRAResolver(LoRAResolver):
        def __init__(self, core: AdapterResolver):
            self.core = core

        async def resolve_lora(self, base_model_name: str, lora_name: str):
            try:
                path = await asyncio.to_thread(self.core.resolve, base_model_name, lora_name)
            except AdapterRejected as e:
                logger.error("%s", e)
                return None
            if path is None:
                return None
            return LoRARequest(lora_name=lora_name, lora_int_id=lora_int_id(lora_name), lora_path=path)

    LoRAResolverRegistry.register_resolver(RESOLVER_NAME, VpctuneLoRAResolver(AdapterResolver(ResolverSettings.from_env())))
