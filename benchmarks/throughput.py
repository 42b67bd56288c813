"""Throughput end to end: real news pages served on 127.0.0.1, crawled into a fresh SQLite database.

The pages of ../shared/benchmarks/ (every dataset) are served by a small generator server, each under many distinct
URLs (/a/<n>: page n mod P with a paragraph of its own, so every URL is a distinct text), listed in sitemaps of
1,000 behind a sitemap index. In one run it measures, each figure beside its goal (issue 17):
  - plain trafilatura (`bare_extraction` with metadata) on one core over the same pages: its rate (pages per CPU
    second of one pass over them, alone: what a core gives it, whatever else the machine runs), and each page's extract
    CPU time, ours beside trafilatura's (median and p95; goal: ours at most 0.6x), timed as bench-quality times them
    (interleaved, each page's fastest of 3 rounds, after a warm-up);
  - for each size, from one `newscrawl crawl`: end-to-end pages/s (fetch, extract in the process pool, pipelines,
    SQLite, FTS index) and its ratio to trafilatura's one-core rate (goal: 1.7x on 2 cores); the CPU seconds of the
    crawl process alone per page (HTTP, scheduling, pipelines, store: extraction runs in the workers); CPU use of
    the process tree (CPU seconds / wall seconds / cores); its peak memory: the proportional set sizes (PSS) of the
    crawl process and all its descendants (forkserver, extraction workers) summed per sample, every 0.2 s, the
    largest sum (goal: 400 MB);
  - the store alone: the same records through `newscrawl import` (validate, normalise, dedupe, store), rows/s;
  - an immediate no-news recrawl: its time as a fraction of the first crawl.
It prints figures; it asserts nothing. Usage: python benchmarks/throughput.py [--pages 2000 [10000 50000]]

With --listed 200000, it measures the frontier instead: the peak memory of the crawl's process tree (one extraction
worker) while one gzip sitemap lists that many URLs, against a listing of 100, for CLOSESPIDER_TIMEOUT (--seconds)
of crawling with no NEWSCRAWL_MAX_SCHEDULED; the run still ends only once every listed URL is queued.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing import Process
from pathlib import Path
from typing import NamedTuple

import trafilatura

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from quality import WARM_UP_PAGES, interleaved_costs  # noqa: E402  (benchmarks/, the script's own folder)

from crawler.extraction import extract  # noqa: E402
from crawler.items import Article  # noqa: E402

BENCHMARKS = ROOT.parent / "shared" / "benchmarks"
NEWSCRAWL = Path(sys.executable).with_name("newscrawl")
PER_SITEMAP = 1000
SOURCE = """name = "Throughput bench"
homepage = "{base}/"
allowed_domains = ["127.0.0.1"]
sitemaps = ["{base}/{sitemap}"]
article_url = '/a/\\d+$'
language = "en"
timezone = "UTC"
"""
GOAL_RATIO = 1.7  # end to end on 2 cores, against trafilatura on one
GOAL_COST = 0.6  # our extract's CPU time per page against trafilatura's
COST_ROUNDS = 3  # timing rounds of the extract cost (a page's cost: its fastest)
GOAL_MEMORY = 400  # MB, peak PSS of the crawl's process tree
FAST = ["AUTOTHROTTLE_ENABLED=0", "DOWNLOAD_DELAY=0", "CONCURRENT_REQUESTS_PER_DOMAIN=32", "LOG_LEVEL=WARNING"]


def article_pages() -> list[tuple[bytes, str]]:
    """(html, original URL) of every benchmark page that extraction reads as an article."""
    pages = []
    for truth in sorted(BENCHMARKS.glob("*/truth.jsonl")):
        for line in truth.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            html = gzip.decompress((truth.parent / record["file"]).read_bytes())
            if isinstance(extract(html, record["url"]), Article):
                pages.append((html, record["url"]))
    return pages


def serve(pages: list[bytes], count: int, port_file: Path) -> None:
    """The generator site (runs in its own process). What every request would build the same is built once (the
    sitemaps, where each page's own paragraph goes), and a page is written in its parts, not copied whole: the
    server shares the two cores with the crawl it serves."""
    lastmod = datetime.now(timezone.utc).isoformat()
    cuts = [page.find(b"</p>") + 4 if page.find(b"</p>") > 0 else None for page in pages]  # after the first </p>
    views = [memoryview(page) for page in pages]
    built: dict[str, tuple[bytes, str]] = {}  # path -> (body, content type), for the listings

    def listing(path: str, base: str) -> tuple[bytes, str] | None:
        if path == "/listed.xml.gz":  # every URL in one sitemap (--listed)
            urls = "".join(f"<url><loc>{base}/a/{n}</loc></url>" for n in range(count))
            body = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            return gzip.compress(body.encode(), compresslevel=1), "application/gzip"
        if path == "/sitemap.xml":
            maps = "".join(
                f"<sitemap><loc>{base}/sitemap-{k}.xml</loc></sitemap>" for k in range(0, count, PER_SITEMAP)
            )
            body = f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{maps}</sitemapindex>'
            return body.encode(), "application/xml"
        if path.startswith("/sitemap-"):
            start = int(path.removeprefix("/sitemap-").removesuffix(".xml"))
            urls = "".join(
                f"<url><loc>{base}/a/{n}</loc><lastmod>{lastmod}</lastmod></url>"
                for n in range(start, min(start + PER_SITEMAP, count))
            )
            body = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            return body.encode(), "application/xml"
        return None

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.startswith("/a/"):
                n = int(self.path.removeprefix("/a/"))
                page, cut = views[n % len(pages)], cuts[n % len(pages)]
                own = f"<p>Dispatch {n}: this copy carries its own paragraph number {n} for the benchmark.</p>"
                parts = [page[:cut], own.encode(), page[cut:]] if cut else [page]
                return self.reply(parts, "text/html")
            if self.path not in built:
                found = listing(self.path, f"http://127.0.0.1:{self.server.server_address[1]}")
                if found is None:
                    return self.send_error(404)
                built[self.path] = found
            body, kind = built[self.path]
            self.reply([body], kind)

        def reply(self, parts: list, kind: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(sum(len(part) for part in parts)))
            self.end_headers()
            for part in parts:
                self.wfile.write(part)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_file.write_text(str(server.server_address[1]))
    server.serve_forever()


def family(pid: int) -> set[int]:
    """A process and all its descendants (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = {pid}, {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def memory(pid: int) -> int:
    """Proportional set size (PSS) of a process: pages shared with the process that forked it count once."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    return sum(int(line.split()[1]) * 1024 for line in rollup.splitlines() if line.startswith("Pss:"))


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Measure(NamedTuple):
    wall: float  # seconds
    cpu: float  # CPU seconds of the whole process tree
    own_cpu: float  # CPU seconds of the process started alone (not its descendants)
    peak: int  # bytes: the largest sum over the tree of its processes' PSS, over the samples
    parts: list[int]  # the PSS of each process at that sample: the process started first, then the largest


def measured(command: list[str]) -> Measure:
    """Run `command`: wall seconds, CPU seconds and peak memory (sum of PSS) of its process tree, sampled every
    0.2 s (the extraction workers are grandchildren: getrusage would not see them)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak, parts, cpu = 0, [], {}
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, parts
        while not stop.is_set():
            members = family(process.pid)
            sizes = {member: memory(member) for member in members}
            if sum(sizes.values()) > peak:
                peak = sum(sizes.values())
                parts = [sizes.pop(process.pid, 0), *sorted(sizes.values(), reverse=True)]
            for member in members:
                cpu[member] = max(cpu.get(member, 0.0), cpu_seconds(member))
            stop.wait(0.2)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, errors = process.communicate()
    stop.set()
    sampler.join()
    wall = time.perf_counter() - started
    if process.returncode not in (0, 1):
        sys.exit(f"bench: {' '.join(command[:2])} failed ({process.returncode}): {errors.strip()[-500:]}")
    return Measure(wall, sum(cpu.values()), cpu.get(process.pid, 0.0), peak, parts)


def trafilatura_alone(html: bytes, url: str) -> object:
    return trafilatura.bare_extraction(html.decode("utf-8", "replace"), url=url, with_metadata=True)


def trafilatura_rate(pages: list[tuple[bytes, str]]) -> float:
    """Plain trafilatura's one-core rate: pages per CPU second of one pass over `pages`, alone, after a warm-up."""
    for html, url in pages[:WARM_UP_PAGES]:
        trafilatura_alone(html, url)
    started = time.process_time()
    for html, url in pages:
        trafilatura_alone(html, url)
    return len(pages) / (time.process_time() - started)


def extract_costs(pages: list[tuple[bytes, str]]) -> tuple[list[float], list[float]]:
    """CPU seconds of each page's extraction, ours and plain trafilatura's, timed as bench-quality times them
    (interleaved, each page's fastest of COST_ROUNDS rounds, after a warm-up)."""
    (ours, theirs), _ = interleaved_costs(pages, (extract, trafilatura_alone), COST_ROUNDS, time.process_time)
    return ours, theirs


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def start_site(html: list[bytes], count: int, folder: Path, sitemap: str) -> tuple[Process, list[str]]:
    """The generator site in its own process, a source file for it in `folder`: the process and the crawl command."""
    port_file = folder / "port"
    server = Process(target=serve, args=(html, count, port_file), daemon=True)
    server.start()
    while not port_file.exists() or not port_file.read_text():
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port_file.read_text()}"
    (folder / "sources").mkdir()
    (folder / "sources" / "bench.toml").write_text(SOURCE.format(base=base, sitemap=sitemap), encoding="utf-8")
    crawl = [str(NEWSCRAWL), "crawl", "--db", str(folder / "news.db"), "--sources-dir", str(folder / "sources")]
    return server, crawl + [item for setting in FAST for item in ("--set", setting)]


def frontier_memory(html: list[bytes], counts: list[int], seconds: int) -> None:
    """Peak memory of the crawl's process tree while one sitemap lists each of `counts` URLs, and per listed URL
    against a listing of 100."""
    limits = ["NEWSCRAWL_EXTRACT_WORKERS=1", "NEWSCRAWL_MAX_SCHEDULED=0", f"CLOSESPIDER_TIMEOUT={seconds}"]
    print(f"{'listed':>9} {'peak PSS (goal <= ' + str(GOAL_MEMORY) + ' MB)':>27} {'per URL':>8} {'run':>6}")
    baseline = 0
    for count in [100, *counts]:
        with tempfile.TemporaryDirectory(prefix="newscrawl-bench-frontier-") as tmp:
            server, crawl = start_site(html, count, Path(tmp), "listed.xml.gz")
            run = measured(crawl + [item for setting in limits for item in ("--set", setting)])
            server.terminate()
        baseline = baseline or run.peak
        per_url = f"{(run.peak - baseline) / (count - 100) / 1024:.2f}KB" if count > 100 else "-"
        parts = " + ".join(f"{part / 2**20:.0f}" for part in run.parts)
        print(f"{count:>9,} {run.peak / 2**20:>24.0f} MB {per_url:>8} {run.wall:>5.0f}s  ({parts} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[2000], help="crawl sizes (e.g. 2000 10000 50000)")
    parser.add_argument("--listed", type=int, nargs="+", help="measure the frontier's memory for these listings")
    parser.add_argument("--seconds", type=int, default=60, help="crawling time of each --listed run")
    args = parser.parse_args()
    if not BENCHMARKS.exists():
        sys.exit(f"bench-throughput: {BENCHMARKS} not found")
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    pages = article_pages()
    html = [page for page, _ in pages]
    if args.listed:
        return frontier_memory(html, args.listed, args.seconds)
    one_core = trafilatura_rate(pages)
    ours, theirs = extract_costs(pages)
    cores = os.cpu_count() or 1
    load = os.getloadavg()[0]
    print(f"{len(pages)} distinct article pages from ../shared/benchmarks; {cores} cores, load {load:.1f}")
    print(f"  trafilatura alone, one core: {one_core:.1f} pages per CPU second")
    for name, measure in (("median", statistics.median), ("p95", p95)):
        mine, theirs_ms = measure(ours) * 1000, measure(theirs) * 1000
        print(
            f"  extract CPU per page, {name}: ours {mine:.1f} ms, trafilatura {theirs_ms:.1f} ms:"
            f" {mine / theirs_ms:.2f}x (goal <= {GOAL_COST}x)"
        )
    for count in args.pages:
        with tempfile.TemporaryDirectory(prefix="newscrawl-bench-throughput-") as tmp:
            folder = Path(tmp)
            server, crawl = start_site(html, count, folder, "sitemap.xml")
            db = folder / "news.db"
            run = measured(crawl)
            again = measured(crawl)
            server.terminate()
            records = folder / "records.jsonl"
            export = [str(NEWSCRAWL), "export", "--db", str(db), "--include-duplicates", "--output", str(records)]
            subprocess.run(export, check=True, capture_output=True)
            stored = sum(1 for _ in records.open(encoding="utf-8"))
            store = measured([str(NEWSCRAWL), "import", str(records), "--db", str(folder / "store.db")])
        rate = count / run.wall
        print(f"{count:,} pages crawled ({stored:,} stored) in {run.wall:.0f} s, load {os.getloadavg()[0]:.1f}")
        print(f"  end to end: {rate:.1f} p/s, {rate / one_core:.2f}x trafilatura on one core (goal >= {GOAL_RATIO}x)")
        print(f"  crawl process alone: {run.own_cpu / count * 1000:.1f} ms CPU per page")
        print(f"  CPU use of the process tree: {run.cpu / run.wall / cores:.0%} of {cores} cores")
        parts = " + ".join(f"{part / 2**20:.0f}" for part in run.parts)
        print(f"  peak memory of the process tree: {run.peak / 2**20:.0f} MB PSS (goal <= {GOAL_MEMORY} MB)")
        print(f"    crawl process + its descendants at that moment: {parts} MB")
        print(f"  store alone: {stored / store.wall:.0f} rows/s; no-news recrawl: {again.wall / run.wall:.1%} of it")


if __name__ == "__main__":
    main()
