cmdline.o: guest-frontends/libpvfront/include/pvfront/cmdline.h
