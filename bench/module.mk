# bench/: benchmarks. Not tests: they print figures as ratios against a
# baseline measured in the same run, and assert nothing. `make bench` runs
# them one after another (never in parallel: they time the machine).
COMPUTE_RATIO := $(BUILD)/bench/compute_ratio
EVTCHN_BENCH := $(BUILD)/bench/evtchn_bench
BENCH_PROGS := $(COMPUTE_RATIO) $(EVTCHN_BENCH)

$(COMPUTE_RATIO): $(BUILD)/obj/bench/compute_ratio.o \
                  $(BUILD)/obj/guest-frontends/refguest/compute.o $(LIBPVCTRL)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^

$(BUILD)/obj/bench/compute_ratio.o: CPPFLAGS += -Iguest-frontends/refguest

# What the benchmarks' host halves share (clocks, statistics, consoles).
BENCHLIB_OBJ := $(BUILD)/obj/bench/benchlib.o

$(EVTCHN_BENCH): $(BUILD)/obj/bench/evtchn_bench.o $(BENCHLIB_OBJ) $(LIBPVCTRL)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^

# xenstore: pvxenstored ops/s through libxs against a raw unix-socket echo.
XS_BENCH := $(BUILD)/bench/xs_bench
BENCH_PROGS += $(XS_BENCH)
$(BUILD)/obj/bench/xs_bench.o: CPPFLAGS += -I$(LIBXS_INC)
$(XS_BENCH): $(BUILD)/obj/bench/xs_bench.o $(LIBXS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -lpthread

# pvbench: the researcher's instrument (bench/pvbench, docs/BENCHMARKS.md):
# pvhv's paths against the raw platform, table, CSV, JSON and plots. In
# bin/ because it is a program people run, not only a `make bench` step.
PVBENCH := $(BUILD)/bin/pvbench
PVBENCH_SRCS := $(wildcard bench/pvbench/*.c) bench/pvbench/rawguest.S
PVBENCH_OBJS := $(patsubst %,$(BUILD)/obj/%.o,$(basename $(PVBENCH_SRCS)))
$(PVBENCH_OBJS): CPPFLAGS += -Ibench -Iguest-frontends/refguest
$(PVBENCH): $(PVBENCH_OBJS) $(BENCHLIB_OBJ) $(LIBPVCTRL)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -lyajl -lpthread
all: $(PVBENCH)
BINS += $(PVBENCH)
BENCH_PROGS += $(PVBENCH)
# tests/system/test_pvbench.c runs it and reads its JSON.
TEST_DEPS += $(PVBENCH)
TEST_LDLIBS += -lyajl

# network: guest UDP throughput through pvnetback beside a veth pair
# (bench/net_bench.c; runs in a network namespace of its own).
NET_BENCH := $(BUILD)/bench/net_bench
BENCH_PROGS += $(NET_BENCH)
$(NET_BENCH): $(BUILD)/obj/bench/net_bench.o $(BENCHLIB_OBJ) $(LIBPVCTRL)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^

# block: host fio, the PV disk and the emulated disk on one scratch file
# (bench/blk_bench.c; fio from Debian's fio package, yajl for its JSON).
BLK_BENCH := $(BUILD)/bench/blk_bench
BENCH_PROGS += $(BLK_BENCH)
$(BLK_BENCH): $(BUILD)/obj/bench/blk_bench.o $(BENCHLIB_OBJ) $(LIBPVCTRL)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -lyajl

.PHONY: bench
bench: all $(BENCH_PROGS)
	@for b in $(BENCH_PROGS); do echo "== $$b"; $$b $(BUILD) || exit 1; done

