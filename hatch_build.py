"""Build hook: the wheel carries the per-event path compiled with mypyc, beside its Python source.

A lint's cost is a loop over events through framing, the engine and a kind's checker, in
pure Python; mypyc compiles those typed modules to C extensions, which import in place of the
``.py`` files next to them.  The source stays in the wheel, so the same code runs pure where an
extension cannot load.  An editable install (``pip install -e``) stays pure Python, so an edit
takes effect without a rebuild; ``STREAM_VALIDATOR_PURE_PYTHON=1`` builds a pure wheel; a
machine that cannot compile (no C compiler, mypyc refusing) gets a pure wheel and a warning.
``stream-validator --version`` says which one is installed.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

#: The modules every event goes through: framing, the engine, and each kind's checker and state
#: (not `accumulate.py`: its `Text` subclasses `io.StringIO`, a C type mypyc cannot extend).
COMPILED = (
    "validator/engine.py",
    "validator/framing/_lines.py",
    "validator/framing/jsonarray.py",
    "validator/framing/jsonl.py",
    "validator/framing/runs.py",
    "validator/framing/sse.py",
    "validator/responses/checker.py",
    "validator/responses/final.py",
    "validator/responses/identity.py",
    "validator/responses/lifecycle.py",
    "validator/responses/sequence.py",
    "validator/responses/state.py",
    "validator/responses/text.py",
    "validator/chat/checker.py",
    "validator/chat/choices.py",
    "validator/chat/chunk.py",
    "validator/chat/state.py",
    "validator/chat/tool_calls.py",
    "validator/chat/usage.py",
    "validator/anthropic/blocks.py",
    "validator/anthropic/checker.py",
    "validator/anthropic/deltas.py",
    "validator/anthropic/lifecycle.py",
    "validator/anthropic/message.py",
    "validator/anthropic/state.py",
)


class MypycBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "editable" or os.environ.get("STREAM_VALIDATOR_PURE_PYTHON"):
            return
        self._build = tempfile.TemporaryDirectory(prefix="stream-validator-mypyc-")
        try:
            extensions = _compile(Path(self.root), Path(self._build.name))
        # Any failure to compile falls back to a pure wheel (mypy's type errors exit).
        except (Exception, SystemExit) as error:
            self.app.display_warning(f"mypyc could not compile the hot modules ({error}); "
                                     "building a pure-Python wheel")
            return
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        build_data["force_include"].update(extensions)

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        build = getattr(self, "_build", None)
        if build is not None:
            build.cleanup()


def _compile(root: Path, build: Path) -> dict[str, str]:
    """Compile ``COMPILED`` into ``build``: each extension's path to its path in the wheel."""
    from mypyc.build import mypycify
    from setuptools import Distribution

    cwd = os.getcwd()
    os.chdir(root)  # mypyc names modules by their path from the current directory
    try:
        extensions = mypycify(list(COMPILED), opt_level="3", debug_level="0",
                              target_dir=str(build / "c"))
        distribution = Distribution({"name": "stream-validator", "ext_modules": extensions})
        command = distribution.get_command_obj("build_ext")
        command.build_lib = str(build / "lib")  # type: ignore[attr-defined]
        command.build_temp = str(build / "temp")  # type: ignore[attr-defined]
        command.parallel = os.cpu_count() or 1  # type: ignore[attr-defined]
        command.ensure_finalized()
        command.run()
    finally:
        os.chdir(cwd)
    lib = build / "lib"
    return {str(path): path.relative_to(lib).as_posix() for path in lib.rglob("*.so")}
