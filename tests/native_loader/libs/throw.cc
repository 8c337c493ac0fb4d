// throw.so: throws; catch.so (which NEEDs it) catches. The unwinder finds both objects' frame
// tables through dl_iterate_phdr.
struct LoaderError { int code; };
extern "C" __attribute__((noinline)) void cxx_throw(int code) { throw LoaderError{code}; }
