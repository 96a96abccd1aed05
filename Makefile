# Quiver: `make run` starts the server, `make test` runs every test. Both install what is missing
# first (Debian 12 packages via scripts/install-deps.sh, npm packages for the end-to-end tests).
JOBS ?= 2
BUILD_DIR ?= build
BUILD_TYPE ?= Release
CONFIG ?= config/config.yaml

.PHONY: all deps build run test unit-test e2e-test asan-test bench-rest bench-auth bench-index clean

all: build

deps:
	@./scripts/install-deps.sh

$(BUILD_DIR)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: deps $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j$(JOBS)

run: build
	$(BUILD_DIR)/quiver --config-path $(CONFIG)

unit-test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS)

e2e-test: build
	./tests/e2e/run.sh

test: unit-test e2e-test

# Unit tests under AddressSanitizer and UBSan, in a build directory of their own.
asan-test: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DQUIVER_SANITIZE=ON
	cmake --build build-asan -j$(JOBS)
	cd build-asan && ctest --output-on-failure -j$(JOBS)

# End-to-end REST figures (upsert throughput, query latency, memory, start-up): not a test.
bench-rest: build
	node bench/rest_bench.mjs --points 100000 --dim 128 --batch 1000

# What authentication costs (no key / API key / JWT), as ratios: not a test.
bench-auth: build
	@command -v wrk >/dev/null || (echo "bench-auth needs wrk: apt-get install wrk" && false)
	node bench/auth_bench.mjs

# Quiver's HNSW index against hnswlib and FAISS (build time, memory, recall/qps sweep, filtered
# search): not a test. See README.md, "Benchmarks".
BENCH_INDEX_ARGS ?= --fmnist --filtered
bench-index: build
	$(BUILD_DIR)/quiver-bench $(BENCH_INDEX_ARGS)

clean:
	rm -rf $(BUILD_DIR) build-asan
