package kube

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Object is any Kubernetes object as decoded JSON/YAML.
type Object = map[string]any

// resource maps the kinds runsc-ai's manifests use to their REST resource
// and whether they live in a namespace.
var resources = map[string]struct {
	plural     string
	namespaced bool
}{
	"Namespace":      {"namespaces", false},
	"Node":           {"nodes", false},
	"ServiceAccount": {"serviceaccounts", true},
	"Pod":            {"pods", true},
	"ConfigMap":      {"configmaps", true},
	"DaemonSet":      {"daemonsets", true},
	"Job":            {"jobs", true},
	"RuntimeClass":   {"runtimeclasses", false},
}

// ObjectPath is the REST path of obj's collection, or of obj itself when
// named is true.
func ObjectPath(obj Object, named bool) (string, error) {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	meta, _ := obj["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	ns, _ := meta["namespace"].(string)
	r, ok := resources[kind]
	if !ok || apiVersion == "" {
		return "", fmt.Errorf("unsupported object %s/%s", apiVersion, kind)
	}
	p := "/apis/" + apiVersion
	if !strings.Contains(apiVersion, "/") {
		p = "/api/" + apiVersion
	}
	if r.namespaced {
		if ns == "" {
			ns = "default"
		}
		p += "/namespaces/" + url.PathEscape(ns)
	}
	p += "/" + r.plural
	if named {
		if name == "" {
			return "", fmt.Errorf("%s without metadata.name", kind)
		}
		p += "/" + url.PathEscape(name)
	}
	return p, nil
}

// Create creates obj and returns it as the apiserver stored it.
func (c *Client) Create(ctx context.Context, obj Object) (Object, error) {
	p, err := ObjectPath(obj, false)
	if err != nil {
		return nil, err
	}
	var out Object
	err = c.do(ctx, http.MethodPost, p, obj, &out)
	return out, err
}

// Get reads obj (by apiVersion, kind, namespace and name) back.
func (c *Client) Get(ctx context.Context, obj Object) (Object, error) {
	p, err := ObjectPath(obj, true)
	if err != nil {
		return nil, err
	}
	var out Object
	err = c.do(ctx, http.MethodGet, p, nil, &out)
	return out, err
}

// Delete deletes obj.
func (c *Client) Delete(ctx context.Context, obj Object) error {
	p, err := ObjectPath(obj, true)
	if err != nil {
		return err
	}
	return c.do(ctx, http.MethodDelete, p, nil, nil)
}
