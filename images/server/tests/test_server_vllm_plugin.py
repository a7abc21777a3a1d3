"""The vLLM registration shim. vLLM itself is NOT installed or run here (no wheel, no GPU): the shim's source is checked
for the documented vLLM names, and its logic runs against stand-in ``vllm.lora.*`` modules with those names."""

from __future__ import annotations

import ast
import asyncio
import sys
import tomllib
import types
from dataclasses import dataclass
from pathlib import Path

from server_testlib import SERVER, write_fake_adapter

SHIM = SERVER / "vpctune_lora_resolver" / "src" / "vpctune_lora_resolver" / "vllm_plugin.py"
BASE = "vpctune/tiny-chat"


def test_shim_source_uses_vllms_documented_names():
    # GIVEN the shim's source and the package metadata
    tree = ast.parse(SHIM.read_text())
    imports = {(n.module, a.name) for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
    top_level_imports = {n.module for n in tree.body if isinstance(n, ast.ImportFrom)} | {
        a.name for n in tree.body if isinstance(n, ast.Import) for a in n.names}
    resolve = [n for n in ast.walk(tree) if isinstance(n, ast.AsyncFunctionDef) and n.name == "resolve_lora"]
    classes = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    calls = {n.func.attr for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)}
    entry_points = tomllib.loads((SERVER / "vpctune_lora_resolver" / "pyproject.toml").read_text())["project"]["entry-points"]
    # THEN vLLM is imported only inside register(), from the documented modules, the resolver subclasses LoRAResolver
    # with async resolve_lora(self, base_model_name, lora_name), and registers with register_resolver through the
    # vllm.general_plugins entry point
    assert not any(m and m.startswith("vllm") for m in top_level_imports)
    assert {("vllm.lora.request", "LoRARequest"), ("vllm.lora.resolver", "LoRAResolver"),
            ("vllm.lora.resolver", "LoRAResolverRegistry")} <= imports
    assert [[b.id for b in c.bases] for c in classes] == [["LoRAResolver"]]
    assert len(resolve) == 1 and [a.arg for a in resolve[0].args.args] == ["self", "base_model_name", "lora_name"]
    assert "register_resolver" in calls
    assert entry_points == {"vllm.general_plugins": {"vpctune_lora_resolver": "vpctune_lora_resolver.vllm_plugin:register"}}


def _stand_in_vllm(monkeypatch):
    """Stand-ins for vllm.lora.request / vllm.lora.resolver with the documented names and signatures."""
    registry: dict = {}

    @dataclass
    class LoRARequest:
        lora_name: str
        lora_int_id: int
        lora_path: str

    class LoRAResolver:
        async def resolve_lora(self, base_model_name, lora_name):
            raise NotImplementedError

    class LoRAResolverRegistry:
        @classmethod
        def register_resolver(cls, resolver_name, resolver):
            registry[resolver_name] = resolver

    mods = {"vllm": types.ModuleType("vllm"), "vllm.lora": types.ModuleType("vllm.lora"),
            "vllm.lora.request": types.ModuleType("vllm.lora.request"),
            "vllm.lora.resolver": types.ModuleType("vllm.lora.resolver")}
    mods["vllm.lora.request"].LoRARequest = LoRARequest
    mods["vllm.lora.resolver"].LoRAResolver = LoRAResolver
    mods["vllm.lora.resolver"].LoRAResolverRegistry = LoRAResolverRegistry
    for name, mod in mods.items():
        monkeypatch.setitem(sys.modules, name, mod)
    return registry


def test_registered_resolver_answers_vllm_with_lora_requests(monkeypatch, tmp_path):
    # GIVEN the stand-in vLLM modules, storage with a good adapter and one for another base, and the image's environment
    registry = _stand_in_vllm(monkeypatch)
    write_fake_adapter(tmp_path / "storage" / "adapters" / "ft:a", BASE)
    write_fake_adapter(tmp_path / "storage" / "adapters" / "ft:other", "another/model")
    monkeypatch.setenv("VPCTUNE_STORAGE_URL", str(tmp_path / "storage"))
    monkeypatch.setenv("VPCTUNE_LORA_CACHE_DIR", str(tmp_path / "cache"))
    from vpctune_lora_resolver import vllm_plugin

    # WHEN the plugin registers and vLLM asks it for three names
    vllm_plugin.register()
    resolver = registry["vpctune"]
    found = asyncio.run(resolver.resolve_lora(BASE, "ft:a"))
    foreign = asyncio.run(resolver.resolve_lora(BASE, "ft:other"))
    missing = asyncio.run(resolver.resolve_lora(BASE, "ft:none"))
    # THEN the adapter comes back as a LoRARequest on the cached directory with a stable positive id; the others as None
    assert (found.lora_name, found.lora_path) == ("ft:a", str(tmp_path / "cache" / "entries" / "ft%3Aa"))
    assert found.lora_int_id == vllm_plugin.lora_int_id("ft:a") and found.lora_int_id > 0
    assert foreign is None and missing is None
