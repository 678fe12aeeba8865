"""Crash tests: real processes killed with SIGKILL (see node.py). Each is bounded to a few seconds
of work; a migrated template database is made once per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.crash.node import Node, Template


@pytest.fixture(scope="session")
def crash_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Template]:
    template = Template(tmp_path_factory.mktemp("crash"))
    yield template
    template.drop()


@pytest.fixture
def make_node(crash_template: Template, request: pytest.FixtureRequest) -> Iterator[object]:
    nodes: list[Node] = []
    stem = "".join(c for c in request.node.name.lower() if c.isalnum())[:20]

    def make(home: Path | None = None, **extra_env: str) -> Node:
        node = crash_template.new_node(f"{stem}{len(nodes)}", home, **extra_env)
        nodes.append(node)
        return node

    yield make
    for node in nodes:
        node.stop()
