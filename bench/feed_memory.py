"""Peak memory of reading one feed whose summary-only items link to big pages, served on 127.0.0.1.

    .venv/bin/python bench/feed_memory.py [--items 150] [--min-mb 5] [--max-mb 9] [--tree /work/main]

The feed and its pages are served by this process; a child process (the monitor of ``--tree``)
reads the feed with ``read_url`` item by item and reports its own peak RSS (ru_maxrss), the
item count and the seconds. Each page is a short fictional article followed by a big HTML
comment (cheap to parse, so the figure is the fetcher's, not the HTML parser's). Peak memory
should stay near the look-ahead x the page size, whatever the number of items.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ("<p>Mara Velloso, the mayor of Northbridge, opened the new tram line along the river on Tuesday. "
           "Hundreds of residents queued at the depot to ride the first car, and the council said twelve trams "
           "would run every ten minutes until midnight, every day of the week, for the whole summer.</p>") * 6
CHILD = """
import json, resource, sys, time
from monitor.ingest.fetch import Fetcher
from monitor.ingest.fetch_types import FetchSettings
from monitor.ingest.sources.web import read_url
started = time.monotonic()
fetcher = Fetcher(FetchSettings(allow_hosts=frozenset({"127.0.0.1"}), total_timeout=600.0))
full = total = 0
for item in read_url(sys.argv[1], fetcher):
    total += 1
    full += getattr(item, "text_origin", "") == "full"
print(json.dumps({"items": total, "full": full, "seconds": round(time.monotonic() - started, 1),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
"""


def serve(sizes: list[int]) -> ThreadingHTTPServer:
    """Serve /feed.xml (one summary-only item per size) and /p/N.html (N's page, sizes[N] bytes); return the server."""
    filler = b"x" * max(sizes)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            if self.path == "/feed.xml":
                port = self.server.server_address[1]
                items = "".join(f"<item><title>Tram {n}</title><link>http://127.0.0.1:{port}/p/{n}.html</link>"
                                f"<description>A teaser.</description></item>" for n in range(len(sizes)))
                body = f"<rss version='2.0'><channel><title>Courier</title>{items}</channel></rss>".encode()
                kind = "application/rss+xml"
            else:
                n = int(self.path.split("/")[-1].split(".")[0])
                head = f"<html><head><title>Tram {n}</title></head><body><article><h1>Tram {n}</h1>{ARTICLE}"
                body = head.encode() + b"</article><!--" + filler[:sizes[n]] + b"--></body></html>"
                kind = "text/html"
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def main() -> None:
    """Serve the feed, read it in a child process of the chosen tree, print the child's figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=150)
    parser.add_argument("--min-mb", type=float, default=5)
    parser.add_argument("--max-mb", type=float, default=9)
    parser.add_argument("--tree", default=str(ROOT), help="the checkout whose monitor reads the feed")
    args = parser.parse_args()
    rng = random.Random(12)
    sizes = [int(rng.uniform(args.min_mb, args.max_mb) * 1024 * 1024) for _ in range(args.items)]
    httpd = serve(sizes)
    env = {**os.environ, "PYTHONPATH": args.tree, "MONITOR_ALLOW_HOSTS": "127.0.0.1"}
    env = {k: v for k, v in env.items() if "proxy" not in k.lower()}
    url = f"http://127.0.0.1:{httpd.server_address[1]}/feed.xml"
    out = subprocess.run([sys.executable, "-c", CHILD, url], env=env, cwd=args.tree, capture_output=True,
                         text=True, check=True)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    print(json.dumps({"tree": args.tree, "pages_mb_total": round(sum(sizes) / 1024 / 1024), **figures}))
    httpd.shutdown()


if __name__ == "__main__":
    main()
