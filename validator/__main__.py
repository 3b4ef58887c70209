"""``python -m validator`` and the ``stream-validator`` script: the command line.

Start-up is most of a small lint (a pre-commit hook, a CI step).  The imports make cyclic
garbage not worth collecting, so the collector is off while they run; then what they built
(modules, classes, the rule catalogue) is frozen: no collection, at exit neither, walks it
again.  The collector is back on for the command itself (memory stays bounded on a long stream).
"""

import gc


def main() -> None:
    """Import the command line with the collector off, freeze what the imports built, run."""
    enabled = gc.isenabled()
    gc.disable()
    from .cli import run

    gc.freeze()
    if enabled:
        gc.enable()
    run()


if __name__ == "__main__":
    main()
