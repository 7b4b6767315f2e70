config.o: guest-frontends/libpvfront/include/pvfront/config.h
