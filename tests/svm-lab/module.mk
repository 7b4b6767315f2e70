# tests/svm-lab: the whole criterion suite on AMD SVM, inside QEMU's
# software emulator (tests/svm-lab/lab.sh says how).
#
#   make test-svm    the sanitized tree of `make test` (build/san), in the lab:
#                    pvhv's suite twice (port I/O, KVM's Xen support), then
#                    the stock Linux guest (tests/linux-guest)
#   make svm-lab     the current $(BUILD) tree (e.g. the release build), in the lab
#   make bench-svm   bench/evtchn_bench in the lab, once per configuration
#
# test-svm ships the very binaries `make test` ran on the host, so CI builds
# nothing twice and ASan/UBSan also watch the code paths only SVM takes.

# The probe measures: no sanitizer, whatever the tree.
SVM_LAB_PROBE := $(BUILD)/tests/kvmprobe
$(SVM_LAB_PROBE): tests/svm-lab/kvmprobe.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) -O2 -D_GNU_SOURCE -o $@ $<

.PHONY: test-svm svm-lab bench-svm
test-svm:
	$(MAKE) BUILD=build/san SANITIZE=1 svm-lab

# The test binary is named here: TEST_BIN is defined after this file is read.
svm-lab: all $(BUILD)/tests/pvhv-tests $(BUILD)/tests/linux-guest-tests $(TEST_DEPS) \
         $(SVM_LAB_PROBE)
	PVHV_BUILD=$(abspath $(BUILD)) tests/svm-lab/lab.sh

# Hypercall and event-kick costs on SVM, beside the raw exit costs kvmprobe
# measures there: the release tree, no tests, evtchn_bench per configuration.
bench-svm: all $(BUILD)/bench/evtchn_bench $(SVM_LAB_PROBE) $(BUILD)/tests/pvhv-tests $(TEST_DEPS)
	PVHV_BUILD=$(abspath $(BUILD)) SVM_LAB_BENCH=1 SVM_LAB_ARGS="--filter=none/none" SVM_LAB_JOBS=1 \
	    SVM_LAB_CONFIGS=xen-off,xen-on \
	    tests/svm-lab/lab.sh
