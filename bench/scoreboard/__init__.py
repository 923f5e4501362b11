"""tamis scoreboard: tamis against peer tools on the shared evaluation data.

Run from the repository root:

    python3 -m bench.scoreboard --quick      # a few minutes on 2 cores
    python3 -m bench.scoreboard              # full mode

The first run creates `bench/.venv-scoreboard` and installs tamis (editable) and the peers into it;
see bench/README.md. Only `metrics` is imported by the unit tests: it uses the standard library only.
"""
