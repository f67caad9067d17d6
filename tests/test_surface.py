"""The declared surface: what README documents is importable from the package, and cheap to import."""

from __future__ import annotations

import subprocess
import sys

import pytest

import nicgui
import nicgui.codec


@pytest.mark.parametrize("module", [nicgui, nicgui.codec])
def test_every_declared_name_resolves(module):
    for name in module.__all__:
        assert getattr(module, name) is not None, name
    with pytest.raises(AttributeError):
        module.no_such_name  # noqa: B018


def test_errors_share_one_base_so_bad_input_is_told_from_bugs():
    for cls in (nicgui.NicFormatError, nicgui.PictureError, nicgui.WeightsError, nicgui.CodingError):
        assert issubclass(cls, nicgui.NicguiError)


def test_importing_the_package_or_the_container_loads_no_torch():
    code = "import sys, nicgui, nicgui.codec.bitstream; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_version_is_the_installed_one():
    from importlib import metadata

    assert nicgui.__version__ == metadata.version("nicgui")
