"""The resource blob format (written here, read by runtime/blob.c)."""
