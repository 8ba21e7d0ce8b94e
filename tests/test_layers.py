"""The folders show the flow, and no import runs against it.

base (assistant/*.py) <- audio, language, coaching, programme <- app. Each middle layer imports
only the base and itself; nothing imports app but app itself and __main__. Every import counts,
also those inside functions (read with ast, not by importing).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "assistant"
MIDDLE = ("audio", "language", "coaching", "programme")


def layer_of(module: str) -> str:
    """'assistant.audio.voice' -> 'audio'; 'assistant.errors' -> 'base'."""
    parts = module.split(".")
    if len(parts) >= 2 and parts[1] in (*MIDDLE, "app"):
        return parts[1]
    return "base"


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every import of the package in ``path``, wherever it stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "assistant"]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] == "assistant":
                # "from assistant import x": x may be a module of a layer
                found += [(node.lineno, f"{node.module}.{a.name}" if node.module == "assistant" else node.module)
                          for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}:{node.lineno}: use absolute imports")
    return found


def allowed(importer: str, imported: str) -> bool:
    src, dst = layer_of(importer), layer_of(imported)
    if importer == "assistant.__main__":
        return True
    if dst == "app":
        return src == "app"
    if src == "app":
        return True
    if src == "base":
        return dst == "base"
    return dst in ("base", src)


def violations() -> list[str]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        me = module_name(path)
        for line, target in imports_of(path):
            if not allowed(me, target):
                out.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {layer_of(me)} imports {target}")
    return out


def test_no_import_against_the_flow():
    assert violations() == []


def test_the_rule_itself_catches_a_wrong_import(tmp_path):
    # The checker must be able to fail: audio importing the understanding, base importing app.
    assert not allowed("assistant.audio.voice", "assistant.language.understanding")
    assert not allowed("assistant.settings", "assistant.coaching.plan")
    assert not allowed("assistant.programme.keeper", "assistant.app.cli")
    assert not allowed("assistant.language.dialog", "assistant.programme.keeper")
    assert allowed("assistant.app.cli", "assistant.audio.models")
    assert allowed("assistant.__main__", "assistant.app.cli")
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from assistant.app import cli\n", encoding="utf-8")
    assert imports_of(bad) == [(2, "assistant.app")]


def test_every_subpackage_says_what_it_is():
    for name in (*MIDDLE, "app"):
        init = PACKAGE / name / "__init__.py"
        assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), init
