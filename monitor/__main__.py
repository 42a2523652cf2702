"""`python -m monitor`: see monitor.cli."""
import sys

try:
    from monitor.cli import main
    from monitor.ingest import runners
except Exception as exc:  # a broken install (a missing package): one line and 70, never 1 ("some inputs skipped")
    print(f"internal error: cannot load the monitor: {type(exc).__name__}: {exc}", file=sys.stderr)
    sys.exit(70)

# A process of its own, with no other busy threads: its ingest workers can be forked (see parallel).
runners.use_fork()
sys.exit(main())
