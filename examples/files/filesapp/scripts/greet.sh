#!/bin/sh
# Run by the app as a separate process: a file of the binary that another program reads by path.
echo "greet $1 from $0"
