"""`python -m monitor`: see monitor.cli."""
import sys

from monitor import parallel
from monitor.cli import main

# A process of its own, with no other busy threads: its ingest workers can be forked (see parallel).
parallel.use_fork()
sys.exit(main())
