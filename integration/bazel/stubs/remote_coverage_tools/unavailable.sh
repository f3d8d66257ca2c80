#!/bin/sh
echo "coverage is not available in runsc-ai's Bazel build (docs/building.md)" >&2
exit 1
