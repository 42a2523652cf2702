"""`python -m monitor`: see monitor.cli."""
import sys

from monitor.cli import main
from monitor.ingest import runners

# A process of its own, with no other busy threads: its ingest workers can be forked (see parallel).
runners.use_fork()
sys.exit(main())
