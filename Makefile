# newscrawl: `make crawl` runs the main job, `make test` runs the tests. Both set up .venv from nothing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: crawl demo serve test lint bench bench-quality bench-recrawl bench-throughput bench-neardup bench-search clean chromium redis-server

crawl: $(VENV)/.installed       ## crawl every configured source into output/news.db
	$(BIN)/newscrawl crawl

demo: $(VENV)/.installed        ## crawl the bundled replay of sample pages into output/demo.db
	$(BIN)/newscrawl demo

serve: $(VENV)/.installed-web   ## browse and search output/news.db in Datasette (read-only) on 127.0.0.1:8001
	$(BIN)/newscrawl serve

test: $(VENV)/.installed-test chromium redis-server  ## lint and run the whole test suite
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

.PHONY: fault-test
fault-test: $(VENV)/.installed-test  ## the hostile-web tests alone, then one line per fault: injected -> outcome
	@mkdir -p output
	NEWSCRAWL_FAULT_REPORT=output/fault-report.txt $(BIN)/python -m pytest -q tests/test_faults.py
	@cat output/fault-report.txt

.PHONY: cli-reference
cli-reference: $(VENV)/.installed  ## rewrite README.md's command reference from every command's --help
	$(BIN)/python -m crawler.clidoc

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

bench: bench-quality bench-recrawl bench-throughput bench-neardup bench-search  ## every benchmark (they print figures; none asserts)

bench-quality: $(VENV)/.installed  ## extraction quality on ../shared/benchmarks, ours beside plain trafilatura
	$(BIN)/python benchmarks/quality.py

bench-recrawl: $(VENV)/.installed  ## first crawl of a 5,000-article site, then a no-news recrawl
	$(BIN)/python benchmarks/recrawl.py --articles 5000

bench-throughput: $(VENV)/.installed  ## crawl 2,000 real pages on 127.0.0.1: p/s vs trafilatura, CPU, peak PSS (more: --pages, --listed)
	$(BIN)/python benchmarks/throughput.py

bench-neardup: $(VENV)/.installed  ## near-duplicate lookup cost at 10,000 and 1,000,000 stored articles
	$(BIN)/python benchmarks/neardup.py --sizes 10000 1000000

bench-search: $(VENV)/.installed  ## arabic-search recall/precision; import rate, size, latency at 100,000 articles
	$(PYTHON) ../shared/benchmarks/search_eval.py ../shared/benchmarks/arabic-search --newscrawl $(BIN)/newscrawl
	$(BIN)/python benchmarks/search.py --articles 100000

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-web: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[web]'
	touch $@ $(VENV)/.installed

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test,web,plot,redis]'
	touch $@ $(VENV)/.installed $(VENV)/.installed-web

chromium:                       ## Debian's chromium for the browser test of `serve` (once per machine, as root)
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "make: /usr/bin/chromium missing and not root: the browser test will be skipped (apt-get install chromium)"; \
	  fi; \
	fi

redis-server:                   ## Debian's redis-server for the scale-out tests (once per machine, as root)
	@if [ ! -x /usr/bin/redis-server ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; \
	  else \
	    echo "make: /usr/bin/redis-server missing and not root: the scale-out tests will be skipped (apt-get install redis-server)"; \
	  fi; \
	fi

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
