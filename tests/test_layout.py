"""The package's layout is a rule: data flows ingest -> store -> read -> present, never backwards.

Every ``import`` in ``monitor/`` (at module level or inside a function) is walked; a backwards one fails
with the file, the line and the rule it breaks.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "monitor"

# stage of a module -> the monitor modules it may not import (prefix match on dotted names)
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "ingest": ("monitor.read", "monitor.present", "monitor.cli"),
    "store": ("monitor.ingest", "monitor.read", "monitor.present", "monitor.cli"),
    "read": ("monitor.present", "monitor.cli"),
    "present": ("monitor.ingest", "monitor.read", "monitor.store", "monitor.cli"),
}
# What a stage may take from an earlier one all the same, and why:
MAY_USE: dict[str, tuple[str, ...]] = {
    # read: the name key, so "any spelling" means the same on both sides
    "read": ("monitor.ingest.names",),
    # the store's migrations: the tone scorer (the 2 -> 3 step fills the tone toward each stored mention from the
    # stored sentences, monitor/tables.py add_mention_tones) and the quotation finder (the 4 -> 5 step finds the
    # stored articles' quotations from their stored sentences and mentions), both without the NER
    "store": ("monitor.ingest.tone", "monitor.ingest.quotes"),
    # present: the escaping of outside text for a terminal or a printed report (a leaf module, no monitor import)
    "present": ("monitor.ingest.terminal",),
}


def stage_of(path: Path) -> str | None:
    """Return the stage a file of monitor/ belongs to, or None for the front door (cli, cli_values, __init__)."""
    parts = path.relative_to(PACKAGE).parts
    if parts[0] in ("ingest", "read", "present"):
        return parts[0]
    if parts[0] in ("store.py", "tables.py", "schema.py", "settings.py", "store_errors.py", "locking.py",
                    "store_open.py", "derived.py", "search_index.py"):
        return "store"
    return None


def imports_of(path: Path, here: str) -> list[tuple[int, str]]:
    """Return (line, dotted module) for every import in a file whose dotted name is `here`."""
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = here.split(".")[: -node.level]
                base = ".".join([*anchor, base] if base else anchor)
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
            found.append((node.lineno, base))
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


def violations(path: Path, here: str, stage: str | None) -> list[str]:
    """Return one line per import of `path` that breaks the layout (empty when it keeps to it)."""
    bad = []
    for line, name in imports_of(path, here):
        if name == "streamlit" or name.startswith("streamlit."):
            bad.append(f"line {line}: imports {name} (only dashboard.py may)")
        if stage is None or name.startswith(MAY_USE.get(stage, ())):
            continue
        for prefix in FORBIDDEN[stage]:
            if name == prefix or name.startswith(prefix + "."):
                bad.append(f"line {line}: {stage} imports {name}")
    return bad


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_backward_import(path: Path) -> None:
    here = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    bad = violations(path, here, stage_of(path))
    assert not bad, f"{path.relative_to(ROOT)}: " + "; ".join(bad)


def test_the_walker_sees_backward_imports_even_inside_functions(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("from monitor.store import Store\n\ndef f():\n    from ..read import frames\n"
                     "    import streamlit\n")
    bad = violations(probe, "monitor.ingest.probe", "ingest")
    assert bad == ["line 4: ingest imports monitor.read.frames", "line 4: ingest imports monitor.read",
                   "line 5: imports streamlit (only dashboard.py may)"]
    assert violations(probe, "monitor.read.probe", "read") == ["line 5: imports streamlit (only dashboard.py may)"]


def test_every_module_has_a_stage_or_is_the_front_door() -> None:
    # the command line and what only it composes (read and present together, as dashboard.py does)
    front = {"__init__.py", "__main__.py", "cli.py", "cli_values.py", "alerts_command.py", "report_command.py",
             "report_view.py"}
    loose = [p.name for p in MODULES if stage_of(p) is None and p.name not in front]
    assert not loose, f"modules outside ingest/, read/, present/ and the store: {loose}"
