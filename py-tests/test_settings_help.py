"""`jupyter vmprof settings`: the server extension's traitlets with their help, since
`jupyter server --help-all` lists a fixed set of classes before loading any extension."""
from __future__ import annotations

import re

from jupyterlab_vmprof.cli.notebook import main
from jupyterlab_vmprof.server.handlers import VmprofExtension


def test_settings_lists_every_configurable_trait_with_its_help(capsys):
    assert main(["settings"]) == 0
    shown = capsys.readouterr().out
    traits = VmprofExtension.class_own_traits(config=True)
    assert len(traits) >= 8
    for name, trait in traits.items():
        assert re.search(rf"^--VmprofExtension\.{name}=<\w+>$", shown, re.M), name
        assert trait.help.split()[0] in shown
    assert "version 18 or newer" in shown  # node_path says when a node on PATH is used
