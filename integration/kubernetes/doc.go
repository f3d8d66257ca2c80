// Package kubernetes holds runsc-ai's Kubernetes artefacts (RuntimeClass,
// agent DaemonSet, containerd configuration) and their tests: the manifests
// against a real kube-apiserver, and (make e2e-kubernetes) a real single
// node running a pod in runsc-ai.
package kubernetes
