# tests/: every criterion suite links into one binary, $(BUILD)/tests/pvhv-tests,
# so `make test` ends with one summary. Each test area adds its sources here.
-include tests/abi/module.mk
include tests/unit/module.mk
include tests/system/module.mk
include tests/xenstore/module.mk
include tests/svm-lab/module.mk
include tests/linux-guest/module.mk
