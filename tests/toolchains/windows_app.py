print("not built: what it asks for is not available for Windows")
