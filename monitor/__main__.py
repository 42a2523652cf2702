"""`python -m monitor`: see monitor.cli."""
import sys

from monitor.cli import main

sys.exit(main())
