#!/bin/sh
echo "calico: coverage through Bazel is not set up; use gcov directly" >&2
exit 1
