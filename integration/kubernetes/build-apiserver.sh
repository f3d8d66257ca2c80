#!/bin/sh
# Builds kube-apiserver from the k8s.io/kubernetes Go module, once, and
# prints its path (see build-kube.sh).
exec sh "$(dirname "$0")/build-kube.sh" kube-apiserver
