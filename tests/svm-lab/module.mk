# tests/svm-lab: the whole criterion suite on AMD SVM, inside QEMU's
# software emulator (tests/svm-lab/lab.sh says how). `make test-svm`.
SVM_LAB_PROBE := $(BUILD)/tests/kvmprobe

$(SVM_LAB_PROBE): $(BUILD)/obj/tests/svm-lab/kvmprobe.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^

.PHONY: test-svm
test-svm: all $(TEST_BIN) $(TEST_DEPS) $(SVM_LAB_PROBE)
	PVHV_BUILD=$(abspath $(BUILD)) tests/svm-lab/lab.sh
