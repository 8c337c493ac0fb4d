print("not built yet: no static CPython for windows")
