# The two commands of the README: `make study` (the main job) and `make test`. Both set up what is missing,
# build, and run.
BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release

.PHONY: architectures dit-conditioning setup configure build demo study scaling scaling-shapes regress test test-long test-slurm test-browser test-cuda bench bench-paired gpu-check clean

setup:
	bash scripts/setup

configure: setup
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# The main job: a small real run on Fashion-MNIST (README "The main job").
demo: configure
	cmake --build $(BUILD) -j $(JOBS) --target rflab
	$(BUILD)/rflab train --config configs/demo.json --db results/rflab.db --out runs/demo

# The main job: the quick objective study (sweeps/objectives-quick.json): trains the seven
# formulations, evaluates each at the control settings, writes the report (reports/objectives-quick/)
# and prints its ranking. Resumable.
study: configure
	cmake --build $(BUILD) -j $(JOBS) --target rflab
	$(BUILD)/rflab sweep run sweeps/objectives-quick.json --db results/rflab.db
	$(BUILD)/rflab eval --sweep sweeps/objectives-quick.json --db results/rflab.db
	$(BUILD)/rflab report --sweep sweeps/objectives-quick.json --db results/rflab.db

# The quick depth ladder (sweeps/depth-quick.json): trains, evaluates, and writes its scaling report.
scaling: configure
	cmake --build $(BUILD) -j $(JOBS) --target rflab
	$(BUILD)/rflab sweep run sweeps/depth-quick.json --db results/rflab.db
	$(BUILD)/rflab eval --sweep sweeps/depth-quick.json --db results/rflab.db
	$(BUILD)/rflab scaling --sweep sweeps/depth-quick.json --db results/rflab.db
	$(BUILD)/rflab report --sweep sweeps/depth-quick.json --db results/rflab.db --quiet

# The same ladder on the shapes dataset (sweeps/depth-quick-shapes.json), with prompt following.
scaling-shapes: configure
	cmake --build $(BUILD) -j $(JOBS) --target rflab
	$(BUILD)/rflab sweep run sweeps/depth-quick-shapes.json --db results/rflab.db
	$(BUILD)/rflab eval --sweep sweeps/depth-quick-shapes.json --db results/rflab.db --prompts-per-category 60
	$(BUILD)/rflab scaling --sweep sweeps/depth-quick-shapes.json --db results/rflab.db
	$(BUILD)/rflab report --sweep sweeps/depth-quick-shapes.json --db results/rflab.db --quiet

# The architecture ablation sized for this machine (docs/architectures.md): the five backbones at
# matched parameters, then the four DiT block designs; each trains, evaluates and writes its report.
architectures: configure
	cmake --build $(BUILD) -j $(JOBS) --target rflab
	$(BUILD)/rflab sweep run sweeps/architectures-quick.json --db results/rflab.db
	$(BUILD)/rflab eval --sweep sweeps/architectures-quick.json --db results/rflab.db
	$(BUILD)/rflab report --sweep sweeps/architectures-quick.json --db results/rflab.db --quiet

dit-conditioning: configure
	cmake --build $(BUILD) -j $(JOBS) --target rflab
	$(BUILD)/rflab sweep run sweeps/dit-conditioning-quick.json --db results/rflab.db
	$(BUILD)/rflab eval --sweep sweeps/dit-conditioning-quick.json --db results/rflab.db
	$(BUILD)/rflab report --sweep sweeps/dit-conditioning-quick.json --db results/rflab.db --quiet

# The regression canary (sweeps/canary.json) at the current commit, stored under it; with
# BASE=<commit> also its comparison with that commit (README "Regression tracking").
BASE ?=
regress: configure
	cmake --build $(BUILD) -j $(JOBS) --target rflab
	$(BUILD)/rflab regress run --db results/rflab.db
	if [ -n "$(BASE)" ]; then $(BUILD)/rflab regress compare $(BASE) HEAD --db results/rflab.db; fi

# The default test run (CTest label `unit`); longer suites have their own targets.
test: build
	cd $(BUILD) && ctest -L unit -j $(JOBS) --output-on-failure --timeout 600

test-long: build
	cd $(BUILD) && ctest -L long --output-on-failure --timeout 3600

test-slurm:
	bash scripts/setup --slurm
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ctest -L slurm --output-on-failure --timeout 3600

# The report in headless Chromium (label `browser`); installs Chromium.
test-browser:
	bash scripts/setup --browser
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS) --target test_browser
	cd $(BUILD) && ctest -L browser --output-on-failure --timeout 600

# The GPU tests (label `cuda`): they skip themselves without a CUDA device and libtorch.
test-cuda: build
	cd $(BUILD) && ctest -L cuda --output-on-failure --timeout 600

# On a GPU machine with PyTorch 2.x (README "On a GPU"): build against it and run the GPU check.
gpu-check:
	bash scripts/gpu-check

bench: configure
	cmake --build $(BUILD) -j $(JOBS) --target bench_train_step bench_frechet
	$(BUILD)/bench/bench_train_step
	$(BUILD)/bench/bench_frechet

# The paired comparisons of README "Performance": rflab fid against SciPy, the training step against
# the SD3 reference in PyTorch (both installed from Debian; the reference code is cloned from its
# repository at run time, or read from SD35_REPO).
bench-paired: configure
	cmake --build $(BUILD) -j $(JOBS) --target rflab bench_train_step
	bench/frechet-vs-scipy $(BUILD)/rflab
	bench/train-step-vs-reference $(BUILD)

clean:
	rm -rf $(BUILD)
