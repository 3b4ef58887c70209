"""The live side: ``check`` runs scenarios against a server, ``serve`` plays captures as one.

``check.py`` sends each scenario and collects one report per scenario; ``capture.py`` is its
HTTP and file shell (streams the body into the engine as it arrives, saves it with ``--save``);
``verdict.py`` judges the exchange (transport `H` and expectation `X` findings, sans-IO);
``scenarios/`` holds the scenario format and the built-in scenario files.  ``gate.py`` is
``check --upstream`` (a gateway's answers compared with the captures it was given) and
``replay.py`` the replay server it and ``serve`` run.  Only this package and the CLI open
sockets; importing it imports none of its modules (a lint never loads them).
"""
