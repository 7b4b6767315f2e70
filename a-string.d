string.o: guest-frontends/libpvfront/include/pvfront/string.h
