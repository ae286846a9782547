# Vigie — the two commands a newcomer needs: `make run` and `make test`.
# Everything else (deps, build, bench) is called by them as needed.

DEMO_DIR      ?= demo
DEMO_PERSONS  ?= 50000
BENCH_PERSONS ?= 1000000
BENCH_LARGE   ?= 0
JOBS          ?= $(shell nproc)

.PHONY: all deps web build build-debug test-clients run test bench clean

all: build

deps:
	@scripts/install-deps

# The web portal (web/dist, served by `vigie serve`), from the committed lockfile.
web:
	@cd web && npm ci --no-audit --no-fund --loglevel=error >/dev/null && npm run --silent build

build: deps web
	@cmake --preset release >/dev/null
	@cmake --build build/release -j $(JOBS)

build-debug: deps web
	@cmake --preset debug -DVIGIE_WERROR=ON >/dev/null
	@cmake --build build/debug -j $(JOBS)

# Creates the demo installation once (synthetic data on SQLite), then runs a
# sample consultation against it.
run: build
	@scripts/demo $(DEMO_DIR) $(DEMO_PERSONS)

# Independent clients the tests check Vigie against (jose for DPoP), pinned
# by the committed lockfile.
test-clients:
	@cd tests && npm ci --no-audit --no-fund --loglevel=error >/dev/null

test: build-debug test-clients
	@cd build/debug && ctest --output-on-failure -j $(JOBS)

# Benchmarks at BENCH_PERSONS (default 1 M); set BENCH_LARGE=20000000 for the
# national-scale run. Figures go to stdout; copy them into docs/benchmarks.md.
bench: build test-clients
	@bench/run-bench $(BENCH_PERSONS) $(BENCH_LARGE)

clean:
	rm -rf build
