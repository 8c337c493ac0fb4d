struct LoaderError { int code; };
extern "C" void cxx_throw(int code);
extern "C" int cxx_catch(int code) {
    try {
        cxx_throw(code);
    } catch (const LoaderError &e) {
        return e.code + 1000;
    }
    return -1;
}
